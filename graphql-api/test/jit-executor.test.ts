import { Types } from 'mongoose';
import request from 'supertest';
import type { Response } from 'supertest';
import type { ApiApp } from '../src/app';
import { createApp } from '../src/app';
import type { TestApi } from '../src/testing';
import { startApi } from './execute-operation';
import { createMovie, createSignedInUser, unique } from './factories';

// The same requests through an API that compiles every operation at once (graphql-jit) and one
// that never does (graphql-js), on the same database: status, body and the headers a client
// or cache reads must be identical, errors included.

let api: TestApi;
let compiled: ApiApp;
let interpreted: ApiApp;
beforeAll(async () => {
  api = await startApi();
  compiled = await createApp({ ...api.config, jitThreshold: 1, responseCache: off });
  interpreted = await createApp({ ...api.config, jitThreshold: 0, responseCache: off });
});
afterAll(async () => {
  await compiled.stop();
  await interpreted.stop();
  await api.stop();
});

const off = { maxBytes: 0, versionTrustMs: 0 };

const post = (app: ApiApp, body: unknown, headers: Record<string, string>) => {
  let call = request(app.app).post('/graphql').set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  return call.send(JSON.stringify(body));
};

const seen = (response: Response) => ({
  status: response.status,
  body: response.body as unknown,
  cacheControl: response.headers['cache-control'],
  contentType: response.headers['content-type'],
});

/** Sends the request to both APIs (twice each: the second run of a document is compiled too). */
async function both(body: unknown, headers: Record<string, string>) {
  const fromJit = [await post(compiled, body, headers), await post(compiled, body, headers)];
  const fromJs = [await post(interpreted, body, headers), await post(interpreted, body, headers)];
  expect(fromJit.map(seen)).toEqual(fromJs.map(seen));
  return fromJit[1] as Response;
}

const MOVIE_FIELDS = 'id title year tags duration contentRating createdAt updatedAt inMyList';

