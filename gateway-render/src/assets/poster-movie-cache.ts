import { posterSvg } from './poster';
import { posterVersion } from './poster-path';
import type { PosterMovie } from './poster-path';

/** What the cache keeps of a movie: the poster's input, its hash and, once drawn, the SVG. */
export interface PosterEntry {
  movie: PosterMovie;
  version: string;
  /** Drawn on the first request, then reused. */
  svg?: string;
}

/**
 * The few fields a poster is drawn from, by movie id, for the most recently seen movies
 * (least recently used dropped first). It saves the poster route an API call for movies this
 * process has just rendered, which is nearly every poster request; any process can still answer
 * any poster without it, by asking the API.
 */
export class PosterMovieCache {
  private readonly entries = new Map<string, PosterEntry>();

  /**
   * @param maxEntries - bound on the movies kept: 500 entries of a few hundred bytes (plus
   *   about 3 KB once drawn), whatever ids visitors ask for.
   */
  constructor(readonly maxEntries = 500) {}

  /** Stores (or refreshes) what `movie`'s poster is drawn from; returns its entry. */
  remember(movie: PosterMovie & { id: string }): PosterEntry {
    const existing = this.entries.get(movie.id);
    // Kept as is when unchanged, so an SVG already drawn is not thrown away. Every page
    // remembers its movies again, so an unchanged one is recognised by its fields, without
    // hashing them (the hash only follows from them).
    const entry =
      existing && samePosterMovie(existing.movie, movie)
        ? existing
        : {
            movie: { title: movie.title, year: movie.year, tags: [...movie.tags] },
            version: posterVersion(movie),
          };
    this.entries.delete(movie.id);
    this.entries.set(movie.id, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return entry;
  }

  /** The movie's entry (now the most recently used), or undefined. */
  get(id: string): PosterEntry | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** True when `a` and `b` draw the same poster: the same title, year and tags, in order. */
function samePosterMovie(a: PosterMovie, b: PosterMovie): boolean {
  return (
    a.title === b.title &&
    a.year === b.year &&
    a.tags.length === b.tags.length &&
    a.tags.every((tag, i) => tag === b.tags[i])
  );
}

/** The entry's SVG, drawn once. */
export function entrySvg(entry: PosterEntry): string {
  entry.svg ??= posterSvg(entry.movie);
  return entry.svg;
}

/** The process's poster cache, filled by the pages that render covers. */
export const posterMovies = new PosterMovieCache();

/**
 * Tells the poster route what a movie's poster is drawn from, so the poster the page links is
 * served without asking the API. Call it from page routes (server side only) for every movie
 * whose cover shows the generated poster; cheap (one hash, no drawing).
 */
export function rememberPosterMovie(movie: PosterMovie & { id: string }): void {
  posterMovies.remember(movie);
}
