import type { Request, Response } from 'express';
import { Router } from 'express';
import {
  PasskeyReauthenticationOptionsDocument,
  ReauthenticateDocument,
  ViewerDocument,
} from '../../__generated__/graphql';
import type { ReauthenticateInput } from '../../__generated__/graphql';
import { apiClientFor, runMutation, runQuery } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { ERROR_PAGES, rateLimitedPage, sendErrorPage } from '../../shared/error-pages';
import { bodyOf } from '../../shared/request-body';
import type { RouteDeps } from '../../shared/route-deps';
import { performStepUp } from '../account/account-actions';
import { requireSignedIn } from '../account/account-responses';
import { intentFromFields, sectionOf } from '../account/step-up-intent';
import { renderReauthenticatePage } from './reauthenticate-render';

/** The one way of re-authenticating a form post carries (each method is its own form). */
function reauthenticateInput(body: Record<string, unknown>): ReauthenticateInput | null {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  if (text('password')) return { password: text('password') };
  if (text('code').trim()) return { code: text('code').replace(/\s+/g, '') };
  if (text('recoveryCode').trim()) return { recoveryCode: text('recoveryCode').trim() };
  // The page script puts the browser's passkey response in a hidden field as JSON (a form
  // post); a script may send it as an object.
  const passkey = body.passkeyResponse;
  if (typeof passkey === 'object' && passkey !== null && !Array.isArray(passkey)) {
    return { passkeyResponse: passkey };
  }
  if (typeof passkey === 'string' && passkey) {
    try {
      const parsed: unknown = JSON.parse(passkey);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return { passkeyResponse: parsed };
      }
    } catch {
      // not JSON: no passkey response
    }
  }
  return null;
}

/** Whether the API still accepts this browser's session (a refused factor is not a sign-out). */
async function stillSignedIn(deps: RouteDeps, res: Response): Promise<boolean> {
  try {
    return (await runQuery(apiClientFor(deps.config, res), ViewerDocument, {})).me !== null;
  } catch (error) {
    if (classifyApiError(error).kind === 'unauthenticated') return false;
    throw error;
  }
}

/**
 * "Confirm it is you": `GET /account/reauthenticate?action=…` (where a script sends the person
 * when the API wants a recent sign-in), its form posts (a password, a two-factor or recovery
 * code, or a passkey's response) and the passkey's options for the page script. A confirmed
 * post makes the change it was asked for right away (performStepUp), so the person is back
 * where they were, one step further.
 */
export function reauthenticateRoutes(deps: RouteDeps): Router {
  const { config } = deps;
  const router = Router();

  router.get('/account/reauthenticate', async (req, res) => {
    requireSignedIn(res);
    const intent = intentFromFields(req.query);
    if (!intent) throw new ApiFailureError({ kind: 'not-found', message: 'No such change' });
    // Only this site sends people here (a refused change). A link from elsewhere (a mail, a page
    // saying "confirm it is you") would have the person confirm a change someone else chose:
    // it lands on the account page instead. Typed or bookmarked URLs (`none`) are the person's own.
    const site = req.get('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return res.redirect(303, `/account#${sectionOf(intent)}`);
    }
    await renderReauthenticatePage(deps, req, res, intent);
  });

  router.post('/account/reauthenticate/passkey-options', async (_req, res) => {
    requireSignedIn(res);
    const data = await runMutation(
      apiClientFor(config, res),
      PasskeyReauthenticationOptionsDocument,
      {},
    );
    res.set('Cache-Control', 'no-store').json({ options: data.passkeyReauthenticationOptions });
  });

  router.post('/account/reauthenticate', async (req: Request, res: Response, next) => {
    requireSignedIn(res);
    const body = bodyOf(req);
    const intent = intentFromFields(body);
    if (!intent) return sendErrorPage(req, res, ERROR_PAGES.badRequest);
    const input = reauthenticateInput(body);
    if (!input) {
      return renderReauthenticatePage(deps, req, res, intent, {
        status: 400,
        error: 'Enter your password or a code, or use a passkey.',
      });
    }
    try {
      await runMutation(apiClientFor(config, res), ReauthenticateDocument, { input });
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind === 'rate-limited') {
        res.set('Retry-After', String(failure.retryAfter));
        return renderReauthenticatePage(deps, req, res, intent, {
          status: 429,
          error: rateLimitedPage(failure.retryAfter).message,
        });
      }
      if (failure.kind === 'bad-input') {
        const fields = failure.fields;
        return renderReauthenticatePage(deps, req, res, intent, {
          status: 400,
          fields,
          ...(Object.keys(fields).length === 0 ? { error: failure.message } : {}),
        });
      }
      // A refused passkey or password may come as UNAUTHENTICATED: only a session the API no
      // longer accepts signs the person out.
      if (failure.kind === 'unauthenticated' && (await stillSignedIn(deps, res))) {
        return renderReauthenticatePage(deps, req, res, intent, {
          status: 400,
          error: failure.message,
        });
      }
      throw new ApiFailureError(failure);
    }
    return performStepUp(deps, req, res, next, intent);
  });

  return router;
}
