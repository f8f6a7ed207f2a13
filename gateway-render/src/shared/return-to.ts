/**
 * A return path that stays on this site: it must start with one "/" (not "//" or "/\", which
 * browsers treat as another host) and hold no control characters. Anything else is "/".
 * Keeps sign-in and Google redirects from becoming an open redirect.
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  return value;
}

/** The sign-in page URL that comes back to `returnTo` afterwards. */
export function signInUrl(returnTo: string): string {
  const path = safeReturnTo(returnTo);
  return path === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(path)}`;
}
