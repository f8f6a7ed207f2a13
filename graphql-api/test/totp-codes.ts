import { Secret, TOTP } from 'otpauth';

/** The parameters every authenticator app defaults to, and the API uses (RFC 6238). */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** When to compute a code: now (or `at`), moved by whole time steps. */
export interface TotpCodeOptions {
  /** Time steps to move from `at` (-1: the previous 30 s window, +2: two windows ahead). */
  stepOffset?: number;
  /** The moment (default: now). */
  at?: Date | number;
}

function totp(secret: string): TOTP {
  return new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** The 6-digit code an authenticator app shows for this base32 secret, e.g. one step ago. */
export function totpCode(secret: string, options: TotpCodeOptions = {}): string {
  const at = options.at === undefined ? Date.now() : new Date(options.at).getTime();
  const timestamp = at + (options.stepOffset ?? 0) * TOTP_PERIOD_SECONDS * 1000;
  return totp(secret).generate({ timestamp });
}

/** The number of the time step `at` falls in (Unix time / 30 s). */
export function totpStep(at: Date | number = Date.now()): number {
  return Math.floor(new Date(at).getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * Waits for the next time step when fewer than `minMs` are left in this one, so a test that
 * computes a code with a step offset and then sends it cannot straddle a step boundary (which
 * would turn "1 step of drift" into 2, or make two codes of "now" different).
 */
export async function withTimeLeftInStep(minMs = 5000): Promise<void> {
  const periodMs = TOTP_PERIOD_SECONDS * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < minMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * A code that is wrong for this secret at every step the API could accept (-1, 0, +1), so a
 * "wrong code" test never passes by a one-in-a-million match.
 */
export function wrongTotpCode(secret: string, at: Date | number = Date.now()): string {
  const near = new Set([-2, -1, 0, 1, 2].map((stepOffset) => totpCode(secret, { stepOffset, at })));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(TOTP_DIGITS, '0');
    if (!near.has(code)) return code;
  }
}
