import type { Request, Response } from 'express';
import { Router } from 'express';
import { ResetPasswordDocument } from '../../__generated__/graphql';
import { endBrowserSession } from '../../auth/sign-out.service';
import { INVALID_LINK, linkProblemOf, readLinkToken } from '../../shared/account-link';
import { apiClientFor, runMutation } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { withNotice } from '../../shared/notices';
import type { ResetPasswordFormState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
import { bodyOf, bodyText } from '../../shared/request-body';
import type { RouteDeps } from '../../shared/route-deps';

async function renderResetPasswordPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: ResetPasswordFormState,
  status = 200,
): Promise<void> {
  await renderViewerPage(deps.config, req, res, {
    // `here` never holds the token: the page's other forms come back to the account page.
    page: { name: 'reset-password', variables: {}, form, here: '/account' },
    title: 'Choose a new password',
    status,
  });
}

/** `/reset-password`: the mailed link's form (GET spends nothing) and its post (`resetPassword`). */
export function resetPasswordRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/reset-password', async (req, res) => {
    const token = readLinkToken(req.query.token);
    if (!token) {
      const form = { token: '', fields: {}, linkProblem: INVALID_LINK };
      return renderResetPasswordPage(deps, req, res, form, 400);
    }
    await renderResetPasswordPage(deps, req, res, { token, fields: {} });
  });

  router.post('/reset-password', async (req, res) => {
    const token = readLinkToken(bodyOf(req).token);
    if (!token) {
      const form = { token: '', fields: {}, linkProblem: INVALID_LINK };
      return renderResetPasswordPage(deps, req, res, form, 400);
    }
    try {
      const client = apiClientFor(deps.config, res, { anonymous: true });
      await runMutation(client, ResetPasswordDocument, {
        token,
        newPassword: bodyText(req, 'newPassword'),
      });
    } catch (error) {
      const failure = classifyApiError(error);
      const linkProblem = linkProblemOf(failure);
      if (linkProblem) {
        return renderResetPasswordPage(deps, req, res, { token: '', fields: {}, linkProblem }, 400);
      }
      if (failure.kind === 'bad-input') {
        // A weak password: the form again, the token kept (the API did not spend it).
        const fields = failure.fields.newPassword
          ? failure.fields
          : { newPassword: [failure.message] };
        return renderResetPasswordPage(deps, req, res, { token, fields }, 400);
      }
      throw new ApiFailureError(failure);
    }
    // Every session of that account ended; whoever this browser was signed in as is signed
    // out too, so the next sign-in is with the new password.
    await endBrowserSession(deps.config, req, res);
    res.redirect(303, withNotice('/sign-in', 'password-reset'));
  });

  return router;
}
