import type { Request, Response } from 'express';
import { Router } from 'express';
import { apiClientFor } from '../shared/api-call';
import { ApiFailureError, classifyApiError } from '../shared/api-errors';
import type { ApiFailure } from '../shared/api-errors';
import { rateLimitedPage, sendErrorPage } from '../shared/error-pages';
import { bodyOf } from '../shared/request-body';
import { safeReturnTo } from '../shared/return-to';
import type { RouteDeps } from '../shared/route-deps';
import {
  MAX_PASSKEY_RESPONSE_CHARS,
  challengeOfOptions,
  setPasskeyChallenge,
  takePasskeyChallenge,
} from './passkey-challenge';
import { applySignInOutcome, publicUser } from './sign-in-outcome';
import { passkeySignInOptions, readRememberMe, signInWithPasskey } from './sign-in.service';

const NOT_STARTED_HERE =
  'This passkey sign-in expired or was not started on this page; please try again.';
const NOT_ACCEPTED = 'That passkey was not accepted. Try again, or sign in with your password.';

/** An e-mail the options may name (only to narrow the passkeys offered), else null. */
function emailOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim();
  return email !== '' && email.length <= 254 && email.includes('@') ? email : null;
}

function sendJsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).set('Cache-Control', 'no-store').json({ error: { code, message } });
}

/**
 * Passkey sign-in for the sign-in page's script (JSON only; the same-origin check applies):
 * `POST /auth/passkey/options` hands out the API's WebAuthn request options and binds their
 * challenge to this browser in a signed 5-minute cookie; `POST /auth/passkey` takes the
 * authenticator's response only when it signed THAT challenge, then signs in with
 * `signInWithPasskey` (cookies, or the second-factor page) and says where to go.
 */
export function passkeyAuthRoutes(deps: RouteDeps): Router {
  const { config } = deps;
  const router = Router();

  /** The API's refusal as JSON; an outage or an unexpected failure goes to the error handler. */
  function refuse(req: Request, res: Response, failure: ApiFailure): void {
    switch (failure.kind) {
      case 'rate-limited':
        return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter), true);
      case 'bad-input':
        return sendJsonError(res, 400, 'BAD_USER_INPUT', failure.message);
      case 'unauthenticated':
      case 'not-found':
        // The API's UNAUTHENTICATED here is about the passkey, never this browser's session.
        return sendJsonError(res, 401, 'UNAUTHENTICATED', NOT_ACCEPTED);
      default:
        throw new ApiFailureError(failure);
    }
  }

  router.post('/auth/passkey/options', async (req, res) => {
    let options: unknown;
    try {
      options = await passkeySignInOptions(
        apiClientFor(config, res, { anonymous: true }),
        emailOf(bodyOf(req).email),
      );
    } catch (error) {
      return refuse(req, res, classifyApiError(error));
    }
    const challenge = challengeOfOptions(options);
    if (!challenge) {
      throw new ApiFailureError({
        kind: 'internal',
        message: 'Passkey options without a challenge',
      });
    }
    setPasskeyChallenge(req, res, config, challenge);
    res.set('Cache-Control', 'no-store').json({ options });
  });

  router.post('/auth/passkey', async (req, res) => {
    const body = bodyOf(req);
    const response = body.response;
    const returnTo = safeReturnTo(body.returnTo);
    const rememberMe = readRememberMe(body.rememberMe);
    if (
      typeof response !== 'object' ||
      response === null ||
      Array.isArray(response) ||
      JSON.stringify(response).length > MAX_PASSKEY_RESPONSE_CHARS
    ) {
      return sendJsonError(res, 400, 'BAD_REQUEST', 'No passkey response was sent.');
    }
    // Checked here, before the API: the API's sign-in challenges are anonymous, so only this
    // check ties the answer to the browser the challenge was handed to.
    if (!takePasskeyChallenge(req, res, config, response)) {
      return sendJsonError(res, 400, 'PASSKEY_CHALLENGE_MISMATCH', NOT_STARTED_HERE);
    }
    let outcome;
    try {
      outcome = await signInWithPasskey(
        apiClientFor(config, res, { anonymous: true }),
        response as Record<string, unknown>,
        rememberMe,
      );
    } catch (error) {
      return refuse(req, res, classifyApiError(error));
    }
    const applied = applySignInOutcome(res, config, outcome, returnTo);
    res.set('Cache-Control', 'no-store');
    switch (applied.kind) {
      case 'signed-in':
        return void res.json({ user: publicUser(applied.user), redirect: applied.redirect });
      case 'second-factor':
        return void res.json({
          secondFactorRequired: true,
          methods: applied.challenge.methods,
          redirect: applied.redirect,
        });
      default: {
        const unexpected: never = applied;
        throw new TypeError(`Unexpected sign-in ${JSON.stringify(unexpected)}`);
      }
    }
  });

  return router;
}
