import type { Request, Response } from 'express';
import { SignOutDocument } from '../__generated__/graphql';
import type { RenderConfig } from '../config';
import { apiClientFor, runMutation } from '../shared/api-call';
import { baseCookieOptions, clearSessionCookies, cookieNames } from './cookies';
import { requestSession } from './request-session';

/**
 * Signs this browser out: its session ends at the API (`signOut`) and the cookies are cleared.
 * The browser forgets the tokens either way; an unreachable API only means the session ends
 * at its expiry instead of now, so that failure is logged, not shown.
 */
export async function endBrowserSession(
  config: RenderConfig,
  req: Request,
  res: Response,
): Promise<void> {
  const { refreshToken } = requestSession(res);
  if (refreshToken) {
    try {
      const client = apiClientFor(config, res, { anonymous: true });
      await runMutation(client, SignOutDocument, { refreshToken });
    } catch (error) {
      req.log.warn({ err: error }, 'signOut failed; cookies cleared anyway');
    }
  }
  clearSessionCookies(res, config);
  // A sign-in halfway through (a second factor, passkey challenges) goes too: on a shared
  // computer the next person must not find the previous one's code form.
  const names = cookieNames(config);
  res.clearCookie(names.secondFactor, baseCookieOptions(config));
  res.clearCookie(names.passkeyChallenge, baseCookieOptions(config));
}
