import type { Request, Response } from 'express';
import { Router } from 'express';
import {
  expiredSignInUrl,
  renderSecondFactorPage,
  startingMethod,
} from '../pages/second-factor/second-factor.routes';
import { apiClientFor } from '../shared/api-call';
import { ApiFailureError, classifyApiError } from '../shared/api-errors';
import type { FieldErrors } from '../shared/api-errors';
import { rateLimitedPage, sendErrorPage } from '../shared/error-pages';
import type { SecondFactorFormMethod } from '../shared/page-props';
import { isJsonClient } from '../shared/render-page';
import { bodyOf } from '../shared/request-body';
import { safeReturnTo } from '../shared/return-to';
import type { RouteDeps } from '../shared/route-deps';
import { setSessionCookies } from './cookies';
import { clearSecondFactorChallenge, readSecondFactorChallenge } from './second-factor-challenge';
import type { SecondFactorChallenge } from './second-factor-challenge';
import { fromBrowser, publicUser } from './sign-in-outcome';
import { readRememberMe, verifySecondFactor } from './sign-in.service';

/** Longer than any code or recovery code: refused here, never sent on. */
const MAX_CODE_LENGTH = 64;
const MAX_CHALLENGE_ID_LENGTH = 512;

const EXPIRED = 'This sign-in has expired; sign in again.';

/** The code the body carries: the app's (spaces dropped: "123 456") or a recovery code. */
function codeOf(body: Record<string, unknown>): {
  method: SecondFactorFormMethod;
  field: 'code' | 'recoveryCode';
  value: string;
} {
  const recovery = typeof body.recoveryCode === 'string' ? body.recoveryCode.trim() : '';
  if (recovery !== '') return { method: 'recovery', field: 'recoveryCode', value: recovery };
  const code = typeof body.code === 'string' ? body.code.replace(/\s+/g, '') : '';
  return { method: 'totp', field: 'code', value: code };
}

/**
 * The challenge this request answers: this browser's cookie, else an API client's own
 * (`challengeId` from the 401 of `POST /auth/sign-in`, with its `returnTo` and `rememberMe`).
 * A browser never names one (it could be someone else's: a sign-in into the attacker's account,
 * login CSRF), so only a JSON body without a browser's fetch metadata may.
 */
function challengeOf(req: Request, deps: RouteDeps): SecondFactorChallenge | null {
  const body = bodyOf(req);
  const cookie = readSecondFactorChallenge(req, deps.config);
  if (cookie || fromBrowser(req) || !req.is('application/json')) return cookie;
  if (typeof body.challengeId === 'string' && body.challengeId !== '') {
    if (body.challengeId.length > MAX_CHALLENGE_ID_LENGTH) return null;
    return {
      challengeId: body.challengeId,
      methods: ['TOTP', 'RECOVERY_CODE'],
      expiresAt: Number.POSITIVE_INFINITY,
      returnTo: safeReturnTo(body.returnTo),
      rememberMe: readRememberMe(body.rememberMe),
    };
  }
  return readSecondFactorChallenge(req, deps.config);
}

/**
 * `POST /auth/second-factor`: finishes a sign-in that needs a second factor with
 * `verifySecondFactor` (a `code` or a `recoveryCode`). Forms: the session's cookies and a
 * redirect to the sign-in's return path, or the page again with the field's message. JSON:
 * `{ user, redirect }`, 400 with `fields`, 401 (expired: sign in again), 429 with the wait.
 */
export function secondFactorAuthRoutes(deps: RouteDeps): Router {
  const { config } = deps;
  const router = Router();

  router.post('/auth/second-factor', async (req: Request, res: Response) => {
    const json = isJsonClient(req);
    const body = bodyOf(req);
    const challenge = challengeOf(req, deps);
    const { method, field, value } = codeOf(body);

    const expired = () => {
      clearSecondFactorChallenge(res, config);
      const redirect = expiredSignInUrl(challenge?.returnTo ?? '/');
      if (json) {
        res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: EXPIRED, redirect } });
        return;
      }
      res.redirect(303, redirect);
    };
    const refuse = async (status: number, message: string, fields: FieldErrors) => {
      if (json) {
        res.status(status).json({ error: { code: 'BAD_USER_INPUT', message, fields } });
        return;
      }
      await renderSecondFactorPage(
        deps,
        req,
        res,
        {
          method: challenge ? startingMethod(challenge, method) : method,
          methods: challenge?.methods ?? [],
          fields,
        },
        status,
      );
    };

    if (!challenge) return expired();
    if (value === '') {
      const message = method === 'recovery' ? 'Enter a recovery code.' : 'Enter the 6-digit code.';
      return refuse(400, message, { [field]: [message] });
    }
    if (value.length > MAX_CODE_LENGTH) {
      const message = 'That is not a code from your authenticator app or a recovery code.';
      return refuse(400, message, { [field]: [message] });
    }

    let signedIn;
    try {
      signedIn = await verifySecondFactor(
        apiClientFor(config, res, { anonymous: true }),
        field === 'code'
          ? { challengeId: challenge.challengeId, code: value }
          : { challengeId: challenge.challengeId, recoveryCode: value },
        challenge.rememberMe,
      );
    } catch (error) {
      const failure = classifyApiError(error);
      switch (failure.kind) {
        case 'bad-input': {
          // A malformed challenge id (a JSON client's own) is an expired sign-in too.
          if (failure.fields.challengeId) return expired();
          // The API names the field (`code` or `recoveryCode`); its message goes there.
          const messages = failure.fields[field]?.length
            ? failure.fields[field]
            : [failure.message];
          return refuse(400, failure.message, { [field]: messages });
        }
        case 'unauthenticated':
          // Unknown, used or expired challenge, or too many wrong codes for it.
          return expired();
        case 'rate-limited': {
          const page = rateLimitedPage(failure.retryAfter);
          if (json) return sendErrorPage(req, res, page, true);
          res.set('Retry-After', String(failure.retryAfter));
          return renderSecondFactorPage(
            deps,
            req,
            res,
            { method, methods: challenge.methods, error: page.message, fields: {} },
            429,
          );
        }
        default:
          throw new ApiFailureError(failure);
      }
    }
    clearSecondFactorChallenge(res, config);
    setSessionCookies(res, config, signedIn.payload, signedIn.rememberMe);
    if (json) {
      return void res.json({
        user: publicUser(signedIn.payload.user),
        redirect: challenge.returnTo,
      });
    }
    return res.redirect(303, challenge.returnTo);
  });

  /** "Cancel and sign in again": the half-finished sign-in is forgotten in this browser. */
  router.post('/auth/second-factor/cancel', (_req: Request, res: Response) => {
    clearSecondFactorChallenge(res, config);
    res.redirect(303, '/sign-in');
  });

  return router;
}
