import type { Request, Response } from 'express';
import { ReauthenticatePageDocument } from '../../__generated__/graphql';
import { apiClientFor, runQuery } from '../../shared/api-call';
import type { FieldErrors } from '../../shared/api-errors';
import type { StepUpIntent } from '../../shared/page-props';
import { isJsonClient, renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';
import { reauthenticateUrl } from '../account/step-up-intent';

/** Options of {@link renderReauthenticatePage}. */
export interface ReauthenticatePageOptions {
  status?: number;
  error?: string;
  fields?: FieldErrors;
}

/**
 * "Confirm it is you" for `intent`: the forms for each way the account can re-authenticate
 * (from the API, so a password form only for an account with a password), each carrying the
 * intent in hidden inputs. Shown in place of a change the API refused with
 * REAUTHENTICATION_REQUIRED, and by `GET /account/reauthenticate`.
 */
export async function renderReauthenticatePage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  intent: StepUpIntent,
  options: ReauthenticatePageOptions = {},
): Promise<void> {
  const data = await runQuery(apiClientFor(deps.config, res), ReauthenticatePageDocument, {});
  await renderPage(req, res, {
    data,
    page: {
      name: 'reauthenticate',
      variables: {},
      form: {
        intent,
        methods: [...data.accountSecurity.reauthenticationMethods],
        fields: options.fields ?? {},
        ...(options.error ? { error: options.error } : {}),
      },
      here: '/account',
    },
    title: 'Confirm it is you',
    status: options.status,
  });
}

/**
 * Answers a change the API refused with REAUTHENTICATION_REQUIRED: a script gets a 403 naming
 * the page to send the person to; a form post gets that page itself (403), so the person
 * confirms it is them on the spot and the change is made right after.
 */
export async function askToReauthenticate(
  deps: RouteDeps,
  req: Request,
  res: Response,
  intent: StepUpIntent,
  failure: { message: string; methods: string[] },
): Promise<void> {
  if (isJsonClient(req)) {
    res.status(403).json({
      error: {
        code: 'REAUTHENTICATION_REQUIRED',
        message: failure.message,
        methods: failure.methods,
        redirect: reauthenticateUrl(intent),
      },
    });
    return;
  }
  await renderReauthenticatePage(deps, req, res, intent, { status: 403 });
}
