import type { Request, Response } from 'express';
import { Router } from 'express';
import {
  AccountPageDocument,
  ChangeEmailDocument,
  ChangePasswordDocument,
  DisconnectProviderDocument,
  RequestEmailVerificationDocument,
  RevokeOtherSessionsDocument,
  RevokeSessionDocument,
} from '../../__generated__/graphql';
import type { AuthPayloadFieldsFragment } from '../../__generated__/graphql';
import { clearSessionCookies, setSessionCookies } from '../../auth/cookies';
import { authenticateWithGoogle } from '../../auth/google.strategy';
import { accessTokenSessionId, accessTokenViewer } from '../../auth/refresh';
import { requestSession } from '../../auth/request-session';
import { apiClientFor, runMutation, runQuery } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import type { ApiFailure } from '../../shared/api-errors';
import { rateLimitedPage, sendErrorPage } from '../../shared/error-pages';
import { withNotice } from '../../shared/notices';
import type { AccountFormName, AccountFormState } from '../../shared/page-props';
import { isJsonClient, renderPage } from '../../shared/render-page';
import { bodyOf, bodyText } from '../../shared/request-body';
import { safeReturnTo } from '../../shared/return-to';
import type { RouteDeps } from '../../shared/route-deps';

/** Session ids are the API's ObjectIds; anything else is no session of anyone's. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

const NO_FORM: AccountFormState = { form: null, fields: {}, newEmail: '' };

/** Options of {@link renderAccountPage}. */
export interface AccountPageOptions {
  status?: number;
  /** A message the route composed (it may name an address, so it cannot be a `?notice=`). */
  notice?: string;
}

/**
 * Renders `/account` (also from a refused form's post, or Google's callback, with the form's
 * messages). The page's forms always come back to `/account`, never to the URL it was shown at.
 */
export async function renderAccountPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: AccountFormState = NO_FORM,
  options: AccountPageOptions = {},
): Promise<void> {
  const client = apiClientFor(deps.config, res);
  const data = await runQuery(client, AccountPageDocument, {});
  await renderPage(req, res, {
    data,
    page: {
      name: 'account',
      variables: {},
      form,
      google: deps.config.google !== null,
      here: '/account',
      ...(options.notice ? { notice: options.notice } : {}),
    },
    title: 'Your account',
    status: options.status,
  });
}

/** Anonymous visitors go to sign in and come back (the error handler redirects). */
function requireSignedIn(res: Response): void {
  if (!requestSession(res).accessToken) {
    throw new ApiFailureError({ kind: 'unauthenticated', message: 'Please sign in' });
  }
}

/** The status a refused account form is shown again with. */
function statusOf(failure: ApiFailure): number {
  switch (failure.kind) {
    case 'bad-input':
      return 400;
    case 'conflict':
      return 409;
    case 'rate-limited':
      return 429;
    default:
      return 403;
  }
}

/**
 * Shows the account page again for a refused form: its field messages (BAD_USER_INPUT), or
 * one message (CONFLICT, RATE_LIMITED with the wait). Anything else (the session gone, the
 * API down) is the error handler's.
 */
async function refuseForm(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: AccountFormName,
  error: unknown,
  extra: { newEmail?: string; conflictField?: string } = {},
): Promise<void> {
  const failure = classifyApiError(error);
  const state: AccountFormState = { form, fields: {}, newEmail: extra.newEmail ?? '' };
  if (failure.kind === 'bad-input') {
    state.fields = failure.fields;
    state.error = 'Please correct the marked fields.';
  } else if (failure.kind === 'conflict') {
    if (extra.conflictField) state.fields = { [extra.conflictField]: [failure.message] };
    state.error = failure.message;
  } else if (failure.kind === 'rate-limited') {
    res.set('Retry-After', String(failure.retryAfter));
    state.error = rateLimitedPage(failure.retryAfter).message;
  } else {
    throw new ApiFailureError(failure);
  }
  await renderAccountPage(deps, req, res, state, { status: statusOf(failure) });
}

/**
 * The signed-in person's account: the page, the "Resend the link" banner's post, password and
 * e-mail changes, Google connect/disconnect and the signed-in devices. All are signed-in only
 * and, being posts, CSRF-checked by the same-origin middleware.
 */
