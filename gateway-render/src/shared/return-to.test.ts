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

  it('builds the sign-in URL that comes back', () => {
    expect(signInUrl('/my-list')).toBe('/sign-in?returnTo=%2Fmy-list');
    expect(signInUrl('/')).toBe('/sign-in');
  });
});
