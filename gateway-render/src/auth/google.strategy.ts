import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticateOptions, PassportStatic } from 'passport';
import { Strategy as GoogleStrategy } from 'passport-google-oauth20';
import type { StateStore } from 'passport-oauth2';
import type { ViewerFieldsFragment } from '../__generated__/graphql';
import type { GoogleConfig, RenderConfig } from '../config';
import { apiClientFor } from '../shared/api-call';
import { classifyApiError } from '../shared/api-errors';
import type { ApiFailure } from '../shared/api-errors';
import { safeReturnTo } from '../shared/return-to';
import { baseCookieOptions, cookieNames } from './cookies';
import { accessTokenViewer } from './refresh';
import { requestSession } from './request-session';
import { connectProvider, signProvider } from './sign-in.service';
import type { SignInOutcome } from './sign-in.service';

/** How long a person may take on Google's pages before the state expires. */
export const OAUTH_STATE_MAX_AGE_MS = 10 * 60 * 1000;

/** What the app asks to carry through Google's round trip. */
export interface GoogleReturnState {
  returnTo: string;
  rememberMe: boolean;
  /**
   * `sign-in` (the sign-in page's button), or `connect` (the account page's "Connect Google":
   * the callback connects the Google account to the signed-in person instead of signing in).
   */
  intent: 'sign-in' | 'connect';
  /** For `connect`: who asked; the callback connects nobody else (someone else signed in since). */
  userId?: string;
}

/** What the Google strategy hands the callback route. */
export type GoogleOutcome =
  | { intent: 'sign-in'; signedIn: SignInOutcome }
  | { intent: 'connect'; user: ViewerFieldsFragment };

/** Why the strategy refused (passport's `info`): a message, and the API's failure when it said no. */
export interface GoogleRefusal {
  message: string;
  failure?: ApiFailure;
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

/**
 * The state as stored or asked for, anything unexpected turned into the safe default (an
 * older cookie without an intent is a sign-in).
 */
function normalizedState(requested: Partial<GoogleReturnState>): GoogleReturnState {
  const intent = requested.intent === 'connect' ? 'connect' : 'sign-in';
  return {
    returnTo: safeReturnTo(requested.returnTo),
    rememberMe: requested.rememberMe === true,
    intent,
    ...(intent === 'connect' && typeof requested.userId === 'string'
      ? { userId: requested.userId }
      : {}),
  };
}

/**
 * The state verified for this callback request (the verify function reads the intent and
 * rememberMe from it, the callback route the return path).
 */
export function verifiedGoogleState(req: Request): GoogleReturnState | undefined {
  return req.res?.locals.googleState as GoogleReturnState | undefined;
}

/**
 * passport-oauth2's state store, without server-side sessions: the state handle, the PKCE
 * verifier, the return path and the intent (sign in, or connect for one signed-in user) live
 * in a signed (HMAC, cookie-parser), httpOnly, 10-minute cookie, so the intent cannot be forged. The callback must bring back the same handle in `state`; the cookie is used once.
 * passport-oauth2 picks the PKCE signatures by arity: store(req, verifier, state, meta, cb)
 * and verify(req, providedState, cb).
 */
export class SignedCookieStateStore {
  constructor(private readonly config: RenderConfig) {}

  store(req: Request, verifier: string, state: unknown, _meta: unknown, callback: StoreCallback) {
    const res = req.res;
    if (!res) return callback(new TypeError('No response to set the OAuth state cookie on'));
    const handle = randomBytes(24).toString('base64url');
    const stored: StoredState = {
      handle,
      verifier,
      state: normalizedState((state ?? {}) as Partial<GoogleReturnState>),
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
    const verified = normalizedState(stored.state ?? {});
    if (req.res) req.res.locals.googleState = verified;
    return callback(null, stored.verifier, verified);
  }
}

/**
 * Sends the browser to Google with `state` kept in the signed state cookie (sign-in from
 * /auth/google, connecting from /account). Answers 302 to Google's authorization page.
 */
export function authenticateWithGoogle(
  passport: PassportStatic,
  req: Request,
  res: Response,
  next: NextFunction,
  state: GoogleReturnState,
): void {
  // An object `state` goes to the state store, which keeps it in the signed cookie.
  // passport-oauth2 accepts an object state (handed to the store), its typings only a string.
  const options = { session: false, state } as unknown as AuthenticateOptions;
  const authenticate = passport.authenticate('google', options) as (
    req: Request,
    res: Response,
    next: NextFunction,
  ) => void;
  authenticate(req, res, next);
}

type VerifyDone = (error: unknown, outcome?: GoogleOutcome | false, info?: GoogleRefusal) => void;

/** The API's answer to a Google call, handed to passport: an outage is an error (503). */
function settle<T>(call: Promise<T>, done: VerifyDone, outcome: (value: T) => GoogleOutcome): void {
  call.then(
    (value) => done(null, outcome(value)),
    (error: unknown) => {
      const failure = classifyApiError(error);
      if (failure.kind === 'unavailable' || failure.kind === 'internal') return done(error);
      return done(null, false, { message: failure.message, failure });
    },
  );
}

/**
 * Google sign-in and connecting (authorization code + PKCE + state, scopes openid email
 * profile). The ID token of Google's token response goes to the API, which verifies it itself
 * (signature, issuer, audience, expiry): this server never vouches for an identity. With the
 * `sign-in` intent it goes to `signProvider` (finds, links or creates the user) as the key
 * alone; with `connect` to `connectProvider` with THIS browser's access token, and only for
 * the person who started the connection. No userinfo call is needed (`skipUserProfile`).
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
      skipUserProfile: true,
      // The PKCE-aware store signatures are missing from @types/passport-oauth2.
      store: new SignedCookieStateStore(config) as unknown as StateStore,
      passReqToCallback: true,
    },
    (
      req: Request,
      _accessToken: string,
      _refreshToken: string,
      params: { id_token?: unknown },
      _profile: unknown,
      done: VerifyDone,
    ) => {
      const idToken = typeof params.id_token === 'string' ? params.id_token : '';
      if (!idToken) return done(null, false, { message: 'Google sent no ID token.' });
      const state = verifiedGoogleState(req);
      const res = req.res;
      if (!res)
        return done(new TypeError('Google sign-in needs the response (express sets req.res)'));
      if (state?.intent === 'connect') {
        const viewer = accessTokenViewer(requestSession(res).accessToken);
        if (!viewer) {
          const message = 'Sign in to connect a Google account.';
          return done(null, false, { message, failure: { kind: 'unauthenticated', message } });
        }
        if (viewer.id !== state.userId) {
          const message = 'Someone else signed in meanwhile: nothing was connected.';
          return done(null, false, { message, failure: { kind: 'forbidden', message } });
        }
        const call = connectProvider(apiClientFor(config, res), { provider: 'GOOGLE', idToken });
        return settle(call, done, (user) => ({ intent: 'connect', user }));
      }
      const call = signProvider(apiClientFor(config, res, { anonymous: true }), {
        provider: 'GOOGLE',
        idToken,
        rememberMe: state?.rememberMe ?? false,
      });
      return settle(call, done, (signedIn) => ({ intent: 'sign-in', signedIn }));
    },
  );
}
