import { PublicResponseCache, publicCacheKey, publicMaxAge } from './public-response-cache';

describe('publicMaxAge', () => {
  it('keeps only public responses with a positive max-age', () => {
    expect(publicMaxAge('max-age=60, public')).toBe(60);
    expect(publicMaxAge('public, max-age=5')).toBe(5);
    expect(publicMaxAge('no-store')).toBeNull();
    expect(publicMaxAge('max-age=60, private')).toBeNull();
    expect(publicMaxAge('max-age=60')).toBeNull();
    expect(publicMaxAge('public')).toBeNull();
    expect(publicMaxAge('public, max-age=0')).toBeNull();
    expect(publicMaxAge('public, max-age=60, no-cache')).toBeNull();
    expect(publicMaxAge('public, max-age=abc')).toBeNull();
    expect(publicMaxAge(null)).toBeNull();
    expect(publicMaxAge(undefined)).toBeNull();
  });
});

describe('PublicResponseCache', () => {
  it('serves a public response until its max-age has passed', () => {
    let now = 1_000_000;
    const cache = new PublicResponseCache(10, () => now);
    const key = publicCacheKey('key', 'Catalog', { first: 12 });
    cache.storeIfPublic(key, { movies: [] }, 'max-age=60, public');
    expect(cache.get(key)).toEqual({ movies: [] });
    now += 59_999;
    expect(cache.get(key)).toEqual({ movies: [] });
    now += 1;
    expect(cache.get(key)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never stores private or uncacheable responses', () => {
    const cache = new PublicResponseCache();
    cache.storeIfPublic('a', { me: { id: '1' } }, 'no-store');
    cache.storeIfPublic('b', { me: { id: '1' } }, 'max-age=60, private');
    cache.storeIfPublic('c', { me: { id: '1' } }, null);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new PublicResponseCache(2);
    cache.storeIfPublic('a', 1, 'public, max-age=60');
    cache.storeIfPublic('b', 2, 'public, max-age=60');
    cache.storeIfPublic('c', 3, 'public, max-age=60');
    expect(cache.size).toBe(2);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('keys differ by API key, operation and variables', () => {
    const keys = new Set([
      publicCacheKey('k1', 'Catalog', { first: 12 }),
      publicCacheKey('k2', 'Catalog', { first: 12 }),
      publicCacheKey('k1', 'Other', { first: 12 }),
      publicCacheKey('k1', 'Catalog', { first: 13 }),
    ]);
    expect(keys.size).toBe(4);
  });
});
