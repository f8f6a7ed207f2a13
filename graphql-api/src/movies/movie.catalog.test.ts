import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { createMovie, createSignedInUser, unique } from '../../test/factories';
import type { TestApi } from '../testing';
import { MAX_MOVIES_OFFSET } from './movie.inputs';
import { MOVIE_LIMITS } from './movie.model';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const MOVIES = `query Movies($filter: MovieFilter, $first: Int!, $after: String, $offset: Int) {
  movies(filter: $filter, first: $first, after: $after, offset: $offset) {
    totalCount
    edges { cursor node { id title } }
    pageInfo { endCursor hasNextPage hasPreviousPage }
  }
}`;

interface MoviesData {
  movies: {
    totalCount: number;
    edges: { cursor: string; node: { id: string; title: string } }[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean; hasPreviousPage: boolean };
  };
}

const movies = (variables: Record<string, unknown>) =>
  execute<MoviesData>(api, MOVIES, { first: 20, ...variables }, { apiKey: api.publicApiKey });

/** The titles a search finds among the movies carrying `tag`, with no error. */
async function titlesFound(tag: string, search: string): Promise<string[]> {
  const result = await movies({ filter: { tags: [tag], search } });
  expect(result.errors).toBeUndefined();
  return result.data?.movies.edges.map((edge) => edge.node.title.slice(tag.length + 1)) ?? [];
}