describe('compiled execution answers exactly what graphql-js answers', () => {
  let key: Record<string, string>;
  let user: Record<string, string>;
  let other: Record<string, string>;
  let prefix: string;
  let movieId: string;
  beforeAll(async () => {
    key = { 'X-API-Key': api.publicApiKey };
    const signedIn = await createSignedInUser(api);
    user = { ...key, Authorization: `Bearer ${signedIn.token}` };
    const someoneElse = await createSignedInUser(api);
    other = { ...key, Authorization: `Bearer ${someoneElse.token}` };
    prefix = unique('Jit');
    for (let i = 0; i < 3; i += 1) {
      const movie = await createMovie(api, { title: `${prefix} ${i}`, tags: ['jit', `t${i}`] });
      movieId ??= movie._id.toHexString();
    }
    await api.api.services.userMovies.add(signedIn.user._id, new Types.ObjectId(movieId));
  });

  const cases: [string, () => { body: unknown; headers: Record<string, string> }][] = [
    [
      'a catalog page with variables, fragments, aliases and directives',
      () => ({
        headers: key,
        body: {
          query: `query Page($first: Int!, $search: String, $withCount: Boolean!, $tags: [String!]) {
            movies(first: $first, filter: { search: $search, tags: $tags }) {
              total: totalCount @include(if: $withCount)
              pageInfo { hasNextPage hasPreviousPage endCursor }
              edges { cursor node { ...M alias: title } }
            }
          }
          fragment M on Movie { ${MOVIE_FIELDS} }`,
          variables: { first: 2, search: prefix, withCount: true, tags: ['jit'] },
        },
      }),
    ],
    [
      'the same page signed in (PRIVATE, inMyList true)',
      () => ({
        headers: user,
        body: {
          query: `query { me { name myListCount } movies(first: 5, filter: { search: "${prefix}" }) { edges { node { ${MOVIE_FIELDS} } } } }`,
        },
      }),
    ],
    [
      'a movie by id, and one that does not exist',
      () => ({
        headers: key,
        body: {
          query: `query($id: ID!, $missing: ID!) { movie(id: $id) { title tags } nope: movie(id: $missing) { title } }`,
          variables: { id: movieId, missing: '0123456789abcdef01234567' },
        },
      }),
    ],
    [
      'an invalid id (a resolver error with a code)',
      () => ({ headers: key, body: { query: `{ movie(id: "not-an-id") { title } }` } }),
    ],
    [
      'arguments refused by class-validator',
      () => ({ headers: key, body: { query: `{ movies(first: 100000) { totalCount } }` } }),
    ],
    [
      'a signed-in field without a user (UNAUTHENTICATED, null bubbling)',
      () => ({
        headers: key,
        body: { query: `{ sessions { id } movies(first: 1) { totalCount } }` },
      }),
    ],
    [
      'a non-null error bubbling to the root',
      () => ({ headers: key, body: { query: `{ userMovies(first: 2) { totalCount } }` } }),
    ],
    [
      'variables of the wrong type',
      () => ({
        headers: key,
        body: {
          query: `query($first: Int!, $f: MovieFilter) { movies(first: $first, filter: $f) { totalCount } }`,
          variables: { first: 'two', f: { year: 'x', unknown: 1 } },
        },
      }),
    ],
    [
      'a list where an input object is expected (graphql-jit alone would accept it)',
      () => ({
        headers: key,
        body: {
          query: `query($f: MovieFilter) { movies(first: 1, filter: $f) { totalCount } }`,
          variables: { f: [] },
        },
      }),
    ],
    [
      'a missing required variable',
      () => ({
        headers: key,
        body: { query: `query($first: Int!) { movies(first: $first) { totalCount } }` },
      }),
    ],
    [
      'a named operation among several',
      () => ({
        headers: key,
        body: {
          query: `query A { movieTags } query B { movies(first: 1) { totalCount } }`,
          operationName: 'B',
        },
      }),
    ],
    [
      'an unknown operation name',
      () => ({
        headers: key,
        body: { query: `query A { movieTags } query B { movieTags }`, operationName: 'C' },
      }),
    ],
    [
      'a mutation refused for a missing scope',
      () => ({
        headers: user,
        body: { query: `mutation($id: ID!) { deleteMovie(id: $id) }`, variables: { id: movieId } },
      }),
    ],
    [
      "another user's list entry is not theirs to remove",
      () => ({
        headers: other,
        body: {
          query: `mutation($id: ID!) { removeUserMovie(movieId: $id) }`,
          variables: { id: movieId },
        },
      }),
    ],
    [
      'literals that would break generated code stay data (quotes, backticks, ${}, line separators)',
      () => ({
        headers: key,
        body: {
          query:
            '{ movies(first: 2, filter: { search: "\\"); process.exit(1); (\\" `${process.exit(2)}` \'\\u2028\\u2029 */ //" }) { totalCount edges { node { title } } } }',
        },
      }),
    ],
    [
      'introspection',
      () => ({
        headers: key,
        body: {
          query: `{ __schema { queryType { name } types { name kind } } __type(name: "Movie") { fields { name type { name kind ofType { name } } } } }`,
        },
      }),
    ],
    [
      '__typename everywhere',
      () => ({
        headers: key,
        body: {
          query: `{ __typename movies(first: 1) { __typename edges { __typename node { __typename id } } } }`,
        },
      }),
    ],
  ];

  /** What each case must show, so a case that answers something else (on both) fails too. */
  const expected: Record<
    string,
    (body: {
      data?: unknown;
      errors?: { extensions?: { code?: string }; message: string }[];
    }) => void
  > = {
    'a catalog page with variables, fragments, aliases and directives': (body) =>
      expect(body).toMatchObject({ data: { movies: { total: 3, edges: [{}, {}] } } }),
    'the same page signed in (PRIVATE, inMyList true)': (body) =>
      expect(JSON.stringify(body.data)).toContain('"inMyList":true'),
    'a movie by id, and one that does not exist': (body) =>
      expect(body.data).toMatchObject({ movie: { tags: ['jit', 't0'] }, nope: null }),
    'an invalid id (a resolver error with a code)': (body) =>
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT'),
    'arguments refused by class-validator': (body) =>
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT'),
    'a signed-in field without a user (UNAUTHENTICATED, null bubbling)': (body) =>
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED'),
    'a non-null error bubbling to the root': (body) =>
      expect(body).toMatchObject({
        data: null,
        errors: [{ extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    'variables of the wrong type': (body) => expect(body.errors?.length).toBeGreaterThanOrEqual(1),
    'a list where an input object is expected (graphql-jit alone would accept it)': (body) =>
      expect(body.errors?.[0]?.message).toContain('to be an object'),
    'a missing required variable': (body) => expect(body.errors?.[0]?.message).toContain('$first'),
    'a named operation among several': (body) =>
      expect(body.data).toEqual({ movies: { totalCount: expect.any(Number) } }),
    'an unknown operation name': (body) => expect(body.errors?.[0]?.message).toContain('"C"'),
    'a mutation refused for a missing scope': (body) =>
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN'),
    "another user's list entry is not theirs to remove": (body) =>
      expect(body.data).toEqual({ removeUserMovie: false }),
    'literals that would break generated code stay data (quotes, backticks, ${}, line separators)':
      (body) => expect(body).toEqual({ data: { movies: { totalCount: 0, edges: [] } } }),
    introspection: (body) => expect(JSON.stringify(body.data)).toContain('"inMyList"'),
    '__typename everywhere': (body) =>
      expect(body.data).toMatchObject({
        __typename: 'Query',
        movies: { __typename: 'MovieConnection' },
      }),
  };

  it.each(cases)('%s', async (name, make) => {
    const { body, headers } = make();
    const response = await both(body, headers);
    expected[name]?.(response.body);
    expect(expected[name]).toBeDefined();
  });

  it('really compiles: the compiled API ran graphql-jit, the other never did', async () => {
    const before = compiled.jit.stats.compiled;
    await both({ query: `{ movies(first: 1) { totalCount } }` }, key);
    expect(compiled.jit.stats.compiled).toBe(before + 2);
    expect(interpreted.jit.stats.compiled).toBe(0);
    expect(interpreted.jit.stats.interpreted).toBeGreaterThan(0);
  });
});
