import type { Request, Response } from 'express';
import type { ViewerFieldsFragment } from '../__generated__/graphql';
import type { RenderConfig } from '../config';
import { cookieNames, setSessionCookies } from './cookies';
import {
  clearSecondFactorChallenge,
  SECOND_FACTOR_PATH,
  setSecondFactorChallenge,
} from './second-factor-challenge';
import type { SecondFactorChallenge } from './second-factor-challenge';
import type { SignInOutcome } from './sign-in.service';

/** What a route answers after a sign-in, once the cookies for it are written. */
export type AppliedSignIn =
  | { kind: 'signed-in'; user: ViewerFieldsFragment; redirect: string }
  | { kind: 'second-factor'; challenge: SecondFactorChallenge; redirect: string };

/** The message a JSON client gets when its sign-in needs a code to finish. */
export const SECOND_FACTOR_REQUIRED_MESSAGE =
  'Two-factor authentication is on for this account: send a code from the authenticator app (or a recovery code) to finish signing in.';

/**
 * Writes the cookies a sign-in outcome calls for: the session's (signed in), or the signed
 * second-factor challenge (a code is still needed; no token is set). Exhaustive over the
 * outcomes, like the union it comes from.
 */
export function applySignInOutcome(
  res: Response,
  config: RenderConfig,
  outcome: SignInOutcome,
  returnTo: string,
): AppliedSignIn {
  switch (outcome.kind) {
    case 'signed-in':
      setSessionCookies(res, config, outcome.payload, outcome.rememberMe);
      // Any sign-in left halfway in this browser is over now.
      if (res.req.signedCookies?.[cookieNames(config).secondFactor] !== undefined) {
        clearSecondFactorChallenge(res, config);
      }
      return { kind: 'signed-in', user: outcome.payload.user, redirect: returnTo };
    case 'second-factor': {
      const challenge = setSecondFactorChallenge(res, config, outcome.challenge, {
        returnTo,
        rememberMe: outcome.rememberMe,
      });
      return { kind: 'second-factor', challenge, redirect: SECOND_FACTOR_PATH };
    }
    default: {
      const unexpected: never = outcome;
      throw new TypeError(`Unexpected sign-in outcome ${JSON.stringify(unexpected)}`);
    }
  }
}

/** The person as JSON clients see them (no GraphQL internals such as __typename). */
export function publicUser(user: ViewerFieldsFragment) {
  return { id: user.id, name: user.name, email: user.email };
}

/**
 * The JSON answer for a sign-in that needs a second factor: 401 (not signed in yet), what to
 * send to `POST /auth/second-factor`, and where a browser continues. The challenge expires
 * in 5 minutes and is good for one sign-in.
 */
export function secondFactorRequiredBody(
  challenge: SecondFactorChallenge,
  /** A browser's page script gets no challenge id: its cookie holds it. */
  forBrowser: boolean,
) {
  return {
    error: {
      code: 'SECOND_FACTOR_REQUIRED',
      message: SECOND_FACTOR_REQUIRED_MESSAGE,
      redirect: SECOND_FACTOR_PATH,
    },
    ...(forBrowser ? {} : { challengeId: challenge.challengeId }),
    methods: challenge.methods,
    expiresAt: new Date(challenge.expiresAt).toISOString(),
  };
}

/**
 * Whether a browser sent this request: browsers add fetch metadata (`Sec-Fetch-*`) or an
 * `Origin` to every post; scripts and API clients (curl, an app) send neither.
 */
export function fromBrowser(req: Request): boolean {
  return (
    req.get('sec-fetch-site') !== undefined ||
    req.get('sec-fetch-mode') !== undefined ||
    req.get('origin') !== undefined
  );
}
