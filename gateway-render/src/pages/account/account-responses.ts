import type { Request, Response } from 'express';
import { AccountPageDocument } from '../../__generated__/graphql';
import { requestSession } from '../../auth/request-session';
import { apiClientFor, runQuery } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import type { ApiFailure } from '../../shared/api-errors';
import { rateLimitedPage } from '../../shared/error-pages';
import { isFactorChangeNotice, withNotice } from '../../shared/notices';
import type { NoticeKey } from '../../shared/notices';
import type { AccountFormName, AccountFormState } from '../../shared/page-props';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';

/** The account page with no form's messages. */
export const NO_FORM: AccountFormState = { form: null, fields: {}, newEmail: '' };

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
      // Only the GET after a factor change's redirect: a form shown again is about that form.
      ...(req.method === 'GET' && isFactorChangeNotice(req.query)
        ? { offerSignOutElsewhere: true }
        : {}),
      ...(options.notice ? { notice: options.notice } : {}),
    },
    title: 'Your account',
    status: options.status,
  });
}

/** Anonymous visitors go to sign in and come back (the error handler redirects). */
export function requireSignedIn(res: Response): void {
  if (!requestSession(res).accessToken) {
    throw new ApiFailureError({ kind: 'unauthenticated', message: 'Please sign in' });
  }
}

/** `/account?notice=<key>#<section>`: back to the section the change was made in. */
export function accountUrl(
  notice: NoticeKey,
  section?: string,
  extra: Record<string, string> = {},
): string {
  const path = withNotice('/account', notice, extra);
  return section ? `${path}#${section}` : path;
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
 * API down, a re-authentication to ask for) is rethrown for the caller or the error handler.
 */
export async function refuseForm(
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
    state.error =
      Object.keys(failure.fields).length > 0
        ? 'Please correct the marked fields.'
        : failure.message;
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
