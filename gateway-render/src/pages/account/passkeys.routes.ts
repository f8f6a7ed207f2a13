import type { Request, Response } from 'express';
import { Router } from 'express';
import {
  PasskeyRegistrationOptionsDocument,
  RegisterPasskeyDocument,
  RenamePasskeyDocument,
} from '../../__generated__/graphql';
import { apiClientFor, runMutation } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { ERROR_PAGES, rateLimitedPage, sendErrorPage } from '../../shared/error-pages';
import { bodyOf, bodyText } from '../../shared/request-body';
import type { RouteDeps } from '../../shared/route-deps';
import { askToReauthenticate } from '../reauthenticate/reauthenticate-render';
import { performStepUp } from './account-actions';
import { accountUrl, refuseForm, requireSignedIn } from './account-responses';
import { PASSKEY_ID } from './step-up-intent';

/** The passkey id of a route, or a 404 for anything that cannot be one. */
function passkeyIdOf(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !PASSKEY_ID.test(id)) {
    throw new ApiFailureError({ kind: 'not-found', message: 'No such passkey' });
  }
  return id;
}

/** A refusal the script shows next to the button: the API's message, with its status. */
function refuseJson(req: Request, res: Response, error: unknown): void {
  const failure = classifyApiError(error);
  switch (failure.kind) {
    case 'bad-input':
    case 'conflict':
      res.status(failure.kind === 'conflict' ? 409 : 400).json({
        error: {
          code: failure.kind === 'conflict' ? 'CONFLICT' : 'BAD_USER_INPUT',
          message: failure.message,
          ...(failure.kind === 'bad-input' ? { fields: failure.fields } : {}),
        },
      });
      return;
    case 'rate-limited':
      return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter), true);
    default:
      throw new ApiFailureError(failure);
  }
}

/**
 * Passkeys on `/account`. Adding one is a WebAuthn ceremony, so it is JSON for the page
 * script only (options, then the browser's response); renaming and removing are plain forms
 * that work without JavaScript. Removing needs a recent sign-in (performStepUp); so do the
 * registration options, so a stolen session cannot add its own passkey.
 */
export function passkeyRoutes(deps: RouteDeps): Router {
  const { config } = deps;
  const router = Router();

  router.post('/account/passkeys/options', async (req, res) => {
    requireSignedIn(res);
    if (!req.is('application/json')) {
      return sendErrorPage(req, res, ERROR_PAGES.badRequest);
    }
    let options: unknown;
    try {
      options = (
        await runMutation(apiClientFor(config, res), PasskeyRegistrationOptionsDocument, {})
      ).passkeyRegistrationOptions;
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind === 'reauthentication-required') {
        return askToReauthenticate(deps, req, res, { action: 'add-passkey' }, failure);
      }
      return refuseJson(req, res, error);
    }
    res.set('Cache-Control', 'no-store').json({ options });
  });

  router.post('/account/passkeys', async (req, res) => {
    requireSignedIn(res);
    const body = bodyOf(req);
    const response = body.response;
    if (
      !req.is('application/json') ||
      typeof response !== 'object' ||
      response === null ||
      Array.isArray(response)
    ) {
      return sendErrorPage(req, res, ERROR_PAGES.badRequest, true);
    }
    // The API checks the name (its length too) and says what is wrong.
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    try {
      const data = await runMutation(apiClientFor(config, res), RegisterPasskeyDocument, {
        response,
        ...(name ? { name } : {}),
      });
      const passkey = data.registerPasskey;
      res.status(201).json({
        passkey: { id: passkey.id, name: passkey.name },
        redirect: accountUrl('passkey-added', 'passkeys'),
      });
    } catch (error) {
      return refuseJson(req, res, error);
    }
  });

  router.post('/account/passkeys/:id/rename', async (req, res) => {
    const id = passkeyIdOf(req);
    requireSignedIn(res);
    try {
      await runMutation(apiClientFor(config, res), RenamePasskeyDocument, {
        id,
        name: bodyText(req, 'name').trim(),
      });
    } catch (error) {
      return refuseForm(deps, req, res, 'passkeys', error);
    }
    res.redirect(303, accountUrl('passkey-renamed', 'passkeys'));
  });

  router.post('/account/passkeys/:id/remove', (req, res, next) =>
    performStepUp(deps, req, res, next, { action: 'remove-passkey', passkeyId: passkeyIdOf(req) }),
  );

  return router;
}
