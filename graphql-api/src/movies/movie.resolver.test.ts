import { Types } from 'mongoose';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { createMovie, createSignedInUser, unique } from '../../test/factories';
import type { TestApi } from '../testing';
import { UserMovieModel } from '../user-movies';
import { MovieModel } from './movie.model';

let api: TestApi;
let adminToken: string;
let memberToken: string;

beforeAll(async () => {
  api = await startApi();
  adminToken = (await createSignedInUser(api, { isAdmin: true, keyToken: api.adminApiKey })).token;
  memberToken = (await createSignedInUser(api, { keyToken: api.adminApiKey })).token;
});
afterAll(() => api.stop());

const MOVIES = `query Movies($filter: MovieFilter, $first: Int!, $after: String) {
  movies(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id title year tags inMyList } }
    pageInfo { endCursor hasNextPage }
  }
}`;
const MOVIE = `query Movie($id: ID!) { movie(id: $id) { id title inMyList } }`;
const CREATE = `mutation Create($input: CreateMovieInput!) { createMovie(input: $input) { id title tags year } }`;
const UPDATE = `mutation Update($id: ID!, $input: UpdateMovieInput!) { updateMovie(id: $id, input: $input) { id title year tags } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMovie(id: $id) }`;

interface MoviesData {
  movies: {
    totalCount: number;
    edges: {
      cursor: string;
      node: { id: string; title: string; year: number; tags: string[]; inMyList: boolean };
    }[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}

const validInput = (overrides: Record<string, unknown> = {}) => ({
  title: unique('Created'),
  year: 1999,
  cover: 'https://covers.example.com/c.jpg',
  description: 'Created in a test.',
  duration: 120,
  contentRating: 'PG-13',
  source: 'https://stream.example.com/c',
  ...overrides,
});

describe('movies', () => {
  it('pages through a filtered catalog by title with opaque cursors', async () => {
    const tag = unique('tag');
    const titles = ['Delta', 'Alpha', 'Echo', 'Charlie', 'Bravo'].map((t) => `${tag} ${t}`);
    for (const title of titles) await createMovie(api, { title, tags: [tag] });
    await createMovie(api, { title: `${tag} Other` });

    const first = await execute<MoviesData>(
      api,
      MOVIES,
      { filter: { tags: [tag] }, first: 2 },
      { apiKey: api.publicApiKey },
    );
    expect(first.errors).toBeUndefined();
    expect(first.data?.movies.totalCount).toBe(5);
    expect(first.data?.movies.edges.map((e) => e.node.title)).toEqual([
      `${tag} Alpha`,
      `${tag} Bravo`,
    ]);
    expect(first.data?.movies.pageInfo.hasNextPage).toBe(true);
    expect(first.data?.movies.edges[0]?.cursor).not.toContain('Alpha');

    const rest = await execute<MoviesData>(
      api,
      MOVIES,
      { filter: { tags: [tag] }, first: 10, after: first.data?.movies.pageInfo.endCursor },
      { apiKey: api.publicApiKey },
    );
    expect(rest.data?.movies.edges.map((e) => e.node.title)).toEqual([
      `${tag} Charlie`,
      `${tag} Delta`,
      `${tag} Echo`,
    ]);
    expect(rest.data?.movies.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by every tag, year and a case-insensitive plain-text title search', async () => {
    const tag = unique('t');
    await createMovie(api, {
      title: `${tag} (Director's Cut) [1.5]`,
      tags: [tag, 'x'],
      year: 1980,
    });
    await createMovie(api, { title: `${tag} Plain`, tags: [tag], year: 1981 });
    const query = (filter: Record<string, unknown>) =>
      execute<MoviesData>(api, MOVIES, { filter, first: 20 }, { apiKey: api.publicApiKey });

    expect((await query({ tags: [tag, 'x'] })).data?.movies.edges).toHaveLength(1);
    expect(
      (await query({ tags: [tag], year: 1981 })).data?.movies.edges.map((e) => e.node.year),
    ).toEqual([1981]);
    // Regex metacharacters match literally; a regex from the caller is never run as one.
    const literal = await query({ search: `${tag.toUpperCase()} (director's cut) [1.5]` });
    expect(literal.data?.movies.edges).toHaveLength(1);
    expect((await query({ search: `${tag}.*` })).data?.movies.edges).toHaveLength(0);
  });

  it('refuses first above 100 or below 1, and a forged cursor, with BAD_USER_INPUT', async () => {
    const tooMany = await execute(api, MOVIES, { first: 101 }, { apiKey: api.publicApiKey });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(firstError(tooMany).extensions?.fields).toEqual([
      { argument: 'first', field: '', constraints: { max: expect.any(String) } },
    ]);
    expect(errorCode(await execute(api, MOVIES, { first: 0 }, { apiKey: api.publicApiKey }))).toBe(
      'BAD_USER_INPUT',
    );
    const forged = await execute(
      api,
      MOVIES,
      { first: 5, after: 'bm90IGEgY3Vyc29y' },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(forged)).toBe('BAD_USER_INPUT');
    expect(firstError(forged).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'after' }),
    ]);
  });

  it('refuses operator objects in filters before running', async () => {
    const result = await execute(
      api,
      MOVIES,
      { filter: { search: { $regex: '.*' } }, first: 5 },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const tags = await execute(
      api,
      MOVIES,
      { filter: { tags: { $ne: null } }, first: 5 },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(tags)).toBe('BAD_USER_INPUT');
  });

  it('needs read:movies', async () => {
    const key = (await api.api.services.apiKeys.create('signin-only', ['signin:auth'])).token;
    const result = await execute(api, MOVIES, { first: 1 }, { apiKey: key });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(firstError(result).extensions?.missingScopes).toEqual(['read:movies']);
    expect(errorCode(await execute(api, MOVIES, { first: 1 }))).toBe('UNAUTHENTICATED');
  });
});

describe('movie and movieTags', () => {
  it('returns a movie by id, null for a missing one, BAD_USER_INPUT for a malformed id', async () => {
    const movie = await createMovie(api);
    const found = await execute<{ movie: { id: string; title: string } }>(
      api,
      MOVIE,
      { id: movie._id.toHexString() },
      { apiKey: api.publicApiKey },
    );
    expect(found.data?.movie).toMatchObject({ id: movie._id.toHexString(), title: movie.title });
    const missing = await execute<{ movie: null }>(
      api,
      MOVIE,
      { id: new Types.ObjectId().toHexString() },
      { apiKey: api.publicApiKey },
    );
    expect(missing.errors).toBeUndefined();
    expect(missing.data?.movie).toBeNull();
    const malformed = await execute(api, MOVIE, { id: 'abc' }, { apiKey: api.publicApiKey });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(firstError(malformed).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'id' }),
    ]);
    expect(errorCode(await execute(api, MOVIE, { id: movie._id.toHexString() }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('movie and movieTags need read:movies', async () => {
    const key = (await api.api.services.apiKeys.create('no-read', ['signin:auth'])).token;
    for (const query of [MOVIE, '{ movieTags }']) {
      const result = await execute(
        api,
        query,
        { id: new Types.ObjectId().toHexString() },
        { apiKey: key },
      );
      expect(errorCode(result)).toBe('FORBIDDEN');
      expect(firstError(result).extensions?.missingScopes).toEqual(['read:movies']);
    }
  });

  it('lists every tag once, sorted', async () => {
    const a = unique('aaa');
    const b = unique('bbb');
    await createMovie(api, { tags: [b, a] });
    await createMovie(api, { tags: [a] });
    const result = await execute<{ movieTags: string[] }>(
      api,
      '{ movieTags }',
      {},
      { apiKey: api.publicApiKey },
    );
    const tags = result.data?.movieTags ?? [];
    expect(tags.filter((tag) => tag === a)).toHaveLength(1);
    expect(tags).toEqual([...tags].sort((x, y) => x.localeCompare(y)));
    expect(tags.indexOf(a)).toBeLessThan(tags.indexOf(b));
    expect(errorCode(await execute(api, '{ movieTags }'))).toBe('UNAUTHENTICATED');
  });

  it('says whether the movie is in the calling user’s list', async () => {
    const movie = await createMovie(api);
    const { user, token } = await createSignedInUser(api);
    await api.api.services.userMovies.add(user._id, movie._id);
    const mine = await execute<{ movie: { inMyList: boolean } }>(
      api,
      MOVIE,
      { id: movie._id.toHexString() },
      { apiKey: api.publicApiKey, token },
    );
    expect(mine.data?.movie.inMyList).toBe(true);
    const other = await createSignedInUser(api);
    const theirs = await execute<{ movie: { inMyList: boolean } }>(
      api,
      MOVIE,
      { id: movie._id.toHexString() },
      { apiKey: api.publicApiKey, token: other.token },
    );
    expect(theirs.data?.movie.inMyList).toBe(false);
    const anonymous = await execute<{ movie: { inMyList: boolean } }>(
      api,
      MOVIE,
      { id: movie._id.toHexString() },
      { apiKey: api.publicApiKey },
    );
    expect(anonymous.data?.movie.inMyList).toBe(false);
  });
});

describe('createMovie, updateMovie, deleteMovie', () => {
  it('lets the admin key and an admin user create, update and delete', async () => {
    const created = await execute<{ createMovie: { id: string; tags: string[] } }>(
      api,
      CREATE,
      { input: validInput() },
      { apiKey: api.adminApiKey },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createMovie.tags).toEqual([]);
    const id = created.data?.createMovie.id ?? '';

    const updated = await execute<{ updateMovie: { title: string; year: number } }>(
      api,
      UPDATE,
      { id, input: { title: 'Renamed', tags: ['new'] } },
      { token: adminToken },
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateMovie).toMatchObject({ title: 'Renamed', year: 1999 });

    const deleted = await execute<{ deleteMovie: boolean }>(
      api,
      DELETE,
      { id },
      { token: adminToken },
    );
    expect(deleted.data?.deleteMovie).toBe(true);
    expect(await MovieModel.exists({ _id: id })).toBeNull();
  });

  it('refuses the public key and a non-admin user with FORBIDDEN naming the scope', async () => {
    const movie = await createMovie(api);
    const id = movie._id.toHexString();
    const cases: [string, Record<string, unknown>, string][] = [
      [CREATE, { input: validInput() }, 'create:movies'],
      [UPDATE, { id, input: { title: 'x' } }, 'update:movies'],
      [DELETE, { id }, 'delete:movies'],
    ];
    for (const [query, variables, scope] of cases) {
      for (const credentials of [{ apiKey: api.publicApiKey }, { token: memberToken }]) {
        const result = await execute(api, query, variables, credentials);
        expect(errorCode(result)).toBe('FORBIDDEN');
        expect(firstError(result).extensions?.missingScopes).toEqual([scope]);
      }
      expect(errorCode(await execute(api, query, variables))).toBe('UNAUTHENTICATED');
    }
    expect(await MovieModel.findById(movie._id).lean()).toMatchObject({ title: movie.title });
  });

  it.each([
    ['title', { title: 'x'.repeat(81) }, 'isLength'],
    ['year', { year: 1887 }, 'min'],
    ['year', { year: 2078 }, 'max'],
    ['cover', { cover: 'javascript:alert(1)' }, 'isUrl'],
    ['description', { description: 'x'.repeat(301) }, 'maxLength'],
    ['duration', { duration: 0 }, 'min'],
    ['duration', { duration: 301 }, 'max'],
    ['contentRating', { contentRating: 'TOO-LONG' }, 'maxLength'],
    ['source', { source: 'not a url' }, 'isUrl'],
    ['tags', { tags: ['x'.repeat(51)] }, 'isLength'],
  ])('createMovie refuses a bad %s (%#)', async (field, override, constraint) => {
    const input = validInput(override);
    const result = await execute(api, CREATE, { input }, { apiKey: api.adminApiKey });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(firstError(result).extensions?.fields).toEqual([
      {
        argument: 'input',
        field,
        constraints: expect.objectContaining({ [constraint]: expect.any(String) }),
      },
    ]);
    expect(await MovieModel.countDocuments({ title: input.title })).toBe(0);
  });

  it('refuses a blank title (trimmed to nothing) with BAD_USER_INPUT, not an internal error', async () => {
    const created = await execute(
      api,
      CREATE,
      { input: validInput({ title: '   ' }) },
      { apiKey: api.adminApiKey },
    );
    expect(errorCode(created)).toBe('BAD_USER_INPUT');
    expect(firstError(created).extensions?.fields).toEqual([
      { argument: 'input', field: 'title', constraints: { matches: 'title must not be blank' } },
    ]);
    const movie = await createMovie(api);
    const updated = await execute(
      api,
      UPDATE,
      { id: movie._id.toHexString(), input: { title: ' \t ' } },
      { apiKey: api.adminApiKey },
    );
    expect(errorCode(updated)).toBe('BAD_USER_INPUT');
    expect(await MovieModel.findById(movie._id).lean()).toMatchObject({ title: movie.title });
  });

  it('updateMovie refuses null for a required field and bad values, changing nothing', async () => {
    const movie = await createMovie(api);
    const id = movie._id.toHexString();
    const nullTitle = await execute(
      api,
      UPDATE,
      { id, input: { title: null } },
      { apiKey: api.adminApiKey },
    );
    expect(errorCode(nullTitle)).toBe('BAD_USER_INPUT');
    expect(firstError(nullTitle).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'input', field: 'title' }),
    ]);
    const badYear = await execute(
      api,
      UPDATE,
      { id, input: { year: 3000 } },
      { apiKey: api.adminApiKey },
    );
    expect(errorCode(badYear)).toBe('BAD_USER_INPUT');
    expect(
      errorCode(await execute(api, UPDATE, { id: 'nope', input: {} }, { apiKey: api.adminApiKey })),
    ).toBe('BAD_USER_INPUT');
    expect(await MovieModel.findById(movie._id).lean()).toMatchObject({
      title: movie.title,
      year: movie.year,
    });
  });

  it('updating or deleting a missing movie is NOT_FOUND, never an upsert', async () => {
    const id = new Types.ObjectId().toHexString();
    expect(
      errorCode(
        await execute(api, UPDATE, { id, input: { title: 'Ghost' } }, { apiKey: api.adminApiKey }),
      ),
    ).toBe('NOT_FOUND');
    expect(errorCode(await execute(api, DELETE, { id }, { apiKey: api.adminApiKey }))).toBe(
      'NOT_FOUND',
    );
    expect(await MovieModel.exists({ _id: id })).toBeNull();
    expect(await MovieModel.exists({ title: 'Ghost' })).toBeNull();
  });

  it('deleting a movie removes it from every list', async () => {
    const movie = await createMovie(api);
    const { user } = await createSignedInUser(api);
    await api.api.services.userMovies.add(user._id, movie._id);
    await execute(api, DELETE, { id: movie._id.toHexString() }, { apiKey: api.adminApiKey });
    expect(await UserMovieModel.countDocuments({ movie: movie._id })).toBe(0);
  });
});
