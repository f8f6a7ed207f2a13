import type { Request, Response } from 'express';
import { Router } from 'express';
import type { SignInFormState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
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
  await renderViewerPage(deps.config, req, res, {
    page: { name: 'sign-in', variables: {}, form, google: deps.config.google !== null },
    title: 'Sign in',
    status,
  });
}

export function signInRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/sign-in', async (req, res) => {
    // "Sign in instead" from the sign-up form carries the address typed there.
    const email = typeof req.query.email === 'string' ? req.query.email.trim().slice(0, 254) : '';
    await renderSignInPage(deps, req, res, {
      email,
      rememberMe: false,
      returnTo: safeReturnTo(req.query.returnTo),
    });
  });
  return router;
}
