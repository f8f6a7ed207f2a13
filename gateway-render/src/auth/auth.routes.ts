import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import type { AuthenticateOptions } from 'passport';
import { SignOutDocument } from '../__generated__/graphql';
import type { ViewerFieldsFragment } from '../__generated__/graphql';
import { renderSignInPage } from '../pages/sign-in/sign-in.routes';
import { renderSignUpPage } from '../pages/sign-up/sign-up.routes';
import { apiClientFor, runMutation } from '../shared/api-call';
import { ApiFailureError, classifyApiError } from '../shared/api-errors';
import type { FieldErrors } from '../shared/api-errors';
import { rateLimitedPage, sendErrorPage } from '../shared/error-pages';
import { isJsonClient, wantsJson } from '../shared/render-page';
import { safeReturnTo } from '../shared/return-to';
import type { RouteDeps } from '../shared/route-deps';
import { basicFailureOf, formCredentialsToBasic } from './basic.strategy';
import { clearSessionCookies, setSessionCookies } from './cookies';
import { verifiedGoogleState } from './google.strategy';
import type { GoogleReturnState } from './google.strategy';
import { requestSession } from './request-session';
import type { SignedIn } from './sign-in.service';
import { readRememberMe, signIn, signUp } from './sign-in.service';

const INVALID_CREDENTIALS = 'Invalid e-mail or password';
const GOOGLE_FAILED = 'Google sign-in did not complete. Please try again.';

/** The person as JSON clients see them (no GraphQL internals such as __typename). */
function publicUser(user: ViewerFieldsFragment) {
  return { id: user.id, name: user.name, email: user.email };
}

function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Sign-in, sign-up and sign-out for forms (redirects) and scripts (JSON). */
export function authRoutes(deps: RouteDeps): Router {
  const { config, passport } = deps;
  const router = Router();

  router.post('/auth/sign-in', formCredentialsToBasic, (req, res, next) => {
    const viaForm = res.locals.signInForm === true;
    // Basic credentials come from scripts and API clients: they get JSON; so does a client
    // that posts its fields as JSON or asks for JSON.
    const json = !viaForm || isJsonClient(req);
    const body = bodyOf(req);
    const returnTo = safeReturnTo(body.returnTo);
    const form = { email: text(body.email), rememberMe: readRememberMe(body.rememberMe), returnTo };

    const authenticate = passport.authenticate(
      'basic',
      { session: false },
      (error: unknown, signedIn: SignedIn | false) => {
        if (error) return next(error);
        if (signedIn) {
          setSessionCookies(res, config, signedIn.payload, signedIn.rememberMe);
          if (json) return res.json({ user: publicUser(signedIn.payload.user) });
          return res.redirect(303, returnTo);
        }
        const failure = basicFailureOf(res);
        if (failure?.kind === 'rate-limited') {
          if (json) return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter), true);
          res.set('Retry-After', String(failure.retryAfter));
          return renderSignInPage(
            deps,
            req,
            res,
            { ...form, error: rateLimitedPage(failure.retryAfter).message },
            429,
          ).catch(next);
        }
        if (json) {
          // No WWW-Authenticate for the page's script: browsers would pop up a login dialog.
          if (!wantsJson(req)) res.set('WWW-Authenticate', 'Basic realm="movie-catalog"');
          return res
            .status(401)
            .json({ error: { code: 'UNAUTHENTICATED', message: INVALID_CREDENTIALS } });
        }
        return renderSignInPage(deps, req, res, { ...form, error: INVALID_CREDENTIALS }, 401).catch(
          next,
        );
      },
    ) as (req: Request, res: Response, next: NextFunction) => void;
    authenticate(req, res, next);
  });

  router.post('/auth/sign-up', async (req, res) => {
    const body = bodyOf(req);
    const json = isJsonClient(req);
    const input = {
      name: text(body.name).trim(),
      email: text(body.email).trim(),
      password: text(body.password),
    };
    const returnTo = safeReturnTo(body.returnTo);
    const rememberMe = readRememberMe(body.rememberMe);
    const refuse = async (status: number, message: string, fields: FieldErrors, code: string) => {
      if (json) {
        res.status(status).json({ error: { code, message, fields } });
        return;
      }
      await renderSignUpPage(
        deps,
        req,
        res,
        { name: input.name, email: input.email, returnTo, error: message, fields },
        status,
      );
    };
    try {
      await signUp(apiClientFor(config, res, { anonymous: true }), input);
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind === 'bad-input') {
        return refuse(400, 'Please correct the marked fields.', failure.fields, 'BAD_USER_INPUT');
      }
      if (failure.kind === 'conflict') {
        const message = 'This e-mail is already registered.';
        return refuse(409, message, { email: [message] }, 'CONFLICT');
      }
      if (failure.kind === 'rate-limited') {
        return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter), json);
      }
      throw new ApiFailureError(failure);
    }
    // The account exists now; signing in is what a person expects next.
    const signedIn = await signIn(apiClientFor(config, res, { anonymous: true }), {
      email: input.email,
      password: input.password,
      rememberMe,
    });
    setSessionCookies(res, config, signedIn.payload, rememberMe);
    if (json) return void res.status(201).json({ user: publicUser(signedIn.payload.user) });
    return res.redirect(303, returnTo);
  });

  router.post('/auth/sign-out', async (req, res) => {
    const { refreshToken } = requestSession(res);
    if (refreshToken) {
      try {
        const client = apiClientFor(config, res, { anonymous: true });
        await runMutation(client, SignOutDocument, { refreshToken });
      } catch (error) {
        // The browser forgets the tokens either way; an unreachable API only means the
        // session ends at its expiry instead of now.
        req.log.warn({ err: error }, 'signOut failed; cookies cleared anyway');
      }
    }
    clearSessionCookies(res, config);
    if (isJsonClient(req)) return void res.json({ signedOut: true });
    return res.redirect(303, '/');
  });

  router.get('/auth/google', (req, res, next) => {
    if (!config.google) return next(); // not configured: 404
    const state: GoogleReturnState = {
      returnTo: safeReturnTo(req.query.returnTo),
      rememberMe: readRememberMe(req.query.rememberMe),
    };
    // An object `state` goes to the state store, which keeps it in the signed cookie.
    // passport-oauth2 accepts an object state (handed to the store), its typings only a string.
    const options = { session: false, state } as unknown as AuthenticateOptions;
    const authenticate = passport.authenticate('google', options) as (
      req: Request,
      res: Response,
      next: NextFunction,
    ) => void;
    authenticate(req, res, next);
  });

  router.get('/auth/google/callback', (req, res, next) => {
    if (!config.google) return next();
    const authenticate = passport.authenticate(
      'google',
      { session: false },
      (error: unknown, signedIn: SignedIn | false) => {
        const returnTo = verifiedGoogleState(req)?.returnTo ?? '/';
        // The API unreachable: the 503 page. Google's own failures (a refused code, its
        // token endpoint down) end on the sign-in page with a message.
        if (error instanceof ApiFailureError) return next(error);
        if (error) req.log.warn({ err: error }, 'Google sign-in failed');
        if (!error && signedIn) {
          setSessionCookies(res, config, signedIn.payload, signedIn.rememberMe);
          return res.redirect(303, returnTo);
        }
        const form = { email: '', rememberMe: false, returnTo, error: GOOGLE_FAILED };
        return renderSignInPage(deps, req, res, form, 403).catch(next);
      },
    ) as (req: Request, res: Response, next: NextFunction) => void;
    authenticate(req, res, next);
  });

  return router;
}