export function accountRoutes(deps: RouteDeps): Router {
  const { config, passport } = deps;
  const router = Router();

  router.get('/account', async (req, res) => {
    requireSignedIn(res);
    await renderAccountPage(deps, req, res);
  });

  router.post('/account/verification', async (req, res) => {
    requireSignedIn(res);
    const json = isJsonClient(req);
    let sent: boolean;
    try {
      const data = await runMutation(
        apiClientFor(config, res),
        RequestEmailVerificationDocument,
        {},
      );
      sent = data.requestEmailVerification;
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind !== 'rate-limited') throw new ApiFailureError(failure);
      return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter), json);
    }
    if (json) return void res.json({ sent });
    const back = safeReturnTo(bodyOf(req).returnTo, '/account');
    res.redirect(303, withNotice(back, sent ? 'verification-sent' : 'already-verified'));
  });

  router.post('/account/password', async (req, res) => {
    requireSignedIn(res);
    let payload: AuthPayloadFieldsFragment;
    try {
      const data = await runMutation(apiClientFor(config, res), ChangePasswordDocument, {
        currentPassword: bodyText(req, 'currentPassword'),
        newPassword: bodyText(req, 'newPassword'),
      });
      payload = data.changePassword;
    } catch (error) {
      return refuseForm(deps, req, res, 'password', error);
    }
    // Every session ended, this one too: the new tokens are this browser's new session.
    setSessionCookies(res, config, payload, requestSession(res).rememberMe);
    res.redirect(303, withNotice('/account', 'password-changed'));
  });

  router.post('/account/email', async (req, res) => {
    requireSignedIn(res);
    const newEmail = bodyText(req, 'newEmail').trim();
    try {
      await runMutation(apiClientFor(config, res), ChangeEmailDocument, {
        newEmail,
        currentPassword: bodyText(req, 'currentPassword'),
      });
    } catch (error) {
      return refuseForm(deps, req, res, 'email', error, { newEmail, conflictField: 'newEmail' });
    }
    // Shown, not redirected: the message names the new address, which a URL must not carry.
    await renderAccountPage(deps, req, res, NO_FORM, {
      notice: `We sent a link to ${newEmail}; your address changes when you open it.`,
    });
  });

  router.post('/account/google/connect', (req, res, next) => {
    if (!config.google) return next(); // not configured: 404
    requireSignedIn(res);
    const viewer = accessTokenViewer(requestSession(res).accessToken);
    authenticateWithGoogle(passport, req, res, next, {
      returnTo: '/account',
      rememberMe: false,
      intent: 'connect',
      ...(viewer ? { userId: viewer.id } : {}),
    });
  });

  router.post('/account/google/disconnect', async (req, res) => {
    requireSignedIn(res);
    try {
      await runMutation(apiClientFor(config, res), DisconnectProviderDocument, {
        provider: 'GOOGLE',
      });
    } catch (error) {
      return refuseForm(deps, req, res, 'google', error);
    }
    res.redirect(303, withNotice('/account', 'google-disconnected'));
  });

  router.post('/account/sessions/revoke-others', async (_req, res) => {
    requireSignedIn(res);
    const data = await runMutation(apiClientFor(config, res), RevokeOtherSessionsDocument, {});
    const count = String(data.revokeOtherSessions);
    res.redirect(303, withNotice('/account', 'sessions-revoked', { count }));
  });

  router.post('/account/sessions/:id/revoke', async (req, res) => {
    const id = req.params.id;
    if (!SESSION_ID.test(id)) {
      throw new ApiFailureError({ kind: 'not-found', message: 'No such session' });
    }
    requireSignedIn(res);
    const { accessToken } = requestSession(res);
    const data = await runMutation(apiClientFor(config, res), RevokeSessionDocument, { id });
    // This browser's own session: that is signing out here.
    if (id === accessTokenSessionId(accessToken)) {
      clearSessionCookies(res, config);
      return res.redirect(303, '/');
    }
    res.redirect(
      303,
      withNotice('/account', data.revokeSession ? 'session-revoked' : 'session-gone'),
    );
  });

  return router;
}
