import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { ViewerDocument } from '../__generated__/graphql';
import type { ViewerFieldsFragment } from '../__generated__/graphql';
import { renderAccountPage } from '../pages/account/account.routes';
import { renderReauthenticatePage } from '../pages/reauthenticate/reauthenticate-render';
import { renderSignInPage } from '../pages/sign-in/sign-in.routes';
import { renderSignUpPage } from '../pages/sign-up/sign-up.routes';
import { apiClientFor, runQuery } from '../shared/api-call';
import { ApiFailureError, classifyApiError } from '../shared/api-errors';
import type { FieldErrors } from '../shared/api-errors';
import { rateLimitedPage, sendErrorPage } from '../shared/error-pages';
import { withNotice } from '../shared/notices';
import { isJsonClient, wantsJson } from '../shared/render-page';
import { bodyOf } from '../shared/request-body';
import { safeReturnTo, signInUrl } from '../shared/return-to';
import type { RouteDeps } from '../shared/route-deps';
import { basicFailureOf, formCredentialsToBasic } from './basic.strategy';
import { clearSessionCookies } from './cookies';
import { authenticateWithGoogle, verifiedGoogleState } from './google.strategy';
import type { GoogleOutcome, GoogleRefusal } from './google.strategy';
import { requestSession } from './request-session';
import {
  applySignInOutcome,
  fromBrowser,
  publicUser,
  secondFactorRequiredBody,
} from './sign-in-outcome';
import type { SignInOutcome } from './sign-in.service';
import { readRememberMe, signIn, signUp } from './sign-in.service';
import { endBrowserSession } from './sign-out.service';

