import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { decodeJwt } from 'jose';
import { createApiClient } from '../apollo-client';
import type { RenderConfig } from '../config';
import { RefreshSessionDocument } from '../__generated__/graphql';
import type { AuthPayloadFieldsFragment, ViewerFieldsFragment } from '../__generated__/graphql';
import { runMutation } from '../shared/api-call';
import { classifyApiError } from '../shared/api-errors';
import { clearSessionCookies, readSessionCookies, setSessionCookies } from './cookies';
import type { RequestSession } from './request-session';

/** Refresh when the access token expires within this many seconds (clock skew, slow pages). */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * How long a finished refresh is kept for requests that still carry the old refresh cookie. An
 * optimisation only, and it must stay well below the API's reuse interval (10 s by default):
 * within that interval the API answers the old token with the same successor anyway, and after
 * it a replayed old token must reach the API, which then sees reuse and ends the session.
 */
export const REFRESH_RESULT_GRACE_MS = 1_000;

/**
 * The access token's `exp` in seconds, or 0 when the token cannot be decoded. Read without
 * verifying: it only decides WHEN to refresh; the API verifies every token it receives.
 */
export function accessTokenExpiry(accessToken: string): number {
  try {
    const { exp } = decodeJwt(accessToken);
    return typeof exp === 'number' ? exp : 0;
  } catch {
    return 0;
  }
}

/**
 * Who the access token names (sub, name, e-mail), read without verifying, or null. Only for
 * pages rendered without asking the API (error pages, the API down): the cookie is httpOnly
 * and set by this server, so a forged one could only mislabel its own holder's header. The
 * token does not carry the list's count, so such a header shows none.
 */
export function accessTokenViewer(
  accessToken: string | undefined,
): Omit<ViewerFieldsFragment, 'myListCount'> | null {
  if (!accessToken) return null;
  try {
    const { sub, name, email } = decodeJwt(accessToken);
    if (typeof sub !== 'string' || typeof email !== 'string') return null;
    // The token does not say whether the address is confirmed; assuming it is keeps the
    // banner off pages rendered without the API (it shows again on the next real page).
    return {
      __typename: 'User',
      id: sub,
      name: typeof name === 'string' ? name : '',
      email,
      emailVerified: true,
    };
  } catch {
    return null;
  }
}

/**
 * The session id (`sid`) the access token names, read without verifying, or null. It only
 * decides whether revoking a session signs this browser out; the API checks the token itself.
 */
export function accessTokenSessionId(accessToken: string | undefined): string | null {
  if (!accessToken) return null;
  try {
    const { sid } = decodeJwt(accessToken);
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}

/** True when the access token is missing, undecodable, expired or within the margin of expiry. */
export function needsRefresh(accessToken: string | undefined, nowMs = Date.now()): boolean {
  if (!accessToken) return true;
  return accessTokenExpiry(accessToken) - REFRESH_MARGIN_SECONDS <= nowMs / 1000;
}

/** The browser a refresh is made for. */
export interface RefreshClient {
  clientIp?: string;
  userAgent?: string;
}

/**
 * Calls `refreshSession` at most once per refresh token at a time in this process: two
 * requests of the same person (a page and its form post, two tabs) share one call, and a
 * finished result is kept a moment for requests that left the browser before the new cookies
 * arrived. An optimisation only: the API gives concurrent refreshes with the same token the
 * same successor within its reuse interval, so several render processes need no stickiness.
 */
export class SessionRefresher {
  private readonly inFlight = new Map<string, Promise<AuthPayloadFieldsFragment>>();

  constructor(
    private readonly config: RenderConfig,
    private readonly graceMs = REFRESH_RESULT_GRACE_MS,
  ) {}

  /**
   * @param client - the browser that asked first (its address and User-Agent): the API
   *   records them as the session's latest, so the account page shows where it was last used.
   */
  refresh(refreshToken: string, client: RefreshClient = {}): Promise<AuthPayloadFieldsFragment> {
    // Keyed by a hash so the map never holds a usable token.
    const key = createHash('sha256').update(refreshToken).digest('base64url');
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const promise = this.callApi(refreshToken, client);
    this.inFlight.set(key, promise);
    promise.then(
      () => setTimeout(() => this.inFlight.delete(key), this.graceMs).unref(),
      // A failure is not kept: after an outage the next request may try again.
      () => this.inFlight.delete(key),
    );
    return promise;
  }

  private async callApi(
    refreshToken: string,
    from: RefreshClient,
  ): Promise<AuthPayloadFieldsFragment> {
    // Shared by several requests, so it has no request's deadline: only the per-call timeout.
    const client = createApiClient(this.config, from);
    const data = await runMutation(client, RefreshSessionDocument, { refreshToken });
    return data.refreshSession;
  }
}

/**
 * Runs before every page and route: reads the token cookies and, when the access token is
 * missing, expired or about to expire, rotates it with `refreshSession` and rewrites both
 * cookies. A rejected refresh (revoked or reused session) clears them and the request goes
 * on anonymously; an unreachable API fails the request (503) and keeps the cookies.
 */
export function sessionMiddleware(
  config: RenderConfig,
  refresher: SessionRefresher,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const cookies = readSessionCookies(req, config);
    const session: RequestSession = { ...cookies };
    res.locals.session = session;
    if (!cookies.refreshToken || !needsRefresh(cookies.accessToken)) return next();
    try {
      const payload = await refresher.refresh(cookies.refreshToken, {
        clientIp: req.ip,
        userAgent: req.get('user-agent'),
      });
      setSessionCookies(res, config, payload, cookies.rememberMe);
      session.accessToken = payload.accessToken;
      session.refreshToken = payload.refreshToken;
      return next();
    } catch (error) {
      const failure = classifyApiError(error);
      // A refresh token the API refuses, or will not even read (a mangled cookie), is no
      // session: forget it, or every page would fail the same way until the browser closes.
      // Anything else (the API down) keeps the cookies for the next try.
      if (failure.kind !== 'unauthenticated' && failure.kind !== 'bad-input') return next(error);
      clearSessionCookies(res, config);
      res.locals.session = { rememberMe: false } satisfies RequestSession;
      return next();
    }
  };
}
