import type { Request, Response } from 'express';
import { Router } from 'express';
import type { SignUpFormState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
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
  await renderViewerPage(deps.config, req, res, {
    page: { name: 'sign-up', variables: {}, form, google: deps.config.google !== null },
    title: 'Sign up',
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
