import type { Request, Response } from 'express';
import { Router } from 'express';
import { ConfirmEmailChangeDocument, VerifyEmailDocument } from '../../__generated__/graphql';
import { accessTokenViewer } from '../../auth/refresh';
import { requestSession } from '../../auth/request-session';
import { INVALID_LINK, linkProblemOf, readLinkToken } from '../../shared/account-link';
import { apiClientFor, runMutation } from '../../shared/api-call';
import { ApiFailureError, classifyApiError } from '../../shared/api-errors';
import { withNotice } from '../../shared/notices';
import type { NoticeKey } from '../../shared/notices';
import type { EmailLinkState } from '../../shared/page-props';
import { renderViewerPage } from '../../shared/render-page';
import { bodyOf } from '../../shared/request-body';
import type { RouteDeps } from '../../shared/route-deps';
import type { EmailLinkKind } from './email-link.page';

const TITLES: Record<EmailLinkKind, string> = {
  'verify-email': 'Confirm your e-mail address',
  'confirm-email': 'Confirm your new e-mail address',
};

/** Where a signed-in owner of the link goes afterwards, with which notice. */
const DONE_NOTICE: Record<EmailLinkKind, NoticeKey> = {
  'verify-email': 'email-verified',
  'confirm-email': 'email-changed',
};

/** Uses the link's token at the API; the user the link belonged to, with its address now. */
async function spendLink(
  deps: RouteDeps,
  res: Response,
  kind: EmailLinkKind,
  token: string,
): Promise<{ id: string; email: string }> {
  // The key alone: these operations need the key's `signin:auth`, never a person's token.
  const client = apiClientFor(deps.config, res, { anonymous: true });
  if (kind === 'verify-email') {
    return (await runMutation(client, VerifyEmailDocument, { token })).verifyEmail;
  }
  return (await runMutation(client, ConfirmEmailChangeDocument, { token })).confirmEmailChange;
}

async function renderEmailLinkPage(
  deps: RouteDeps,
  req: Request,
  res: Response,
  kind: EmailLinkKind,
  link: EmailLinkState,
  status = 200,
): Promise<void> {
  await renderViewerPage(deps.config, req, res, {
    // `here` never holds the token: the banner's form comes back to the account page.
    page: { name: kind, variables: {}, link, here: '/account' },
    title: TITLES[kind],
    status,
  });
}

/**
 * `/verify-email` and `/confirm-email`: GET shows the button (mail scanners prefetch links, so
 * it never calls the API), POST uses the token. The person signed in as the link's owner goes
 * to the account page; anyone else sees the outcome with a sign-in link.
 */
export function emailLinkRoutes(deps: RouteDeps): Router {
  const router = Router();
  for (const kind of ['verify-email', 'confirm-email'] as const) {
    router.get(`/${kind}`, async (req, res) => {
      const token = readLinkToken(req.query.token);
      if (!token) {
        return renderEmailLinkPage(
          deps,
          req,
          res,
          kind,
          { token: '', linkProblem: INVALID_LINK },
          400,
        );
      }
      await renderEmailLinkPage(deps, req, res, kind, { token });
    });

    router.post(`/${kind}`, async (req, res) => {
      const token = readLinkToken(bodyOf(req).token);
      if (!token) {
        return renderEmailLinkPage(
          deps,
          req,
          res,
          kind,
          { token: '', linkProblem: INVALID_LINK },
          400,
        );
      }
      let user: { id: string; email: string };
      try {
        user = await spendLink(deps, res, kind, token);
      } catch (error) {
        const failure = classifyApiError(error);
        const linkProblem = linkProblemOf(failure);
        if (!linkProblem) throw new ApiFailureError(failure);
        return renderEmailLinkPage(deps, req, res, kind, { token: '', linkProblem }, 400);
      }
      // Read without verifying: it only picks the page; the account page asks the API.
      const viewer = accessTokenViewer(requestSession(res).accessToken);
      if (viewer?.id === user.id)
        return res.redirect(303, withNotice('/account', DONE_NOTICE[kind]));
      await renderEmailLinkPage(deps, req, res, kind, { token: '', done: { email: user.email } });
    });
  }
  return router;
}
