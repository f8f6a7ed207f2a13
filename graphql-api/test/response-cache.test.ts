import { readFileSync } from 'node:fs';
import { Types } from 'mongoose';
import request from 'supertest';
import type { Response } from 'supertest';
import type { ApiApp } from '../src/app';
import { createApp } from '../src/app';
import type { ApiConfig } from '../src/config';
import { Scope } from '../src/shared/scopes';
import type { TestApi } from '../src/testing';
import { startApi } from './execute-operation';
import { createMovie, createSignedInUser } from './factories';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const post = (app: ApiApp['app'], body: unknown, headers: Record<string, string> = {}) => {
  let call = request(app).post('/graphql').set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  return call.send(JSON.stringify(body));
};

/** A catalog read with the per-user field: PUBLIC without a user, PRIVATE with one. */
const CATALOG = `query Catalog($first: Int!, $search: String) {
  movies(first: $first, filter: { search: $search }) { totalCount edges { node { id title inMyList } } }
}`;

/** Each test's own movies (found by a unique search), so tests never see each other's. */
async function catalogOf(prefix: string, count = 2): Promise<{ ids: string[]; search: string }> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const movie = await createMovie(api, { title: `${prefix} ${i}` });
    ids.push(movie._id.toHexString());
  }
  return { ids, search: prefix };
}

const read = (app: ApiApp, search: string, headers: Record<string, string>, first = 10) =>
  post(app.app, { query: CATALOG, variables: { first, search } }, headers);

type Edge = { node: { id: string; title: string; inMyList: boolean } };
const nodes = (response: Response): Edge['node'][] =>
  (response.body.data.movies.edges as Edge[]).map((edge) => edge.node);

/** The headers a client sees, minus those that belong to one response. */
function stableHeaders(response: Response): Record<string, unknown> {
  const {
    date: _date,
    'x-request-id': _id,
    age: _age,
    'x-cache': _cache,
    ...rest
  } = response.headers as Record<string, unknown>;
  return rest;
}

