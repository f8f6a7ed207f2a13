import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { RenderConfig } from '../config';
import { baseCookieOptions, cookieNames } from './cookies';

/** A sign-in challenge is good for as long as the API keeps it: 5 minutes. */
export const PASSKEY_CHALLENGE_MAX_AGE_MS = 5 * 60 * 1000;

/** The biggest authenticator response accepted (an assertion is well under 2 KB). */
export const MAX_PASSKEY_RESPONSE_CHARS = 8 * 1024;

/** At most this many challenges wait per browser (an autofill request and the button's). */
export const MAX_PENDING_PASSKEY_CHALLENGES = 3;

interface StoredChallenge {
  challenge: string;
  expiresAt: number;
}

/** The `challenge` of WebAuthn request options (base64url), or null when they carry none. */
export function challengeOfOptions(options: unknown): string | null {
  const challenge = (options as { challenge?: unknown } | null)?.challenge;
  return typeof challenge === 'string' && challenge !== '' ? challenge : null;
}

/**
 * The challenge an authenticator signed, read from the response's `clientDataJSON`
 * (base64url JSON), or null when the response is not shaped like an assertion.
 */
export function challengeOfResponse(response: unknown): string | null {
  const clientDataJSON = (response as { response?: { clientDataJSON?: unknown } } | null)?.response
    ?.clientDataJSON;
  if (typeof clientDataJSON !== 'string' || clientDataJSON === '') return null;
  try {
    const clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof clientData.challenge === 'string' ? clientData.challenge : null;
  } catch {
    return null;
  }
}

/** The unexpired challenges this browser's signed cookie holds (a tampered cookie holds none). */
function pendingChallenges(req: Request, config: RenderConfig): StoredChallenge[] {
  const raw = (req.signedCookies as Record<string, unknown> | undefined)?.[
    cookieNames(config).passkeyChallenge
  ];
  if (typeof raw !== 'string') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const now = Date.now();
  return parsed
    .filter(
      (entry): entry is StoredChallenge =>
        typeof (entry as StoredChallenge | null)?.challenge === 'string' &&
        (entry as StoredChallenge).challenge !== '' &&
        typeof (entry as StoredChallenge).expiresAt === 'number' &&
        (entry as StoredChallenge).expiresAt > now,
    )
    .slice(-MAX_PENDING_PASSKEY_CHALLENGES);
}

function writeChallenges(res: Response, config: RenderConfig, challenges: StoredChallenge[]) {
  const name = cookieNames(config).passkeyChallenge;
  if (challenges.length === 0) {
    res.clearCookie(name, baseCookieOptions(config));
    return;
  }
  const latest = Math.max(...challenges.map((entry) => entry.expiresAt));
  res.cookie(name, JSON.stringify(challenges), {
    ...baseCookieOptions(config),
    signed: true,
    maxAge: Math.max(0, latest - Date.now()),
  });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Binds a sign-in challenge to this browser: the API's sign-in challenges are anonymous, so
 * without this anyone could answer a challenge handed to someone else (e.g. one fetched by a
 * phishing page's server). Signed (HMAC with COOKIE_SECRET), httpOnly, 5 minutes each; the
 * last {@link MAX_PENDING_PASSKEY_CHALLENGES} wait side by side (the autofill request and the
 * button's may overlap), older ones drop out.
 */
export function setPasskeyChallenge(
  req: Request,
  res: Response,
  config: RenderConfig,
  challenge: string,
): void {
  const added: StoredChallenge = {
    challenge,
    expiresAt: Date.now() + PASSKEY_CHALLENGE_MAX_AGE_MS,
  };
  const kept = [...pendingChallenges(req, config), added].slice(-MAX_PENDING_PASSKEY_CHALLENGES);
  writeChallenges(res, config, kept);
}

/**
 * Whether `response` signed a challenge this browser's cookie holds (unexpired, cookie
 * signature intact). That challenge leaves the cookie either way: one answer per challenge.
 */
export function takePasskeyChallenge(
  req: Request,
  res: Response,
  config: RenderConfig,
  response: unknown,
): boolean {
  const pending = pendingChallenges(req, config);
  const signed = challengeOfResponse(response);
  const index =
    signed === null ? -1 : pending.findIndex((entry) => sameText(entry.challenge, signed));
  if (index === -1) {
    // Nothing matched: a forged or foreign response. Keep the cookie as it was.
    return false;
  }
  writeChallenges(
    res,
    config,
    pending.filter((_, at) => at !== index),
  );
  return true;
}
