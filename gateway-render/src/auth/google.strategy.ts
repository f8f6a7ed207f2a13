import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { Strategy as GoogleStrategy } from 'passport-google-oauth20';
import type { StateStore } from 'passport-oauth2';
import type { GoogleConfig, RenderConfig } from '../config';
import { apiClientFor } from '../shared/api-call';
import { classifyApiError } from '../shared/api-errors';
import { safeReturnTo } from '../shared/return-to';
import { baseCookieOptions, cookieNames } from './cookies';
import { signProvider } from './sign-in.service';

/** How long a person may take on Google's pages before the state expires. */
export const OAUTH_STATE_MAX_AGE_MS = 10 * 60 * 1000;

/** What the app asks to carry through Google's round trip. */
export interface GoogleReturnState {
  returnTo: string;
  rememberMe: boolean;
}

interface StoredState {
  handle: string;
  verifier: string;
  state: GoogleReturnState;
  expiresAt: number;
}

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (
  err: Error | null,
  verifier: string | false,
  state?: GoogleReturnState | { message: string },
) => void;

/** The state verified for this callback request (read by the verify function for rememberMe). */
export function verifiedGoogleState(req: Request): GoogleReturnState | undefined {
  return req.res?.locals.googleState as GoogleReturnState | undefined;
}

/**
 * passport-oauth2's state store, without server-side sessions: the state handle, the PKCE
 * verifier and the return path live in a signed (HMAC, cookie-parser), httpOnly, 10-minute
 * cookie. The callback must bring back the same handle in `state`; the cookie is used once.
 * passport-oauth2 picks the PKCE signatures by arity: store(req, verifier, state, meta, cb)
 * and verify(req, providedState, cb).
 */
export class SignedCookieStateStore {
  constructor(private readonly config: RenderConfig) {}

  store(req: Request, verifier: string, state: unknown, _meta: unknown, callback: StoreCallback) {
    const res = req.res;
    if (!res) return callback(new TypeError('No response to set the OAuth state cookie on'));
    const handle = randomBytes(24).toString('base64url');
    const requested = (state ?? {}) as Partial<GoogleReturnState>;
    const stored: StoredState = {
      handle,
      verifier,
      state: {
        returnTo: safeReturnTo(requested.returnTo),
        rememberMe: requested.rememberMe === true,
      },
      expiresAt: Date.now() + OAUTH_STATE_MAX_AGE_MS,
    };
    res.cookie(cookieNames(this.config).oauthState, JSON.stringify(stored), {
      ...baseCookieOptions(this.config),
      signed: true,
      maxAge: OAUTH_STATE_MAX_AGE_MS,
    });
    return callback(null, handle);
  }

  verify(req: Request, providedState: string, callback: VerifyCallback) {
    const name = cookieNames(this.config).oauthState;
    const raw = (req.signedCookies as Record<string, unknown> | undefined)?.[name];
    // One use only: a replayed callback finds no state.
    req.res?.clearCookie(name, baseCookieOptions(this.config));
    const refuse = (message: string) => callback(null, false, { message });
    if (typeof raw !== 'string') return refuse('Unable to verify authorization request state.');
    let stored: StoredState;
    try {
      stored = JSON.parse(raw) as StoredState;
    } catch {
      return refuse('Unable to verify authorization request state.');
    }
    if (typeof stored.handle !== 'string' || typeof stored.verifier !== 'string') {
      return refuse('Unable to verify authorization request state.');
    }
    if (!(stored.expiresAt > Date.now())) return refuse('Authorization request expired.');
    const expected = Buffer.from(stored.handle);
    const provided = Buffer.from(typeof providedState === 'string' ? providedState : '');
    if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) {
      return refuse('Invalid authorization request state.');
    }
    if (req.res) req.res.locals.googleState = stored.state;
    return callback(null, stored.verifier, stored.state);
  }
}

interface GoogleUserInfo {
  sub?: unknown;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
}

/**
 * Google sign-in (authorization code + PKCE + state, scopes openid email profile). The
 * verify function hands Google's `sub`, e-mail, `email_verified` and name to the API's
 * `signProvider`, which finds, links or creates the user.
 */
export function createGoogleStrategy(config: RenderConfig, google: GoogleConfig): GoogleStrategy {
  return new GoogleStrategy(
    {
      clientID: google.clientId,
      clientSecret: google.clientSecret,
      callbackURL: google.callbackUrl,
      authorizationURL: google.authorizationUrl,
      tokenURL: google.tokenUrl,
      userProfileURL: google.userInfoUrl,
      scope: ['openid', 'email', 'profile'],
      state: true,
      pkce: true,
      // The PKCE-aware store signatures are missing from @types/passport-oauth2.
      store: new SignedCookieStateStore(config) as unknown as StateStore,
      passReqToCallback: true,
    },
    (req, _accessToken, _refreshToken, profile, done) => {
      const info = profile._json as GoogleUserInfo;
      const subject = typeof info.sub === 'string' ? info.sub : '';
      const email = typeof info.email === 'string' ? info.email : '';
      if (!subject || !email) {
        return done(null, false, { message: 'Google did not share an e-mail address.' });
      }
      const name = typeof info.name === 'string' && info.name.trim() ? info.name.trim() : email;
      const emailVerified = info.email_verified === true || info.email_verified === 'true';
      const rememberMe = verifiedGoogleState(req)?.rememberMe ?? false;
      const res = req.res;
      if (!res)
        return done(new TypeError('Google sign-in needs the response (express sets req.res)'));
      signProvider(apiClientFor(config, res, { anonymous: true }), {
        provider: 'GOOGLE',
        subject,
        email,
        emailVerified,
        name: name.slice(0, 100),
        rememberMe,
      }).then(
        (signedIn) => done(null, signedIn),
        (error: unknown) => {
          const failure = classifyApiError(error);
          if (failure.kind === 'unavailable' || failure.kind === 'internal') return done(error);
          return done(null, false, { message: failure.message });
        },
      );
    },
  );
}
