import type { Request, Response } from 'express';
import { Router } from 'express';
import { ViewerDocument } from '../../__generated__/graphql';
import { apiClientFor, runQuery } from '../../shared/api-call';
import type { SignUpFormState } from '../../shared/page-props';
import { renderPage } from '../../shared/render-page';
import { safeReturnTo } from '../../shared/return-to';
import type { RouteDeps } from '../../shared/route-deps';

/** Renders the sign-up page (also the form shown again with the API's field messages). */
export async function renderSignUpPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: SignUpFormState,
  status = 200,
): Promise<void> {
  const client = apiClientFor(deps.config, res);
  const data = await runQuery(client, ViewerDocument, {});
  await renderPage(req, res, {
    client,
    page: { name: 'sign-up', variables: {}, form },
    title: 'Sign up',
    data,
    status,
  });
}

export function signUpRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/sign-up', async (req, res) => {
    await renderSignUpPage(deps, req, res, {
      name: '',
      email: '',
      returnTo: safeReturnTo(req.query.returnTo),
      fields: {},
    });
  });
  return router;
}
