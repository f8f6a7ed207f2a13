import type { NextFunction, Request, Response } from 'express';
import {
  DisableTotpDocument,
  DisconnectProviderDocument,
  ReauthenticatePageDocument,
  RegenerateRecoveryCodesDocument,
  RemovePasskeyDocument,
  RevokeOtherSessionsDocument,
  SetTwoFactorForProvidersDocument,
  StartTotpEnrollmentDocument,
} from '../../__generated__/graphql';
import { authenticateWithGoogle } from '../../auth/google.strategy';
import { accessTokenViewer } from '../../auth/refresh';
import { requestSession } from '../../auth/request-session';
import { apiClientFor, runMutation, runQuery } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import type { StepUpIntent } from '../../shared/page-props';
import type { RouteDeps } from '../../shared/route-deps';
import { askToReauthenticate } from '../reauthenticate/reauthenticate-render';
import { accountUrl, refuseForm, requireSignedIn } from './account-responses';
import { renderRecoveryCodes, renderTwoFactorSetup, setupState } from './two-factor-render';

/**
 * How long the re-authentication must still last when the Google flow starts: `connectProvider`
 * runs only at its callback, after the person went through Google's pages.
 */
const GOOGLE_ROUND_TRIP_MS = 2 * 60 * 1000;

/** What one change needs to run and answer. */
interface ActionContext {
  deps: RouteDeps;
  req: Request;
  res: Response;
  next: NextFunction;
}

/**
 * The change itself: its API call and its answer (a redirect with a notice, or a page). A
 * REAUTHENTICATION_REQUIRED failure is thrown for {@link performStepUp}; the form's own
 * refusals (CONFLICT, BAD_USER_INPUT) show the account page again.
 */
async function runAction(context: ActionContext, intent: StepUpIntent): Promise<void> {
  const { deps, req, res, next } = context;
  const client = () => apiClientFor(deps.config, res);
  switch (intent.action) {
    case 'add-passkey':
      // The ceremony runs in the browser: back to the button, which now works.
      return res.redirect(303, accountUrl('reauthenticated', 'passkeys'));
    case 'remove-passkey': {
      const data = await runMutation(client(), RemovePasskeyDocument, { id: intent.passkeyId });
      // false: not (or no longer) one of this account's passkeys.
      if (!data.removePasskey) {
        throw new ApiFailureError({ kind: 'not-found', message: 'No such passkey' });
      }
      return res.redirect(303, accountUrl('passkey-removed', 'passkeys'));
    }
    case 'start-two-factor': {
      let enrollment;
      try {
        enrollment = (await runMutation(client(), StartTotpEnrollmentDocument, {}))
          .startTotpEnrollment;
      } catch (error) {
        return refuseForm(deps, req, res, 'two-factor', error);
      }
      return renderTwoFactorSetup(deps, req, res, setupState(enrollment));
    }
    case 'disable-two-factor':
      await runMutation(client(), DisableTotpDocument, {});
      return res.redirect(303, accountUrl('two-factor-off', 'two-factor'));
    case 'new-recovery-codes': {
      let codes: string[];
      try {
        codes = [
          ...(await runMutation(client(), RegenerateRecoveryCodesDocument, {}))
            .regenerateRecoveryCodes.codes,
        ];
      } catch (error) {
        return refuseForm(deps, req, res, 'two-factor', error);
      }
      return renderRecoveryCodes(deps, req, res, { codes, reason: 'regenerated' });
    }
    case 'two-factor-for-providers': {
      try {
        await runMutation(client(), SetTwoFactorForProvidersDocument, {
          required: intent.required,
        });
      } catch (error) {
        return refuseForm(deps, req, res, 'two-factor', error);
      }
      const notice = intent.required ? 'two-factor-providers-on' : 'two-factor-providers-off';
      return res.redirect(303, accountUrl(notice, 'two-factor'));
    }
    case 'connect-google': {
      if (!deps.config.google) return next(); // not configured: 404
      // connectProvider runs at Google's callback: ask now, not after Google's pages.
      const security = (await runQuery(client(), ReauthenticatePageDocument, {})).accountSecurity;
      const until = security.reauthenticatedUntil ? Date.parse(security.reauthenticatedUntil) : 0;
      if (!(until - Date.now() >= GOOGLE_ROUND_TRIP_MS)) {
        throw new ApiFailureError({
          kind: 'reauthentication-required',
          message: 'Confirm it is you to connect your Google account',
          methods: [...security.reauthenticationMethods],
        });
      }
      const viewer = accessTokenViewer(requestSession(res).accessToken);
      return authenticateWithGoogle(deps.passport, req, res, next, {
        returnTo: '/account',
        rememberMe: false,
        intent: 'connect',
        ...(viewer ? { userId: viewer.id } : {}),
      });
    }
    case 'disconnect-google':
      try {
        await runMutation(client(), DisconnectProviderDocument, { provider: 'GOOGLE' });
      } catch (error) {
        return refuseForm(deps, req, res, 'google', error);
      }
      return res.redirect(303, accountUrl('google-disconnected'));
    case 'revoke-other-sessions': {
      const data = await runMutation(client(), RevokeOtherSessionsDocument, {});
      const count = String(data.revokeOtherSessions);
      return res.redirect(303, accountUrl('sessions-revoked', undefined, { count }));
    }
  }
}

/**
 * Makes a change that needs a recent sign-in event. When the API asks for one
 * (REAUTHENTICATION_REQUIRED), the person is asked on the spot: the answer is the
 * re-authentication page carrying this intent, whose post makes the change right after.
 */
export async function performStepUp(
  deps: RouteDeps,
  req: Request,
  res: Response,
  next: NextFunction,
  intent: StepUpIntent,
): Promise<void> {
  requireSignedIn(res);
  try {
    await runAction({ deps, req, res, next }, intent);
  } catch (error) {
    const failure = classifyApiError(error);
    if (failure.kind !== 'reauthentication-required') throw error;
    await askToReauthenticate(deps, req, res, intent, failure);
  }
}
