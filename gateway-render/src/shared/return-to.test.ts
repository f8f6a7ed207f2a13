import { HOSTILE_RETURN_PATHS } from '../../test/helpers/hostile-return-paths';
import { safeReturnTo, signInUrl } from './return-to';

describe('safeReturnTo', () => {
  it('keeps local paths', () => {
    expect(safeReturnTo('/my-list')).toBe('/my-list');
    expect(safeReturnTo('/?tag=drama&q=x')).toBe('/?tag=drama&q=x');
  });

  it('turns anything that could leave the site into "/"', () => {
    for (const value of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '/ok\nSet-Cookie: x',
      '',
      undefined,
      ['/'],
      '/'.padEnd(2001, 'a'),
    ]) {
      expect(safeReturnTo(value)).toBe('/');
    }
  });

  it('never resolves to another origin, encoded or disguised', () => {
    const site = 'https://movies.example';
    for (const value of HOSTILE_RETURN_PATHS) {
      const kept = safeReturnTo(value);
      // Resolved the way a browser resolves a Location header.
      expect({ value, origin: new URL(kept, site).origin }).toEqual({ value, origin: site });
      expect(kept.startsWith('/')).toBe(true);
    }
  });

  it('builds the sign-in URL that comes back', () => {
    expect(signInUrl('/my-list')).toBe('/sign-in?returnTo=%2Fmy-list');
    expect(signInUrl('/')).toBe('/sign-in');
  });
});