describe('the public response cache', () => {
  it('answers a repeated key-only read from memory, byte for byte and with the same headers', async () => {
    const { search } = await catalogOf('Replayed');
    const key = { 'X-API-Key': api.publicApiKey };
    const first = await read(api.api, search, key);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('miss');
    expect(first.headers['cache-control']).toBe('max-age=60, public');
    const second = await read(api.api, search, key);
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(stableHeaders(second)).toEqual(stableHeaders(first));
    expect(second.headers.age).toBe('0');
    // Its own request id, as every response has.
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    const traced = await read(api.api, search, { ...key, 'X-Request-Id': 'trace-1' });
    expect(traced.headers['x-request-id']).toBe('trace-1');
  });

  it('answers the render server’s persisted catalog read (documentId, X-Client-IP) from memory', async () => {
    const manifest = JSON.parse(
      readFileSync(api.config.persistedDocuments.manifestPath, 'utf8'),
    ) as Record<string, string>;
    const [documentId] =
      Object.entries(manifest).find(([, text]) => text.includes('query CatalogPublic(')) ?? [];
    expect(documentId).toBeDefined();
    const body = { documentId, variables: { first: 2, offset: 0 } };
    const headers = {
      'X-API-Key': api.renderApiKey,
      'X-Client-IP': '203.0.113.90',
      Accept: 'application/graphql-response+json,application/json;q=0.9',
    };
    const first = await post(api.api.app, body, headers);
    expect(first.body.errors).toBeUndefined();
    expect(first.headers['x-cache']).toBe('miss');
    const second = await post(api.api.app, body, { ...headers, 'X-Client-IP': '203.0.113.91' });
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
  });

  it('never serves a signed-in user’s answer to anyone else, nor anyone’s answer to a user', async () => {
    const { ids, search } = await catalogOf('Private');
    const owner = await createSignedInUser(api);
    const other = await createSignedInUser(api);
    const listed = ids[0] ?? '';
    await api.api.services.userMovies.add(owner.user._id, new Types.ObjectId(listed));
    const key = { 'X-API-Key': api.publicApiKey };
    const asOwner = { ...key, Authorization: `Bearer ${owner.token}` };
    const asOther = { ...key, Authorization: `Bearer ${other.token}` };

    // The user first: their answer is private and never kept.
    const before = api.api.responseCache?.size;
    const mine = await read(api.api, search, asOwner);
    expect(mine.headers['cache-control']).toBe('max-age=60, private');
    expect(mine.headers['x-cache']).toBeUndefined();
    expect(nodes(mine).find((node) => node.id === listed)?.inMyList).toBe(true);
    expect(api.api.responseCache?.size).toBe(before);

    for (const headers of [key, {}, asOther]) {
      const response = await read(api.api, search, headers);
      expect(response.headers['x-cache']).not.toBe('hit');
      if (response.body.data) expect(nodes(response).every((node) => !node.inMyList)).toBe(true);
    }
    // Now the anonymous answer is kept; the owner still gets their own, every time.
    expect((await read(api.api, search, key)).headers['x-cache']).toBe('hit');
    for (let i = 0; i < 2; i += 1) {
      const again = await read(api.api, search, asOwner);
      expect(again.headers['x-cache']).toBeUndefined();
      expect(nodes(again).find((node) => node.id === listed)?.inMyList).toBe(true);
    }

    // The owner-only count and the viewer: never kept, never shared.
    const viewer = { query: '{ me { id myListCount } movies(first: 1) { totalCount } }' };
    const own = await post(api.api.app, viewer, asOwner);
    expect(own.body.data.me).toEqual({ id: owner.user._id.toHexString(), myListCount: 1 });
    const anonymous = await post(api.api.app, viewer, key);
    expect(anonymous.body.data.me).toBeNull();
    expect(anonymous.headers['x-cache']).toBeUndefined();
    expect((await post(api.api.app, viewer, key)).headers['x-cache']).toBeUndefined();
    // A cookie (whatever it holds) takes the full path too.
    const withCookie = await read(api.api, search, { ...key, Cookie: 'session=x' });
    expect(withCookie.headers['x-cache']).toBeUndefined();
  });

  it('keys by the API key: other scopes, no key or a revoked key never get its answer', async () => {
    const { search } = await catalogOf('Scoped');
    const reader = await api.api.services.apiKeys.create('reader', [Scope.ReadMovies]);
    const writer = await api.api.services.apiKeys.create('writer', [
      Scope.ReadMovies,
      Scope.CreateMovies,
    ]);
    const stranger = await api.api.services.apiKeys.create('stranger', [Scope.SignInAuth]);
    const asReader = { 'X-API-Key': reader.token };
    expect((await read(api.api, search, asReader)).headers['x-cache']).toBe('miss');
    expect((await read(api.api, search, asReader)).headers['x-cache']).toBe('hit');

    // Same scopes and more: its own entry, never the reader's.
    expect((await read(api.api, search, { 'X-API-Key': writer.token })).headers['x-cache']).toBe(
      'miss',
    );
    // No read:movies: refused, as without the cache.
    const refused = await read(api.api, search, { 'X-API-Key': stranger.token });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.body.data).toBeNull();
    // No key at all: no read:movies either.
    const anonymous = await read(api.api, search, {});
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // An unknown token: 401.
    expect((await read(api.api, search, { 'X-API-Key': `${reader.token}x` })).status).toBe(401);

    // Revoked: 401 at once in this process, never the kept answer.
    await api.api.services.apiKeys.revoke(reader.key.id);
    const revoked = await read(api.api, search, asReader);
    expect(revoked.status).toBe(401);
    expect(revoked.headers['x-cache']).toBeUndefined();
  });

  it('keys by variables, operationName, Accept and the whole body', async () => {
    const { search } = await catalogOf('Keyed', 3);
    const key = { 'X-API-Key': api.publicApiKey };
    const one = await read(api.api, search, key, 1);
    const two = await read(api.api, search, key, 2);
    expect(nodes(one)).toHaveLength(1);
    expect(nodes(two)).toHaveLength(2);
    expect(two.headers['x-cache']).toBe('miss');
    // The same variables in another order are the same request.
    const reordered = await post(
      api.api.app,
      { variables: { search, first: 2 }, query: CATALOG },
      key,
    );
    expect(reordered.headers['x-cache']).toBe('hit');
    expect(reordered.text).toBe(two.text);

    const named = `query Titles($s: String) { movies(first: 5, filter: { search: $s }) { edges { node { title } } } }
      query Count($s: String) { movies(filter: { search: $s }) { totalCount } }`;
    const titles = await post(
      api.api.app,
      { query: named, operationName: 'Titles', variables: { s: search } },
      key,
    );
    const count = await post(
      api.api.app,
      { query: named, operationName: 'Count', variables: { s: search } },
      key,
    );
    expect(titles.body.data.movies.edges).toHaveLength(3);
    expect(count.body.data).toEqual({ movies: { totalCount: 3 } });
    expect(count.headers['x-cache']).toBe('miss');

    const graphqlResponse = await read(api.api, search, {
      ...key,
      Accept: 'application/graphql-response+json',
    });
    expect(graphqlResponse.headers['x-cache']).toBe('miss');
    expect(graphqlResponse.headers['content-type']).toMatch(/^application\/graphql-response\+json/);
    const plain = await read(api.api, search, key, 1);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('shows a movie created, updated or deleted at once, in this process and in another one', async () => {
    const { ids, search } = await catalogOf('Changing');
    const second = await createApp(api.config);
    try {
      const key = { 'X-API-Key': api.publicApiKey };
      const admin = { 'X-API-Key': api.adminApiKey };
      const titles = async (app: ApiApp) => {
        const response = await read(app, search, key);
        return { cache: response.headers['x-cache'], titles: nodes(response).map((n) => n.title) };
      };
      for (const app of [api.api, second]) {
        await titles(app);
        expect((await titles(app)).cache).toBe('hit');
      }
      // Updated through the first instance (a mutation, as an admin would).
      const update = await post(
        api.api.app,
        {
          query:
            'mutation($id: ID!) { updateMovie(id: $id, input: { title: "Changing renamed" }) { id } }',
          variables: { id: ids[0] },
        },
        admin,
      );
      expect(update.body.errors).toBeUndefined();
      for (const app of [api.api, second]) {
        expect((await titles(app)).titles).toEqual(['Changing 1', 'Changing renamed']);
      }
      // Created and deleted through the second one.
      await createMovie({ api: second }, { title: 'Changing 2' });
      for (const app of [second, api.api]) {
        expect((await titles(app)).titles).toEqual([
          'Changing 1',
          'Changing 2',
          'Changing renamed',
        ]);
      }
      const remove = await post(
        second.app,
        { query: 'mutation($id: ID!) { deleteMovie(id: $id) }', variables: { id: ids[1] } },
        admin,
      );
      expect(remove.body.data).toEqual({ deleteMovie: true });
      for (const app of [api.api, second]) {
        expect((await titles(app)).titles).toEqual(['Changing 2', 'Changing renamed']);
      }
    } finally {
      await second.stop();
    }
  });

  it('trusts a counter read for versionTrustMs and makes writes wait as long, so no process serves a stale answer', async () => {
    const { ids, search } = await catalogOf('Trusted');
    // Long enough that the control below stays inside the window on a slow machine.
    const trustMs = 1000;
    const reader = await createApp({
      ...api.config,
      responseCache: { maxBytes: 1e6, versionTrustMs: trustMs },
    });
    const writer = await createApp({
      ...api.config,
      responseCache: { maxBytes: 1e6, versionTrustMs: trustMs },
    });
    // The control: a writer that does not wait (another process configured with 0).
    const hasty = await createApp({
      ...api.config,
      responseCache: { maxBytes: 1e6, versionTrustMs: 0 },
    });
    try {
      const key = { 'X-API-Key': api.publicApiKey };
      const titlesOn = async (app: ApiApp) => {
        const response = await read(app, search, key);
        return { cache: response.headers['x-cache'], titles: nodes(response).map((n) => n.title) };
      };
      const rename = async (app: ApiApp, title: string) => {
        const startedAt = Date.now();
        await app.services.movies.update(new Types.ObjectId(ids[0]), { title });
        return Date.now() - startedAt;
      };
      await titlesOn(reader);
      expect((await titlesOn(reader)).cache).toBe('hit');

      // A write that does not wait, inside the reader's window: the reader still trusts the
      // read it just made and serves the old answer. This is what the wait prevents.
      await titlesOn(reader);
      await rename(hasty, 'Trusted hasty');
      const stale = await titlesOn(reader);
      expect(stale).toEqual({ cache: 'hit', titles: ['Trusted 0', 'Trusted 1'] });

      // A write that waits: right after it answers, the reader sees it.
      await titlesOn(reader);
      const took = await rename(writer, 'Trusted waited');
      expect(took).toBeGreaterThanOrEqual(trustMs - 5);
      expect((await titlesOn(reader)).titles).toEqual(['Trusted 1', 'Trusted waited']);
      // And the writer's own process sees it too.
      expect((await titlesOn(writer)).titles).toEqual(['Trusted 1', 'Trusted waited']);
    } finally {
      await reader.stop();
      await writer.stop();
      await hasty.stop();
    }
  });

  it('makes each write wait its full trust window by the clock the trust is measured with', async () => {
    const catalogVersion = api.api.services.catalogVersion;
    const trustMs = api.config.responseCache.versionTrustMs;
    expect(trustMs).toBeGreaterThan(0);
    let shortest = Infinity;
    for (let i = 0; i < 20; i += 1) {
      const started = performance.now();
      await catalogVersion.bump();
      shortest = Math.min(shortest, performance.now() - started);
    }
    expect(shortest).toBeGreaterThanOrEqual(trustMs);
  });

  it('never keeps errors, partial results or mutations', async () => {
    const key = { 'X-API-Key': api.publicApiKey };
    const admin = { 'X-API-Key': api.adminApiKey };
    const cases = [
      { query: '{ movie(id: "not-an-id") { id } }' },
      { query: '{ movies(first: 1) { totalCount } movie(id: "not-an-id") { id } }' },
      { query: '{ movies(first: 1) { nope } }' },
      { query: '{' },
    ];
    for (const body of cases) {
      for (let i = 0; i < 2; i += 1) {
        const response = await post(api.api.app, body, key);
        expect(response.body.errors).toBeDefined();
        expect(response.headers['x-cache']).toBeUndefined();
      }
    }
    const partial = await post(api.api.app, cases[1], key);
    expect(partial.body.data).toEqual({ movies: { totalCount: expect.any(Number) }, movie: null });

    const create = {
      query: `mutation { createMovie(input: { title: "Twice", year: 2000, cover: "https://c.example.com/x.jpg",
        description: "d", duration: 90, contentRating: "PG", source: "https://s.example.com/x" }) { id } }`,
    };
    const made = new Set<string>();
    for (let i = 0; i < 2; i += 1) {
      const response = await post(api.api.app, create, admin);
      expect(response.headers['x-cache']).toBeUndefined();
      made.add(response.body.data.createMovie.id as string);
    }
    expect(made.size).toBe(2);

    // Malformed and oversized bodies get the same answers as without the cache.
    const malformed = await request(api.api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('X-API-Key', api.publicApiKey)
      .send('{"query": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(malformed.headers['x-request-id']).toBeDefined();
    expect(malformed.headers['content-security-policy']).toBeDefined();
  });

  it('keeps an answer for its maxAge and says its Age', async () => {
    const { search } = await catalogOf('Aging');
    const key = { 'X-API-Key': api.publicApiKey };
    const start = Date.now();
    expect((await read(api.api, search, key)).headers['x-cache']).toBe('miss');
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(start + 30_500);
      const aged = await read(api.api, search, key);
      expect(aged.headers['x-cache']).toBe('hit');
      expect(Number(aged.headers.age)).toBeGreaterThanOrEqual(29);
      expect(Number(aged.headers.age)).toBeLessThanOrEqual(31);
      now.mockReturnValue(start + 61_000);
      expect((await read(api.api, search, key)).headers['x-cache']).toBe('miss');
    } finally {
      now.mockRestore();
    }
  });
});

describe('bodies the cache reads itself answer as body-parser would', () => {
  let withoutCache: ApiApp;
  beforeAll(async () => {
    withoutCache = await createApp({
      ...api.config,
      responseCache: { maxBytes: 0, versionTrustMs: 0 },
    });
  });
  afterAll(() => withoutCache.stop());

  const raw = (app: ApiApp, body: string | Buffer, contentType: string) =>
    request(app.app)
      .post('/graphql')
      .set('Content-Type', contentType)
      .set('X-API-Key', api.publicApiKey)
      .send(body);

  const query = JSON.stringify({ query: '{ movies(first: 1) { totalCount } }' });
  const cases: [string, string | Buffer, string][] = [
    ['a plain body', query, 'application/json'],
    ['charset=utf-8', query, 'application/json; charset=utf-8'],
    [
      'a UTF-8 BOM',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(query)]),
      'application/json',
    ],
    ['broken JSON', '{"query": "{ movies', 'application/json'],
    ['a JSON string (not an object)', '"{ movieTags }"', 'application/json'],
    ['a JSON number', '42', 'application/json'],
    ['an array (a batch, refused)', `[${query}]`, 'application/json'],
    ['an empty body', '', 'application/json'],
    ['only whitespace', '   \n ', 'application/json'],
    ['leading whitespace', `  \n${query}`, 'application/json'],
    ['another charset (body-parser reads it)', query, 'application/json; charset=latin1'],
    ['an unknown charset', query, 'application/json; charset=klingon'],
    [
      'a lone surrogate',
      '{"query": "{ movies(first: 1, filter: { search: \\"\\ud800\\" }) { totalCount } }"}',
      'application/json',
    ],
  ];

  it.each(cases)('%s', async (_name, body, contentType) => {
    const cached = [await raw(api.api, body, contentType), await raw(api.api, body, contentType)];
    const plain = await raw(withoutCache, body, contentType);
    for (const response of cached) {
      expect({ status: response.status, body: response.body as unknown }).toEqual({
        status: plain.status,
        body: plain.body as unknown,
      });
    }
  });

  it('refuses a body over the limit with 413, whoever reads it', async () => {
    const big = JSON.stringify({ query: '{ movieTags }', variables: { pad: 'x'.repeat(110_000) } });
    const response = await raw(api.api, big, 'application/json');
    expect(response.status).toBe(413);
    expect((await raw(withoutCache, big, 'application/json')).status).toBe(413);
  });
});

