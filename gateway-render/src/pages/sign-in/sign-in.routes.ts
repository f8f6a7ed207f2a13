import type { Request, Response } from 'express';
import { Router } from 'express';
import { ViewerDocument } from '../../__generated__/graphql';
import { apiClientFor, runQuery } from '../../shared/api-call';
import type { SignInFormState } from '../../shared/page-props';
import { renderPage } from '../../shared/render-page';
import { safeReturnTo } from '../../shared/return-to';
import type { RouteDeps } from '../../shared/route-deps';

/** Renders the sign-in page (also the form shown again after a refused sign-in). */
export async function renderSignInPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: SignInFormState,
  status = 200,
): Promise<void> {
  const client = apiClientFor(deps.config, res);
  const data = await runQuery(client, ViewerDocument, {});
  await renderPage(req, res, {
    client,
    page: { name: 'sign-in', variables: {}, form, google: deps.config.google !== null },
    title: 'Sign in',
    data,
    status,
  });
}

export function signInRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/sign-in', async (req, res) => {
    await renderSignInPage(deps, req, res, {
      email: '',
      rememberMe: false,
      returnTo: safeReturnTo(req.query.returnTo),
    });
  });
  return router;
}
