import { Router } from 'express';
import {
  ChangeEmailDocument,
  ChangePasswordDocument,
  RequestEmailVerificationDocument,
  RevokeSessionDocument,
} from '../../__generated__/graphql';
import type { AuthPayloadFieldsFragment } from '../../__generated__/graphql';
import { clearSessionCookies, setSessionCookies } from '../../auth/cookies';
import { accessTokenSessionId } from '../../auth/refresh';
import { requestSession } from '../../auth/request-session';
import { apiClientFor, runMutation } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { rateLimitedPage, sendErrorPage } from '../../shared/error-pages';
import { withNotice } from '../../shared/notices';
import { isJsonClient } from '../../shared/render-page';
import { bodyOf, bodyText } from '../../shared/request-body';
import { safeReturnTo } from '../../shared/return-to';
import type { RouteDeps } from '../../shared/route-deps';
import { reauthenticateRoutes } from '../reauthenticate/reauthenticate.routes';
import { performStepUp } from './account-actions';
import { NO_FORM, refuseForm, renderAccountPage, requireSignedIn } from './account-responses';
import { passkeyRoutes } from './passkeys.routes';
import { twoFactorRoutes } from './two-factor.routes';

export { renderAccountPage } from './account-responses';
export type { AccountPageOptions } from './account-responses';

/** Session ids are the API's ObjectIds; anything else is no session of anyone's. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The signed-in person's account: the page, the "Resend the link" banner's post, password and
 * e-mail changes, Google connect/disconnect, the signed-in devices, and (in their own routers)
 * passkeys, two-factor and re-authentication. All are signed-in only
 * and, being posts, CSRF-checked by the same-origin middleware.
 */
export function accountRoutes(deps: RouteDeps): Router {
  const { config } = deps;
  const router = Router();
  router.use(passkeyRoutes(deps));
  router.use(twoFactorRoutes(deps));
  router.use(reauthenticateRoutes(deps));

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

  // Connecting or disconnecting Google and signing out every other device need a recent
  // sign-in event: performStepUp asks for one on the spot when the API wants it.
  router.post('/account/google/connect', (req, res, next) => {
    if (!config.google) return next(); // not configured: 404
    return performStepUp(deps, req, res, next, { action: 'connect-google' });
  });

  router.post('/account/google/disconnect', (req, res, next) =>
    performStepUp(deps, req, res, next, { action: 'disconnect-google' }),
  );

  router.post('/account/sessions/revoke-others', (req, res, next) =>
    performStepUp(deps, req, res, next, { action: 'revoke-other-sessions' }),
  );

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
