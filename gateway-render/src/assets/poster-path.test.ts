import { POSTER_GENERATOR_VERSION, posterPath, posterVersion } from './poster-path';
import { fnv1a64Hex } from './content-hash';

const MOVIE = { id: '64b7f0c2a1b2c3d4e5f60718', title: 'Alien', year: 1979, tags: ['sci-fi'] };

describe('fnv1a64Hex', () => {
  it('matches the published FNV-1a 64-bit test vectors, and tells accented letters apart', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
    expect(fnv1a64Hex('é')).not.toBe(fnv1a64Hex('e'));
  });
});

describe('posterVersion and posterPath', () => {
  it('is 12 hex of the FNV-1a hash over the generator version, title, year and tags', () => {
    const expected = fnv1a64Hex(
      JSON.stringify([POSTER_GENERATOR_VERSION, 'Alien', 1979, ['sci-fi']]),
    ).slice(0, 12);
    expect(posterVersion(MOVIE)).toBe(expected);
    expect(posterPath(MOVIE)).toBe(`/assets/posters/64b7f0c2a1b2c3d4e5f60718-${expected}.svg`);
  });

  it('changes with every input the poster is drawn from, and only those', () => {
    const base = posterVersion(MOVIE);
    expect(posterVersion({ ...MOVIE, title: 'Aliens' })).not.toBe(base);
    expect(posterVersion({ ...MOVIE, year: 1986 })).not.toBe(base);
    expect(posterVersion({ ...MOVIE, tags: ['sci-fi', 'horror'] })).not.toBe(base);
    const sameDataOtherId = { ...MOVIE, id: 'another' };
    expect(posterVersion(sameDataOtherId)).toBe(base);
    // Fields are kept apart: moving characters between title and tags changes the hash.
    expect(posterVersion({ title: 'ab', year: 1, tags: ['c'] })).not.toBe(
      posterVersion({ title: 'a', year: 1, tags: ['bc'] }),
    );
  });

  it('encodes the id', () => {
    expect(posterPath({ ...MOVIE, id: '../x y' })).toMatch(
      /^\/assets\/posters\/\.\.%2Fx%20y-[0-9a-f]{12}\.svg$/,
    );
  });
});
