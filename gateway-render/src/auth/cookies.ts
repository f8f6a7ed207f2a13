import type { CookieOptions, Request, Response } from 'express';
import type { RenderConfig } from '../config';

/** "Remember me" keeps the session for 30 days; express takes `maxAge` in milliseconds. */
export const REMEMBER_ME_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** The cookie names: `__Host-` prefixed in production, where they are also Secure. */
export interface CookieNames {
  /** The API's access token (15 minutes). */
  access: string;
  /** The API's refresh token (rotated on every refresh). */
  refresh: string;
  /** A non-secret flag ("1") so a token rotation keeps the lifetime the person chose. */
  remember: string;
  /** The signed OAuth state (PKCE verifier, return path) between /auth/google and its callback. */
  oauthState: string;
  /** The signed second-factor challenge (5 minutes) between a sign-in and its code. */
  secondFactor: string;
  /** The signed WebAuthn sign-in challenge (5 minutes) this browser was handed. */
  passkeyChallenge: string;
}

export function cookieNames(config: RenderConfig): CookieNames {
  const prefix = config.nodeEnv === 'production' ? '__Host-' : '';
  return {
    access: `${prefix}access_token`,
    refresh: `${prefix}refresh_token`,
    remember: `${prefix}remember_me`,
    oauthState: `${prefix}oauth_state`,
    secondFactor: `${prefix}second_factor`,
    passkeyChallenge: `${prefix}passkey_challenge`,
  };
}

/** HttpOnly, SameSite=Lax, Path=/ and (production) Secure: the `__Host-` prefix requires the last two. */
export function baseCookieOptions(config: RenderConfig): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.nodeEnv === 'production',
  };
}

/** The tokens a successful sign-in or refresh returns. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

/** What the request's cookies say about the session. */
export interface SessionCookies {
  accessToken?: string;
  refreshToken?: string;
  rememberMe: boolean;
}

export function readSessionCookies(req: Request, config: RenderConfig): SessionCookies {
  const names = cookieNames(config);
  const cookies = (req.cookies ?? {}) as Record<string, unknown>;
  const text = (name: string) => {
    const value = cookies[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return {
    accessToken: text(names.access),
    refreshToken: text(names.refresh),
    rememberMe: text(names.remember) === '1',
  };
}

/**
 * Writes both token cookies (and the remember flag). With rememberMe they last 30 days,
 * otherwise they are session cookies that end with the browser.
 */
export function setSessionCookies(
  res: Response,
  config: RenderConfig,
  tokens: SessionTokens,
  rememberMe: boolean,
): void {
  const names = cookieNames(config);
  const options: CookieOptions = {
    ...baseCookieOptions(config),
    ...(rememberMe ? { maxAge: REMEMBER_ME_MAX_AGE_MS } : {}),
  };
  res.cookie(names.access, tokens.accessToken, options);
  res.cookie(names.refresh, tokens.refreshToken, options);
  if (rememberMe) res.cookie(names.remember, '1', options);
  else res.clearCookie(names.remember, baseCookieOptions(config));
}

/** Removes the session cookies (sign-out, revoked or reused session). */
export function clearSessionCookies(res: Response, config: RenderConfig): void {
  const names = cookieNames(config);
  const options = baseCookieOptions(config);
  res.clearCookie(names.access, options);
  res.clearCookie(names.refresh, options);
  res.clearCookie(names.remember, options);
}
