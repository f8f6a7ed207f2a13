import { safeReturnTo } from './return-to';

/**
 * What a page says after a redirect (`?notice=<key>`): fixed messages by key, so a link can
 * never make the site say something of its author's choosing. Nothing from the URL is echoed
 * except a count, and only as a number.
 */
export const NOTICES = {
  welcome:
    'Welcome! Your account is ready. We sent you a link to confirm your e-mail address: open it when you can.',
  'signed-out': 'You are signed out.',
  'password-reset':
    'Your password was changed and every device was signed out; sign in with the new password.',
  'password-changed': 'Password changed; every other device was signed out.',
  'email-verified': 'Thank you: your e-mail address is confirmed.',
  'email-changed': 'Your e-mail address was changed.',
  'verification-sent': 'We sent you a new link to confirm your e-mail address.',
  'already-verified': 'Your e-mail address is already confirmed.',
  'google-connected': 'Your Google account is connected: you can sign in with it from now on.',
  'google-disconnected': 'Your Google account was disconnected.',
  'session-revoked': 'That device was signed out.',
  'session-gone': 'That device was already signed out.',
  'sessions-revoked': 'Every other device was signed out.',
  'sign-in-expired': 'That sign-in has expired; sign in again.',
  'passkey-added': 'Your passkey was added: you can sign in with it from now on.',
  'passkey-renamed': 'Your passkey was renamed.',
  'passkey-removed': 'That passkey was removed: it no longer signs you in.',
  'two-factor-on':
    'Two-factor authentication is on: signing in with your password now also asks for a code.',
  'two-factor-off': 'Two-factor authentication is off.',
  'recovery-codes-new': 'You have new recovery codes; the old ones no longer work.',
  'two-factor-providers-on': 'Signing in with Google now also asks for a code.',
  'two-factor-providers-off': 'Signing in with Google no longer asks for a code.',
  reauthenticated: 'Thank you: you can make changes to your account for the next 5 minutes.',
} as const;

/**
 * Notices after a change of the account's factors (how one signs in): the account page then
 * offers "Sign out everywhere else", since a device signed in before may be the reason for
 * the change. A changed password already signed every other device out.
 */
export const FACTOR_CHANGE_NOTICES: ReadonlySet<string> = new Set([
  'passkey-added',
  'passkey-removed',
  'two-factor-on',
  'two-factor-off',
  'recovery-codes-new',
]);

/** Whether the request's `?notice=` reports a factor change (see {@link FACTOR_CHANGE_NOTICES}). */
export function isFactorChangeNotice(query: Record<string, unknown>): boolean {
  return typeof query.notice === 'string' && FACTOR_CHANGE_NOTICES.has(query.notice);
}

/** A notice a redirect may ask for. */
export type NoticeKey = keyof typeof NOTICES;

function isNoticeKey(value: string): value is NoticeKey {
  return Object.hasOwn(NOTICES, value);
}

/** "Signed out 1 other device." / "Signed out 3 other devices." */
function revokedCount(count: unknown): string | null {
  if (typeof count !== 'string' || !/^\d{1,6}$/.test(count)) return null;
  const n = Number(count);
  if (n === 0) return 'No other device was signed in.';
  return `Signed out ${n} other ${n === 1 ? 'device' : 'devices'}.`;
}

/**
 * The message for a request's `notice` (and, for `sessions-revoked`, `count`) query
 * parameters, or null when there is none or the key is unknown.
 */
export function noticeFromQuery(query: Record<string, unknown>): string | null {
  const key = query.notice;
  if (typeof key !== 'string' || !isNoticeKey(key)) return null;
  if (key === 'sessions-revoked') return revokedCount(query.count) ?? NOTICES[key];
  return NOTICES[key];
}

/**
 * The path and query of a local URL, split without resolving it: `new URL()` would normalise
 * `/..//evil.example` into `//evil.example`, another host. The fragment is dropped.
 */
function splitLocal(path: string): { pathname: string; params: URLSearchParams } {
  const withoutHash = path.split('#')[0] ?? '';
  const mark = withoutHash.indexOf('?');
  return mark === -1
    ? { pathname: withoutHash, params: new URLSearchParams() }
    : {
        pathname: withoutHash.slice(0, mark),
        params: new URLSearchParams(withoutHash.slice(mark + 1)),
      };
}

function joinLocal(pathname: string, params: URLSearchParams): string {
  const query = params.toString();
  return safeReturnTo(query ? `${pathname}?${query}` : pathname);
}

/** `path` (kept on this site) with `?notice=<key>` (and more parameters) added to its query. */
export function withNotice(
  path: string,
  key: NoticeKey,
  extra: Record<string, string> = {},
): string {
  const { pathname, params } = splitLocal(safeReturnTo(path));
  params.set('notice', key);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return joinLocal(pathname, params);
}

/** A page's own path and query without the notice parameters (a form's way back to it). */
export function withoutNotice(path: string): string {
  const { pathname, params } = splitLocal(safeReturnTo(path));
  params.delete('notice');
  params.delete('count');
  return joinLocal(pathname, params);
}
