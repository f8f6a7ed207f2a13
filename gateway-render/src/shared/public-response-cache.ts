/**
 * A small in-process cache of API responses that the API itself marked `Cache-Control: public`
 * (anonymous catalog reads: the same for everyone, `max-age=60`). It is filled and read only
 * for calls made WITHOUT a person's access token, keyed by the API key, the operation and its
 * variables, and each entry lives for the max-age the API gave it, so anonymous visitors see
 * catalog data at most that old. Responses to signed-in people are never stored or served.
 */
export class PublicResponseCache {
  private readonly entries = new Map<string, { data: unknown; expiresAt: number }>();

  /**
   * @param maxEntries - bound on the number of responses kept (oldest dropped first), so query
   *   strings chosen by visitors (search words, tags, cursors) cannot grow it without limit.
   * @param now - the clock, in milliseconds (tests move it).
   */
  constructor(
    readonly maxEntries = 500,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored data while it is fresh, else undefined. */
  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.data;
  }

  /** Stores `data` when `cacheControl` (the API's header) is public with a max-age above 0. */
  storeIfPublic(key: string, data: unknown, cacheControl: string | null | undefined): void {
    const maxAge = publicMaxAge(cacheControl);
    if (maxAge === null) return;
    this.entries.delete(key);
    this.entries.set(key, { data, expiresAt: this.now() + maxAge * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Seconds a shared cache may keep a response with this `Cache-Control`, or null when it must
 * not be kept: only `public` with a positive `max-age`, and nothing that says `private`,
 * `no-store` or `no-cache`.
 */
export function publicMaxAge(cacheControl: string | null | undefined): number | null {
  if (!cacheControl) return null;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (!directives.includes('public')) return null;
  if (directives.some((d) => d === 'private' || d === 'no-store' || d === 'no-cache')) return null;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  const seconds = maxAge ? Number(maxAge.slice('max-age='.length)) : NaN;
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : null;
}

/** The cache key of one anonymous call: the API key, the operation and its variables. */
export function publicCacheKey(
  apiKeyId: string,
  operationName: string,
  variables: Record<string, unknown> | undefined,
): string {
  return `${apiKeyId}\n${operationName}\n${JSON.stringify(variables ?? {})}`;
}
