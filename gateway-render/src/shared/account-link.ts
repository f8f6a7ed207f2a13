import type { RequestHandler } from 'express';
import type { ApiFailure } from './api-errors';

/**
 * The pages mailed links open. Their URL holds a single-use token, so:
 * - their answers send `Referrer-Policy: no-referrer` (the token never leaves in a Referer),
 * - their query strings stay out of the logs (see `logUrl` in app.ts),
 * - a GET only shows a form with the token in a hidden field: mail scanners prefetch links,
 *   and a GET that used the token would spend it before the person ever saw the page.
 */
export const ACCOUNT_LINK_PATHS = ['/verify-email', '/confirm-email', '/reset-password'];

/** What the person reads when a link cannot be used (the API says the same in its own words). */
export const INVALID_LINK =
  'This link is invalid, has expired or was already used; ask for a new one.';

/**
 * `Referrer-Policy: no-referrer` for the account-link pages (over helmet's site-wide
 * `same-origin`). Their form posts then carry `Origin: null`, which the same-origin check
 * decides by `Sec-Fetch-Site: same-origin` instead.
 */
export function noReferrerMiddleware(): RequestHandler {
  return (_req, res, next) => {
    res.set('Referrer-Policy', 'no-referrer');
    next();
  };
}

/**
 * The token of a link (a query parameter or the hidden field), or null when it cannot be one
 * of ours (missing, repeated, not base64url, longer than the API's 100 characters: the API's
 * are 43): such a link fails without asking the API.
 */
export function readLinkToken(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(value) ? value : null;
}

/** The API's reason a link's token was refused, or null when the failure is about something else. */
export function linkProblemOf(failure: ApiFailure): string | null {
  if (failure.kind !== 'bad-input') return null;
  const messages = failure.fields.token;
  if (!messages) return null;
  return messages[0] ?? INVALID_LINK;
}
