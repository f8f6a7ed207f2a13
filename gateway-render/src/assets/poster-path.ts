import { fnv1a64Hex } from './content-hash';

/**
 * The generator's version, part of every poster's hash: bump it whenever `posterSvg` draws
 * anything differently, so browsers holding the old poster for a year (it is served
 * `immutable`) ask for the new one. `poster.test.ts` pins the output of each version and fails
 * until it is bumped.
 */
export const POSTER_GENERATOR_VERSION = '1';

/** Where posters are served (see `poster.routes.ts`). */
export const POSTER_PATH_PREFIX = '/assets/posters/';

/** What a poster is drawn from. */
export interface PosterMovie {
  title: string;
  year: number;
  tags: readonly string[];
}

/**
 * A short content hash of everything the poster is drawn from (12 hex digits of 64-bit FNV-1a over
 * the generator version, title, year and tags): it changes exactly when the poster does.
 * Isomorphic (no Node API), so a cover rendered in the browser links the same path.
 */
export function posterVersion(movie: PosterMovie): string {
  // JSON keeps the fields apart: ("ab", ["c"]) and ("a", ["bc"]) hash differently.
  const input = JSON.stringify([POSTER_GENERATOR_VERSION, movie.title, movie.year, movie.tags]);
  return fnv1a64Hex(input).slice(0, 12);
}

/** `/assets/posters/<id>-<hash>.svg`: the movie's generated poster, cacheable for a year. */
export function posterPath(movie: PosterMovie & { id: string }): string {
  return `${POSTER_PATH_PREFIX}${encodeURIComponent(movie.id)}-${posterVersion(movie)}.svg`;
}
