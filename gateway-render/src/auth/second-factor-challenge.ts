import type { Request, Response } from 'express';
import type { SecondFactorMethod } from '../__generated__/graphql';
import type { RenderConfig } from '../config';
import { safeReturnTo } from '../shared/return-to';
import { baseCookieOptions, cookieNames } from './cookies';
import type { MfaRequiredFields } from './sign-in.service';

/** How long a person may take to type their code; the API's challenge lives as long. */
export const SECOND_FACTOR_MAX_AGE_MS = 5 * 60 * 1000;

/** Where a sign-in that needs a second factor continues. */
export const SECOND_FACTOR_PATH = '/sign-in/second-factor';

/** What the second-factor cookie carries from the sign-in to the code. */
export interface SecondFactorChallenge {
  challengeId: string;
  methods: SecondFactorMethod[];
  /** Epoch milliseconds: the API's expiry, or 5 minutes, whichever comes first. */
  expiresAt: number;
  returnTo: string;
  rememberMe: boolean;
}

const METHODS: readonly SecondFactorMethod[] = ['TOTP', 'RECOVERY_CODE'];

function isMethod(value: unknown): value is SecondFactorMethod {
  return METHODS.includes(value as SecondFactorMethod);
}

/**
 * Keeps the API's challenge for this browser in a signed (HMAC with COOKIE_SECRET, by
 * cookie-parser), httpOnly, 5-minute cookie, with where to go and the lifetime chosen: the
 * page never holds the challenge id, and a script cannot read it or forge another return path.
 */
export function setSecondFactorChallenge(
  res: Response,
  config: RenderConfig,
  challenge: MfaRequiredFields,
  options: { returnTo: string; rememberMe: boolean },
): SecondFactorChallenge {
  const apiExpiry = Date.parse(challenge.expiresAt);
  const latest = Date.now() + SECOND_FACTOR_MAX_AGE_MS;
  const stored: SecondFactorChallenge = {
    challengeId: challenge.challengeId,
    methods: challenge.methods.filter(isMethod),
    expiresAt: Number.isFinite(apiExpiry) ? Math.min(apiExpiry, latest) : latest,
    returnTo: safeReturnTo(options.returnTo),
    rememberMe: options.rememberMe,
  };
  res.cookie(cookieNames(config).secondFactor, JSON.stringify(stored), {
    ...baseCookieOptions(config),
    signed: true,
    maxAge: Math.max(0, stored.expiresAt - Date.now()),
  });
  return stored;
}

/**
 * The challenge this browser's signed cookie holds, or null when there is none, its signature
 * is wrong (cookie-parser gives `false`), it is malformed or it has expired.
 */
export function readSecondFactorChallenge(
  req: Request,
  config: RenderConfig,
): SecondFactorChallenge | null {
  const raw = (req.signedCookies as Record<string, unknown> | undefined)?.[
    cookieNames(config).secondFactor
  ];
  if (typeof raw !== 'string') return null;
  let parsed: Partial<SecondFactorChallenge>;
  try {
    parsed = JSON.parse(raw) as Partial<SecondFactorChallenge>;
  } catch {
    return null;
  }
  if (typeof parsed.challengeId !== 'string' || parsed.challengeId === '') return null;
  if (typeof parsed.expiresAt !== 'number' || !(parsed.expiresAt > Date.now())) return null;
  return {
    challengeId: parsed.challengeId,
    methods: Array.isArray(parsed.methods) ? parsed.methods.filter(isMethod) : [],
    expiresAt: parsed.expiresAt,
    returnTo: safeReturnTo(parsed.returnTo),
    rememberMe: parsed.rememberMe === true,
  };
}

/** Forgets the challenge (used, expired, or refused by the API). */
export function clearSecondFactorChallenge(res: Response, config: RenderConfig): void {
  res.clearCookie(cookieNames(config).secondFactor, baseCookieOptions(config));
}
