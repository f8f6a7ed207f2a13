import type { Request, Response } from 'express';
import { Router } from 'express';
import { readSecondFactorChallenge } from '../../auth/second-factor-challenge';
import type { SecondFactorChallenge } from '../../auth/second-factor-challenge';
import { withNotice } from '../../shared/notices';
import type { SecondFactorFormMethod, SecondFactorFormState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
import { signInUrl } from '../../shared/return-to';
import type { RouteDeps } from '../../shared/route-deps';

/** The sign-in page saying the sign-in expired, coming back to where it was going. */
export function expiredSignInUrl(returnTo: string): string {
  return withNotice(signInUrl(returnTo), 'sign-in-expired');
}

/** The way of answering the page starts with: the one asked for, when the account has it. */
export function startingMethod(
  challenge: SecondFactorChallenge,
  asked: unknown,
): SecondFactorFormMethod {
  const recovery = challenge.methods.includes('RECOVERY_CODE');
  const totp = challenge.methods.includes('TOTP');
  if (asked === 'recovery' && recovery) return 'recovery';
  return totp || !recovery ? 'totp' : 'recovery';
}

/** Renders the second-factor page (also the form shown again with the API's message). */
export async function renderSecondFactorPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  form: SecondFactorFormState,
  status = 200,
): Promise<void> {
  await renderViewerPage(deps.config, req, res, {
    page: { name: 'second-factor', variables: {}, form, here: '/sign-in/second-factor' },
    title: 'Two-step verification',
    status,
  });
}

/** `GET /sign-in/second-factor`: the code form while this browser holds a live challenge. */
export function secondFactorRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/sign-in/second-factor', async (req, res) => {
    const challenge = readSecondFactorChallenge(req, deps.config);
    // No challenge (expired after 5 minutes, never started, or tampered with): sign in again.
    if (!challenge) return res.redirect(303, expiredSignInUrl('/'));
    await renderSecondFactorPage(deps, req, res, {
      method: startingMethod(challenge, req.query.method),
      methods: challenge.methods,
      fields: {},
    });
  });
  return router;
}
