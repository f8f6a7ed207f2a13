import { execute, startApi } from '../../test/execute-operation';
import { createMovie, unique } from '../../test/factories';
import { createApp } from '../app';
import type { ApiApp } from '../app';
import type { TestApi } from '../testing';
import { MovieModel } from './movie.model';

// `totalCount` is counted once per value of the catalog's change counter: these are the reads an
// attacker or a stale cache would get wrong first (another filter's count, a count from before a
// write, a write in another process).

let api: TestApi;
let other: ApiApp;
beforeAll(async () => {
  api = await startApi();
  // A second API process on the same database.
  other = await createApp(api.config);
});
afterAll(async () => {
  await other.stop();
  await api.stop();
});

const COUNT = `query($filter: MovieFilter) { movies(first: 1, filter: $filter) { totalCount } }`;

async function totalCount(filter: Record<string, unknown>): Promise<number | undefined> {
  const result = await execute<{ movies: { totalCount: number } }>(
    api,
    COUNT,
    { filter },
    { apiKey: api.publicApiKey },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.movies.totalCount;
}

describe('movies { totalCount }', () => {
  let counted: jest.SpyInstance;
  beforeEach(() => {
    counted = jest.spyOn(MovieModel, 'countDocuments');
  });
  afterEach(() => counted.mockRestore());

  it('counts a filter once while the catalog does not change', async () => {
    const tag = unique('count-once');
    await createMovie(api, { title: `${tag} a`, tags: [tag] });
    await createMovie(api, { title: `${tag} b`, tags: [tag] });
    counted.mockClear();
    expect(await totalCount({ tags: [tag] })).toBe(2);
    expect(await totalCount({ tags: [tag] })).toBe(2);
    expect(await totalCount({ tags: [tag] })).toBe(2);
    expect(counted).toHaveBeenCalledTimes(1);
  });

  it('keeps each filter its own count (tags, search, year)', async () => {
    const tag = unique('count-filters');
    await createMovie(api, { title: `${tag} alpha`, tags: [tag], year: 1990 });
    await createMovie(api, { title: `${tag} beta`, tags: [tag], year: 1991 });
    await createMovie(api, { title: `${tag} gamma`, tags: [tag, `${tag}-x`], year: 1991 });
    expect(await totalCount({ tags: [tag] })).toBe(3);
    expect(await totalCount({ tags: [tag], year: 1991 })).toBe(2);
    expect(await totalCount({ tags: [tag], search: 'alpha' })).toBe(1);
    expect(await totalCount({ tags: [tag], search: 'beta' })).toBe(1);
    expect(await totalCount({ tags: [tag, `${tag}-x`] })).toBe(1);
    expect(await totalCount({ tags: [tag], search: 'no such title' })).toBe(0);
  });

  it('counts again after a write in this process or in another one, at once', async () => {
    const tag = unique('count-writes');
    const first = await createMovie(api, { title: `${tag} 1`, tags: [tag] });
    expect(await totalCount({ tags: [tag] })).toBe(1);
    // Created by the other process: its write waits out the counter's trust window.
    const second = await createMovie({ api: other }, { title: `${tag} 2`, tags: [tag] });
    expect(await totalCount({ tags: [tag] })).toBe(2);
    await api.api.services.movies.delete(first._id);
    expect(await totalCount({ tags: [tag] })).toBe(1);
    // Re-tagged by the other process: it leaves the filter.
    await other.services.movies.update(second._id, { tags: ['elsewhere'] });
    expect(await totalCount({ tags: [tag] })).toBe(0);
  });

  it('still counts when the counter cannot be read, and keeps nothing then', async () => {
    const tag = unique('count-no-counter');
    await createMovie(api, { title: `${tag} 1`, tags: [tag] });
    const failing = jest
      .spyOn(api.api.services.catalogVersion, 'current')
      .mockRejectedValue(new Error('counter unreachable'));
    try {
      counted.mockClear();
      expect(await totalCount({ tags: [tag] })).toBe(1);
      expect(await totalCount({ tags: [tag] })).toBe(1);
      expect(counted).toHaveBeenCalledTimes(2);
    } finally {
      failing.mockRestore();
    }
  });

  it('counts again in this process when a write could not move the counter', async () => {
    const tag = unique('count-bump-failed');
    await createMovie(api, { title: `${tag} a`, tags: [tag] });
    expect(await totalCount({ tags: [tag] })).toBe(1);
    const bump = jest
      .spyOn(api.api.services.catalogVersion, 'bump')
      .mockRejectedValueOnce(new Error('increment failed'));
    try {
      // The write is done; the mutation reports the failed increment.
      await expect(createMovie(api, { title: `${tag} b`, tags: [tag] })).rejects.toThrow(
        'increment failed',
      );
    } finally {
      bump.mockRestore();
    }
    expect(await totalCount({ tags: [tag] })).toBe(2);
  });

  it('keeps a count for the catalog max-age at most: writes outside the API show after it', async () => {
    const tag = unique('count-external');
    await createMovie(api, { title: `${tag} a`, tags: [tag] });
    expect(await totalCount({ tags: [tag] })).toBe(1);
    // Written by something else than the API (an import, a shell): the counter does not move.
    await MovieModel.create({
      title: `${tag} b`,
      titleSearch: `${tag} b`,
      year: 2000,
      cover: 'https://covers.example.com/x.jpg',
      description: 'An imported movie.',
      duration: 100,
      contentRating: 'PG',
      source: 'https://stream.example.com/x',
      tags: [tag],
    });
    expect(await totalCount({ tags: [tag] })).toBe(1);
    const now = Date.now();
    const later = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      expect(await totalCount({ tags: [tag] })).toBe(2);
    } finally {
      later.mockRestore();
    }
  });
});