describe('the public response cache, with its own budgets', () => {
  let small: ApiApp;
  const budget: ApiConfig['requestBudget'] = {
    perIp: { points: 5, seconds: 60 },
    perUser: { points: 100, seconds: 60 },
    flushIntervalMs: 50,
  };
  beforeAll(async () => {
    small = await createApp({
      ...api.config,
      requestBudget: budget,
      responseCache: { maxBytes: 40_000, versionTrustMs: 0 },
    });
  });
  afterAll(() => small.stop());

  it('still charges the request budget: 429 on a cached document', async () => {
    const { search } = await catalogOf('Budgeted');
    const asBrowser = { 'X-API-Key': api.renderApiKey, 'X-Client-IP': '203.0.113.80' };
    const caches: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await read(small, search, asBrowser);
      expect(response.status).toBe(200);
      caches.push(response.headers['x-cache']);
    }
    expect(caches).toEqual(['miss', 'hit', 'hit', 'hit', 'hit']);
    const refused = await read(small, search, asBrowser);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another browser behind the render server has its own budget (and gets the kept answer).
    const other = await read(small, search, { ...asBrowser, 'X-Client-IP': '203.0.113.81' });
    expect(other.headers['x-cache']).toBe('hit');
  });

  it('stays within its byte budget under many distinct documents', async () => {
    const cache = small.responseCache;
    if (!cache) throw new Error('cache expected');
    let served = 0;
    for (let i = 0; i < 80; i += 1) {
      const query = `query Page${i} { movies(first: 3) { edges { node { id title description } } } }`;
      const response = await post(
        small.app,
        { query },
        {
          'X-API-Key': api.renderApiKey,
          'X-Client-IP': `198.51.100.${i % 250}`,
        },
      );
      if (response.status === 200) served += 1;
      expect(cache.bytes).toBeLessThanOrEqual(40_000);
    }
    expect(served).toBeGreaterThan(75);
    expect(cache.size).toBeGreaterThan(10);
    expect(cache.size).toBeLessThan(served);
  });
});