const INVALID_CREDENTIALS = 'Invalid e-mail or password';
const GOOGLE_FAILED = 'Google sign-in did not complete. Please try again.';
const GOOGLE_CONNECT_FAILED = 'Connecting Google did not complete. Please try again.';

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
      (error: unknown, outcome: SignInOutcome | false) => {
        if (error) return next(error);
        if (outcome) {
          const applied = applySignInOutcome(res, config, outcome, returnTo);
          switch (applied.kind) {
            case 'signed-in':
              if (json) return res.json({ user: publicUser(applied.user) });
              return res.redirect(303, returnTo);
            case 'second-factor':
              // Not signed in yet: no WWW-Authenticate, since other credentials would not help.
              if (json) {
                return res
                  .status(401)
                  .json(secondFactorRequiredBody(applied.challenge, fromBrowser(req)));
              }
              return res.redirect(303, applied.redirect);
            default: {
              const unexpected: never = applied;
              return next(new TypeError(`Unexpected sign-in ${JSON.stringify(unexpected)}`));
            }
          }
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
    const refuse = async (
      status: number,
      message: string,
      fields: FieldErrors,
      code: string,
      registered = false,
    ) => {
      if (json) {
        res.status(status).json({ error: { code, message, fields } });
        return;
      }
      await renderSignUpPage(
        deps,
        req,
        res,
        {
          name: input.name,
          email: input.email,
          returnTo,
          // A field's own message is not repeated at the top of the form.
          error: registered ? undefined : message,
          fields,
          registered,
        },
        status,
      );
    };
    let signedUp: ViewerFieldsFragment;
    try {
      signedUp = await signUp(apiClientFor(config, res, { anonymous: true }), input);
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind === 'bad-input') {
        return refuse(400, 'Please correct the marked fields.', failure.fields, 'BAD_USER_INPUT');
      }
      if (failure.kind === 'conflict') {
        // Said once, by the field, which offers to sign in instead (see the sign-up page).
        const message = 'This e-mail already has an account.';
        return refuse(409, message, { email: [message] }, 'CONFLICT', true);
      }
      if (failure.kind === 'rate-limited') {
        return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter), json);
      }
      throw new ApiFailureError(failure);
    }
    // The account exists now; signing in is what a person expects next.
    const outcome = await signIn(apiClientFor(config, res, { anonymous: true }), {
      email: input.email,
      password: input.password,
      rememberMe,
    });
    const welcome = withNotice(returnTo, 'welcome');
    const applied = applySignInOutcome(res, config, outcome, welcome);
    switch (applied.kind) {
      case 'signed-in':
        if (json) return void res.status(201).json({ user: publicUser(applied.user) });
        return res.redirect(303, welcome);
      case 'second-factor':
        // A new account has no second factor yet; should the API ask for one anyway, the
        // account exists (201) and the browser goes on to the code, then to the welcome.
        if (json) {
          return void res.status(201).json({
            user: publicUser(signedUp),
            secondFactorRequired: true,
            redirect: applied.redirect,
          });
        }
        return res.redirect(303, applied.redirect);
      default: {
        const unexpected: never = applied;
        throw new TypeError(`Unexpected sign-in ${JSON.stringify(unexpected)}`);
      }
    }
  });

  router.post('/auth/sign-out', async (req, res) => {
    await endBrowserSession(config, req, res);
    if (isJsonClient(req)) return void res.json({ signedOut: true });
    return res.redirect(303, withNotice('/', 'signed-out'));
  });

  router.get('/auth/google', (req, res, next) => {
    if (!config.google) return next(); // not configured: 404
    authenticateWithGoogle(passport, req, res, next, {
      returnTo: safeReturnTo(req.query.returnTo),
      rememberMe: readRememberMe(req.query.rememberMe),
      intent: 'sign-in',
    });
  });

  router.get('/auth/google/callback', (req, res, next) => {
    if (!config.google) return next();
    const authenticate = passport.authenticate(
      'google',
      { session: false },
      (error: unknown, outcome: GoogleOutcome | false, refusal?: GoogleRefusal) => {
        const state = verifiedGoogleState(req);
        // The API unreachable: the 503 page. Google's own failures (a refused code, its
        // token endpoint down) end on the sign-in (or account) page with a message.
        if (error instanceof ApiFailureError) return next(error);
        if (error) req.log.warn({ err: error }, 'Google sign-in failed');
        if (state?.intent === 'connect') {
          return finishConnect(req, res, error ? false : outcome, refusal).catch(next);
        }
        if (!error && outcome && outcome.intent === 'sign-in') {
          // Signed in, or (two-factor also asked after Google) on to the code page.
          const applied = applySignInOutcome(res, config, outcome.signedIn, state?.returnTo ?? '/');
          return res.redirect(303, applied.redirect);
        }
        const returnTo = state?.returnTo ?? '/';
        const form = { email: '', rememberMe: false, returnTo, error: GOOGLE_FAILED };
        return renderSignInPage(deps, req, res, form, 403).catch(next);
      },
    ) as (req: Request, res: Response, next: NextFunction) => void;
    authenticate(req, res, next);
  });

  /**
   * Whether the API still accepts this browser's session. `connectProvider` answers
   * UNAUTHENTICATED both for a session it no longer accepts and for an ID token it refuses
   * (expired, another issuer, Google not configured on the API): only the first may sign the
   * person out.
   */
  async function stillSignedIn(res: Response): Promise<boolean> {
    try {
      const data = await runQuery(apiClientFor(config, res), ViewerDocument, {});
      return data.me !== null;
    } catch (error) {
      if (classifyApiError(error).kind === 'unauthenticated') return false;
      throw error;
    }
  }

  /**
   * The end of "Connect Google" from the account page: back there with a notice, or with the
   * reason (the Google account belongs to someone else, ...). A session the API no longer
   * accepts goes to sign in, as everywhere.
   */
  async function finishConnect(
    req: Request,
    res: Response,
    outcome: GoogleOutcome | false,
    refusal: GoogleRefusal | undefined,
  ): Promise<void> {
    if (outcome && outcome.intent === 'connect') {
      return res.redirect(303, withNotice('/account', 'google-connected'));
    }
    const failure = refusal?.failure;
    if (
      !requestSession(res).accessToken ||
      (failure?.kind === 'unauthenticated' && !(await stillSignedIn(res)))
    ) {
      clearSessionCookies(res, config);
      return res.redirect(303, signInUrl('/account'));
    }
    // The step-up window closed while the person was at Google: confirm, then connect again.
    if (failure?.kind === 'reauthentication-required') {
      const intent = { action: 'connect-google' } as const;
      return renderReauthenticatePage(deps, req, res, intent, { status: 403 });
    }
    const status = failure?.kind === 'conflict' ? 409 : failure?.kind === 'bad-input' ? 400 : 403;
    const message = failure?.message ?? GOOGLE_CONNECT_FAILED;
    await renderAccountPage(
      deps,
      req,
      res,
      { form: 'google', error: message, fields: {}, newEmail: '' },
      { status },
    );
  }

  return router;
}
