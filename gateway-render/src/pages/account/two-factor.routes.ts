import { Router } from 'express';
import { ConfirmTotpEnrollmentDocument } from '../../__generated__/graphql';
import { apiClientFor, runMutation } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { ERROR_PAGES, rateLimitedPage } from '../../shared/error-pages';
import { bodyOf, bodyText } from '../../shared/request-body';
import type { RouteDeps } from '../../shared/route-deps';
import { performStepUp } from './account-actions';
import { requireSignedIn } from './account-responses';
import {
  renderRecoveryCodes,
  renderTwoFactorSetup,
  setupFromFields,
  setupState,
} from './two-factor-render';

/**
 * Two-factor codes on `/account`, all plain forms: start (the QR code and the key), confirm with
 * the app's first code (the recovery codes, shown once), turn off, new recovery codes, and
 * whether a Google sign-in asks for a code too. Every change but the confirmation needs a
 * recent sign-in (performStepUp); the confirmation needs the secret's code, which is proof.
 */
export function twoFactorRoutes(deps: RouteDeps): Router {
  const { config } = deps;
  const router = Router();

  router.post('/account/two-factor/start', (req, res, next) =>
    performStepUp(deps, req, res, next, { action: 'start-two-factor' }),
  );

  router.post('/account/two-factor/confirm', async (req, res) => {
    requireSignedIn(res);
    // The set-up page's key and deadline, to show it again after a wrong code (the API keeps
    // the secret; the QR code was scanned already). Never sent to the API.
    const shown = setupFromFields(bodyOf(req));
    let codes: string[];
    try {
      const data = await runMutation(apiClientFor(config, res), ConfirmTotpEnrollmentDocument, {
        code: bodyText(req, 'code').replace(/\s+/g, ''),
      });
      codes = [...data.confirmTotpEnrollment.codes];
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind === 'rate-limited') {
        res.set('Retry-After', String(failure.retryAfter));
      } else if (failure.kind !== 'bad-input') {
        throw new ApiFailureError(failure);
      }
      if (!shown) {
        throw new ApiFailureError({
          kind: 'bad-input',
          message: ERROR_PAGES.badRequest.message,
          fields: {},
        });
      }
      const messages =
        failure.kind === 'rate-limited'
          ? { error: rateLimitedPage(failure.retryAfter).message }
          : Object.keys(failure.fields).length > 0
            ? { fields: failure.fields }
            : { error: failure.message };
      const status = failure.kind === 'rate-limited' ? 429 : 400;
      return renderTwoFactorSetup(deps, req, res, setupState(shown, messages), status);
    }
    return renderRecoveryCodes(deps, req, res, { codes, reason: 'enabled' });
  });

  router.post('/account/two-factor/disable', (req, res, next) =>
    performStepUp(deps, req, res, next, { action: 'disable-two-factor' }),
  );

  router.post('/account/two-factor/recovery-codes', (req, res, next) =>
    performStepUp(deps, req, res, next, { action: 'new-recovery-codes' }),
  );

  router.post('/account/two-factor/providers', (req, res, next) =>
    performStepUp(deps, req, res, next, {
      action: 'two-factor-for-providers',
      required: bodyText(req, 'required') === 'true',
    }),
  );

  return router;
}