describe('movies(filter: { search })', () => {
  const tag = unique('search');
  beforeAll(async () => {
    const titles = [
      'Amélie',
      'Amelie Returns',
      'Seven Samurai',
      'Straße der Sehnsucht',
      'Æon Flux',
      'Ørsted',
      'What (If).* Ever',
    ];
    for (const title of titles) await createMovie(api, { title: `${tag} ${title}`, tags: [tag] });
  });

  it('ignores case and accents on both sides: amelie, AMÉLIE and amélie find Amélie and Amelie', async () => {
    for (const search of ['amelie', 'AMÉLIE', 'amélie', 'Amelie', 'AmÉlIe']) {
      expect(await titlesFound(tag, search)).toEqual(['Amelie Returns', 'Amélie']);
    }
    expect(await titlesFound(tag, 'seven samurai')).toEqual(['Seven Samurai']);
    expect(await titlesFound(tag, '  SEVEN   samurai ')).toEqual(['Seven Samurai']);
  });

  it('matches letters without a decomposition as spelled out: ß, æ, ø', async () => {
    expect(await titlesFound(tag, 'strasse')).toEqual(['Straße der Sehnsucht']);
    expect(await titlesFound(tag, 'STRASSE')).toEqual(['Straße der Sehnsucht']);
    expect(await titlesFound(tag, 'straße')).toEqual(['Straße der Sehnsucht']);
    expect(await titlesFound(tag, 'aeon')).toEqual(['Æon Flux']);
    expect(await titlesFound(tag, 'orsted')).toEqual(['Ørsted']);
  });

  it('matches regex metacharacters literally and never fails on them', async () => {
    expect(await titlesFound(tag, '.*')).toEqual(['What (If).* Ever']);
    expect(await titlesFound(tag, '(')).toEqual(['What (If).* Ever']);
    expect(await titlesFound(tag, '(if).* ev')).toEqual(['What (If).* Ever']);
    for (const search of ['a.*e', '[', '\\', '^amelie', 'amelie$', 'a|s', '(?=a)', '+', '{2}']) {
      expect(await titlesFound(tag, search)).toEqual([]);
    }
  });

  it('treats a search of only accents (or spaces) as no search, without an error', async () => {
    const all = (await titlesFound(tag, '')).length;
    expect(all).toBe(7);
    for (const search of ['\u0301', '\u0301\u0308\u0327', '´', '  ']) {
      expect(await titlesFound(tag, search)).toHaveLength(all);
    }
  });

  it('takes a search of the maximum length (even one that folds much longer) and refuses one above', async () => {
    const longest = 'é'.repeat(MOVIE_LIMITS.titleMax);
    expect(await titlesFound(tag, longest)).toEqual([]);
    // U+FDFA decomposes (NFKD) into 18 characters: the folded text is far longer than the input.
    expect(await titlesFound(tag, '\uFDFA'.repeat(MOVIE_LIMITS.titleMax))).toEqual([]);
    const tooLong = await movies({ filter: { search: 'a'.repeat(MOVIE_LIMITS.titleMax + 1) } });
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    expect(firstError(tooLong).extensions?.fields).toEqual([
      { argument: 'filter', field: 'search', constraints: { maxLength: expect.any(String) } },
    ]);
  });

  it('keeps the folded title in step when an admin renames a movie', async () => {
    const own = unique('rename');
    const admin = (await createSignedInUser(api, { isAdmin: true, keyToken: api.adminApiKey }))
      .token;
    const movie = await createMovie(api, { title: `${own} Zoë`, tags: [own] });
    expect(await titlesFound(own, 'zoe')).toEqual(['Zoë']);
    const renamed = await execute(
      api,
      `mutation ($id: ID!, $input: UpdateMovieInput!) { updateMovie(id: $id, input: $input) { title } }`,
      { id: movie._id.toHexString(), input: { title: `${own} Léon` } },
      { apiKey: api.adminApiKey, token: admin },
    );
    expect(renamed.errors).toBeUndefined();
    expect(await titlesFound(own, 'zoe')).toEqual([]);
    expect(await titlesFound(own, 'LEON')).toEqual(['Léon']);
    // Other changes leave it alone.
    await api.api.services.movies.update(movie._id, { year: 2001 });
    expect(await titlesFound(own, 'leon')).toEqual(['Léon']);
  });

  it('never exposes the folded title', async () => {
    const result = await execute(
      api,
      '{ movies(first: 1) { edges { node { titleSearch } } } }',
      {},
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('movies(offset)', () => {
  const tag = unique('pages');
  const letters = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
  beforeAll(async () => {
    for (const title of [...letters].reverse()) {
      await createMovie(api, { title: `${tag} ${title}`, tags: [tag] });
    }
  });
  const page = async (offset: number | null, first = 2, filter: object = { tags: [tag] }) => {
    const result = await movies({ filter, first, offset });
    expect(result.errors).toBeUndefined();
    const connection = result.data?.movies;
    return {
      titles: connection?.edges.map((edge) => edge.node.title.slice(tag.length + 1)),
      pageInfo: connection?.pageInfo,
      totalCount: connection?.totalCount,
    };
  };

  it('skips that many matching movies in title order: page N of M', async () => {
    expect(await page(0)).toMatchObject({
      titles: ['Alpha', 'Bravo'],
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
      totalCount: 5,
    });
    expect(await page(null)).toMatchObject({
      titles: ['Alpha', 'Bravo'],
      pageInfo: { hasNextPage: true, hasPreviousPage: false },
    });
    expect(await page(2)).toMatchObject({
      titles: ['Charlie', 'Delta'],
      pageInfo: { hasNextPage: true, hasPreviousPage: true },
      totalCount: 5,
    });
    expect(await page(4)).toMatchObject({
      titles: ['Echo'],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, endCursor: expect.any(String) },
      totalCount: 5,
    });
    // Exactly the end: no next page.
    expect(await page(3)).toMatchObject({
      titles: ['Delta', 'Echo'],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
    });
  });

  it('past the end: no edges, no next page, a previous page only when something matches', async () => {
    expect(await page(5)).toMatchObject({
      titles: [],
      pageInfo: { endCursor: null, hasNextPage: false, hasPreviousPage: true },
      totalCount: 5,
    });
    expect(await page(MAX_MOVIES_OFFSET)).toMatchObject({
      titles: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
    });
    expect(await page(3, 2, { tags: [unique('nothing')] })).toMatchObject({
      titles: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false },
      totalCount: 0,
    });
  });

  it('gives the same pages as cursors, and its endCursor continues with after', async () => {
    const byOffset = await movies({ filter: { tags: [tag] }, first: 2, offset: 2 });
    const first = await movies({ filter: { tags: [tag] }, first: 2 });
    const byCursor = await movies({
      filter: { tags: [tag] },
      first: 2,
      after: first.data?.movies.pageInfo.endCursor,
    });
    expect(byOffset.data?.movies.edges).toEqual(byCursor.data?.movies.edges);
    expect(byCursor.data?.movies.pageInfo.hasPreviousPage).toBe(true);
    const next = await movies({
      filter: { tags: [tag] },
      first: 2,
      after: byOffset.data?.movies.pageInfo.endCursor,
    });
    expect(next.data?.movies.edges.map((edge) => edge.node.title)).toEqual([`${tag} Echo`]);
  });

  it('refuses a negative or too large offset with a clear BAD_USER_INPUT', async () => {
    const negative = await movies({ offset: -1 });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    expect(firstError(negative).extensions?.fields).toEqual([
      { argument: 'offset', field: '', constraints: { min: 'offset must not be negative' } },
    ]);
    const huge = await movies({ offset: MAX_MOVIES_OFFSET + 1 });
    expect(errorCode(huge)).toBe('BAD_USER_INPUT');
    expect(firstError(huge).extensions?.fields).toEqual([
      {
        argument: 'offset',
        field: '',
        constraints: { max: 'offset must be at most 10000; page further with after' },
      },
    ]);
    // Beyond a GraphQL Int: refused while coercing the variables, before anything runs.
    expect(errorCode(await movies({ offset: 2 ** 31 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await movies({ offset: 1.5 }))).toBe('BAD_USER_INPUT');
    // A literal is validated the same way as a variable.
    const literal = await execute(
      api,
      '{ movies(first: 1, offset: -5) { totalCount } }',
      {},
      { apiKey: api.publicApiKey },
    );
    expect(firstError(literal).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'offset', constraints: { min: expect.any(String) } }),
    ]);
  });

  it('refuses offset together with after, naming both', async () => {
    const first = await movies({ filter: { tags: [tag] }, first: 1 });
    const cursor = first.data?.movies.pageInfo.endCursor;
    const both = await movies({ filter: { tags: [tag] }, first: 1, after: cursor, offset: 1 });
    expect(errorCode(both)).toBe('BAD_USER_INPUT');
    expect(firstError(both).extensions?.fields).toEqual([
      {
        argument: 'offset',
        field: '',
        constraints: {
          notTogetherWith: 'offset cannot be used together with after; send one of them',
        },
      },
    ]);
    // Even offset 0 with a cursor: the caller must pick one way to say where the page starts.
    expect(errorCode(await movies({ first: 1, after: cursor, offset: 0 }))).toBe('BAD_USER_INPUT');
    // An explicit null offset is no offset.
    const nullOffset = await movies({
      filter: { tags: [tag] },
      first: 1,
      after: cursor,
      offset: null,
    });
    expect(nullOffset.errors).toBeUndefined();
    expect(nullOffset.data?.movies.edges.map((edge) => edge.node.title)).toEqual([`${tag} Bravo`]);
  });
});
