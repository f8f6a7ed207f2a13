import { posterSvg } from './poster';
import {
  PosterMovieCache,
  entrySvg,
  posterMovies,
  rememberPosterMovie,
} from './poster-movie-cache';
import { posterVersion } from './poster-path';

const movie = (n: number) => ({
  id: `m${n}`,
  title: `Movie ${n}`,
  year: 2000 + n,
  tags: ['drama'],
});

describe('PosterMovieCache', () => {
  it('keeps at most maxEntries movies, dropping the least recently used', () => {
    const cache = new PosterMovieCache(3);
    for (const n of [1, 2, 3]) cache.remember(movie(n));
    cache.get('m1');
    cache.remember(movie(4));
    expect(cache.size).toBe(3);
    expect(cache.get('m2')).toBeUndefined();
    expect(cache.get('m1')?.version).toBe(posterVersion(movie(1)));
    expect(cache.get('m4')).toBeDefined();
  });

  it('draws a poster once, and again only when the movie changed', () => {
    const cache = new PosterMovieCache();
    const entry = cache.remember(movie(1));
    expect(entrySvg(entry)).toBe(posterSvg(movie(1)));
    expect(cache.remember(movie(1)).svg).toBe(entry.svg);
    const changed = cache.remember({ ...movie(1), title: 'Renamed' });
    expect(changed.svg).toBeUndefined();
    expect(entrySvg(changed)).toBe(posterSvg({ ...movie(1), title: 'Renamed' }));
  });

  it('recognises an unchanged movie by its fields, and any change gets a new version', () => {
    const cache = new PosterMovieCache();
    const entry = cache.remember(movie(1));
    expect(cache.remember({ ...movie(1), tags: ['drama'] })).toBe(entry);
    for (const changed of [
      { ...movie(1), title: 'Movie 1 ' },
      { ...movie(1), year: 1999 },
      { ...movie(1), tags: ['drama', 'horror'] },
      { ...movie(1), tags: ['horror'] },
      { ...movie(1), tags: [] },
    ]) {
      const next = cache.remember(changed);
      expect(next.version).toBe(posterVersion(changed));
      expect(next.version).not.toBe(entry.version);
      cache.remember(movie(1));
    }
  });

  it('keeps its own copy of the tags', () => {
    const cache = new PosterMovieCache();
    const tags = ['drama'];
    cache.remember({ ...movie(1), tags });
    tags.push('horror');
    expect(cache.get('m1')?.movie.tags).toEqual(['drama']);
  });

  it('rememberPosterMovie fills the process’s cache the route reads by default', () => {
    rememberPosterMovie(movie(9));
    expect(posterMovies.get('m9')?.version).toBe(posterVersion(movie(9)));
  });
});
