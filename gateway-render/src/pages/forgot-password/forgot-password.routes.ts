import type { Request, Response } from 'express';
import { Router } from 'express';
import { RequestPasswordResetDocument } from '../../__generated__/graphql';
import { apiClientFor, runMutation } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { rateLimitedPage } from '../../shared/error-pages';
import type { ForgotPasswordFormState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';
import { bodyText } from '../../shared/request-body';

async function renderForgotPasswordPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: ForgotPasswordFormState,
  status = 200,
): Promise<void> {
  await renderViewerPage(deps.config, req, res, {
    page: { name: 'forgot-password', variables: {}, form, here: '/forgot-password' },
    title: 'Forgot password',
    status,
  });
}

/** `/forgot-password`: the form, and its post asking the API to mail a reset link. */
export function forgotPasswordRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/forgot-password', async (req, res) => {
    await renderForgotPasswordPage(deps, req, res, { email: '', sent: false, fields: {} });
  });

  router.post('/forgot-password', async (req, res) => {
    const email = bodyText(req, 'email').trim();
    try {
      const client = apiClientFor(deps.config, res, { anonymous: true });
      await runMutation(client, RequestPasswordResetDocument, { email });
    } catch (error) {
      const failure = classifyApiError(error);
      if (failure.kind === 'bad-input') {
        const fields = failure.fields.email ? failure.fields : { email: [failure.message] };
        return renderForgotPasswordPage(deps, req, res, { email, sent: false, fields }, 400);
      }
      if (failure.kind === 'rate-limited') {
        const page = rateLimitedPage(failure.retryAfter);
        res.set('Retry-After', String(failure.retryAfter));
        const form = { email, sent: false, fields: {}, error: page.message };
        return renderForgotPasswordPage(deps, req, res, form, 429);
      }
      throw new ApiFailureError(failure);
    }
    // The same answer for every address: whether an account exists stays unknown here.
    await renderForgotPasswordPage(deps, req, res, { email: '', sent: true, fields: {} });
  });

  return router;
}
