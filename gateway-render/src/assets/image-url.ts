/**
 * Names that never resolve on the public internet (RFC 2606, RFC 6761): the documentation
 * domains and their subdomains, and the reserved top-level names. The seed's placeholder covers
 * (`covers.example.com`) and sources (`stream.example.com`) are such names.
 */
const RESERVED_DOMAINS = ['example.com', 'example.net', 'example.org'];
const RESERVED_TOP_LEVEL = ['example', 'invalid', 'test', 'localhost'];

function isReservedHost(hostname: string): boolean {
  // `example.com.` is the same name as `example.com`.
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const topLevel = host.slice(host.lastIndexOf('.') + 1);
  if (RESERVED_TOP_LEVEL.includes(topLevel)) return true;
  return RESERVED_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * `url` (normalized, as the URL parser writes it) when a browser can load it: an absolute
 * http(s) URL with a host that is not a reserved, never-resolving name and no credentials in
 * it (browsers refuse those for images); else null, and the caller shows the generated poster
 * instead of the cover, or no "Source" link. Isomorphic: the same answer on the server and in
 * the browser, so hydration matches.
 */
export function usableImageUrl(url: string | null | undefined): string | null {
  if (typeof url !== 'string' || url.trim() === '') return null;
  let parsed: URL;
  try {
    // No base: a relative or scheme-less string is not an absolute URL and throws.
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') return null;
  if (isReservedHost(parsed.hostname)) return null;
  return parsed.href;
}
