import { getIntrospectionQuery } from 'graphql';
import type { SelectionSetNode, ValidationRule } from 'graphql';
import request from 'supertest';
import type { ApiApp } from '../src/app';
import { createApp } from '../src/app';
import { QUERY_LIMITS } from '../src/shared/limits';
import type { TestApi } from '../src/testing';
import { execute, startApi } from './execute-operation';
import { createSignedInUser } from './factories';
import { renderDocuments } from './render-documents';

// graphql-js's quadratic rule, counted: the refusals below must happen before it does any work.
// (A pass-through wrapper: Apollo's specifiedRules pick it up, and it still validates.)
/** The part of OverlappingFieldsCanBeMerged's visitor that does its work. */
interface SelectionSetVisitor {
  SelectionSet?: (node: SelectionSetNode) => unknown;
}

jest.mock('graphql/validation/rules/OverlappingFieldsCanBeMergedRule', () => {
  const actual = jest.requireActual<{ OverlappingFieldsCanBeMergedRule: ValidationRule }>(
    'graphql/validation/rules/OverlappingFieldsCanBeMergedRule',
  );
  const work = { created: 0, selectionSets: 0 };
  const counted: ValidationRule = (context) => {
    work.created += 1;
    const visitor = actual.OverlappingFieldsCanBeMergedRule(context) as SelectionSetVisitor;
    return {
      SelectionSet(node: SelectionSetNode) {
        work.selectionSets += 1;
        return visitor.SelectionSet?.(node);
      },
    };
  };
  return { OverlappingFieldsCanBeMergedRule: counted, work };
});
const overlapWork = jest.requireMock<{ work: { created: number; selectionSets: number } }>(
  'graphql/validation/rules/OverlappingFieldsCanBeMergedRule',
).work;

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
const postQuery = (query: string) =>
  post(api.api.app, { query }, { 'X-API-Key': api.publicApiKey });

/** Posts a hostile document; returns the response and the work the quadratic rule did for it. */
async function refused(query: string) {
  overlapWork.created = 0;
  overlapWork.selectionSets = 0;
  const response = await postQuery(query);
  return { response, work: { ...overlapWork }, bytes: Buffer.byteLength(response.text) };
}

describe('hostile documents', () => {
  it('stops parsing a 100 KB document of 3,500 repeated fields at the token limit', async () => {
    const query = `{ movies { edges { node { ${'description '.repeat(3500)}${' '.repeat(60_000)}} } } }`;
    expect(query.length).toBeGreaterThan(100_000);
    const { response, work, bytes } = await refused(query);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: `Syntax Error: Document contains more that ${QUERY_LIMITS.maxTokens} tokens. Parsing aborted.`,
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    ]);
    // Never validated at all.
    expect(work.created).toBe(0);
    expect(bytes).toBeLessThan(500);
  });

  it('refuses repeated fields under the token limit before graphql-js compares them', async () => {
    const { response, work, bytes } = await refused(
      `{ movies { edges { node { ${'description '.repeat(900)}} } } }`,
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message:
          'Field "description" is selected 900 times in one selection set (at movies.edges.node); the limit is 5',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
    // graphql-js created the rule, but it never looked at a selection set.
    expect(work).toEqual({ created: 1, selectionSets: 0 });
    expect(bytes).toBeLessThan(500);
  });

  it('answers 10,000 first:1 fields (6,000 aliased: 100 KB), with one small error', async () => {
    const unaliased = `{${'m(first:1)'.repeat(10_000)}}`;
    const aliased = `{${Array.from({ length: 6000 }, (_, i) => `a${i}:m(first:1)`).join('')}}`;
    for (const query of [unaliased, aliased]) {
      const { response, work, bytes } = await refused(query);
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(work.created).toBe(0);
      expect(bytes).toBeLessThan(500);
    }
  });

  it('refuses deep nesting, many directives and a huge cost without validating them', async () => {
    const deep = `{ me { ${'a { '.repeat(200)}b${' }'.repeat(200)} } }`;
    const directives = `{ me { id ${'@include(if: true) '.repeat(100)}} }`;
    const costly = `{ ${Array.from(
      { length: 12 },
      (_, i) => `m${i}: movies(first: 100) { edges { node { id title } } }`,
    ).join(' ')} }`;
    const cases = [
      [deep, /^Query depth limit of 10 exceeded, found 202\.$/],
      [directives, /^Directives limit of 20 exceeded, found 100\.$/],
      [costly, /^Query cost 2,532 exceeds the limit of 400/],
    ] as const;
    for (const [query, message] of cases) {
      const { response, work, bytes } = await refused(query);
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors[0].message).toMatch(message);
      expect(response.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(work.selectionSets).toBe(0);
      expect(bytes).toBeLessThan(500);
    }
  });

  it('checks the cost with each request’s variables, also for a document validated before', async () => {
    const query =
      'query Pages($n: Int!) { a: movies(first: $n) { edges { node { id } } } ' +
      'b: movies(first: $n) { edges { node { id } } } c: movies(first: $n) { edges { node { id } } } ' +
      'd: movies(first: $n) { edges { node { id } } } e: movies(first: $n) { edges { node { id } } } }';
    const send = (n: number) =>
      post(api.api.app, { query, variables: { n } }, { 'X-API-Key': api.publicApiKey });
    // Validated with n = 10; Apollo then keeps the document and validates it no more.
    expect((await send(10)).body.errors).toBeUndefined();
    overlapWork.created = 0;
    const costly = await send(100);
    expect(overlapWork.created).toBe(0);
    expect(costly.status).toBe(400);
    expect(costly.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Query cost 1,055 exceeds the limit of 400/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
  });

  it('lets every render-server document through with its largest variables, and introspection', async () => {
    const documents = renderDocuments();
    expect(documents.length).toBeGreaterThan(10);
    const refusals = [];
    for (const { name, query, variables } of documents) {
      const result = await execute(api, query, variables, { apiKey: api.renderApiKey });
      const codes = (result.errors ?? []).map((error) => error.extensions?.code);
      if (
        codes.some(
          (code) => code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED',
        )
      )
        refusals.push({ name, errors: result.errors });
    }
    expect(refusals).toEqual([]);
    const introspection = await postQuery(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();
  });
});

describe('error lists', () => {
  it('lists 20 validation errors and sums up the rest', async () => {
    const unknown = Array.from({ length: 150 }, (_, i) => `nope${i}`).join(' ');
    const response = await postQuery(`{ me { ${unknown} } }`);
    expect(response.status).toBe(400);
    // graphql-js stops at 100 errors and adds one saying so: 20 listed, 81 summed up.
    expect(response.body.errors).toHaveLength(21);
    expect(response.body.errors[20]).toEqual({
      message: '…and 81 more errors',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', omittedErrors: 81 },
    });
  });

  it('bounds execution errors too (30 variables of the wrong type)', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `$v${i}`);
    const response = await post(
      api.api.app,
      {
        query: `query (${names.map((name) => `${name}: String!`).join(', ')}) {
          movies(filter: { tags: [${names.join(', ')}] }) { totalCount } }`,
        variables: Object.fromEntries(names.map((name, i) => [name.slice(1), i])),
      },
      { 'X-API-Key': api.publicApiKey },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(21);
    expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors[20]).toEqual({
      message: '…and 10 more errors',
      extensions: { code: 'BAD_USER_INPUT', omittedErrors: 10 },
    });
  });
});

describe('request budget', () => {
  const budget = {
    perIp: { points: 5, seconds: 60 },
    perUser: { points: 8, seconds: 60 },
    flushIntervalMs: 20,
  };
  const query = { query: '{ movieTags }' };
  let first: ApiApp;
  let second: ApiApp;
  beforeAll(async () => {
    // Two instances on one database, as two API processes: nothing shared in memory.
    first = await createApp({ ...api.config, requestBudget: budget });
    second = await createApp({ ...api.config, requestBudget: budget });
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
  });
  /** Longer than a few flush intervals of both instances. */
  const flushes = () => new Promise((resolve) => setTimeout(resolve, 10 * budget.flushIntervalMs));
  const asBrowser = (app: ApiApp, ip: string, body: unknown = query) =>
    post(app.app, body, { 'X-API-Key': api.renderApiKey, 'X-Client-IP': ip });

  it('counts across API instances and answers 429 with Retry-After before parsing', async () => {
    const ip = '203.0.113.50';
    for (let i = 0; i < 3; i += 1) expect((await asBrowser(first, ip)).status).toBe(200);
    await flushes();
    for (let i = 0; i < 2; i += 1) expect((await asBrowser(second, ip)).status).toBe(200);
    await flushes();
    // Not even parsed: a document with a syntax error gets the 429 too.
    for (const app of [first, second]) {
      const response = await asBrowser(app, ip, { query: '{' });
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(response.body.errors).toEqual([
        {
          message: `Too many requests: 5 per 60 seconds per address; retry in ${retryAfter} seconds`,
          extensions: { code: 'RATE_LIMITED', retryAfter },
        },
      ]);
    }
    // The render server's other browsers have their own budgets.
    expect((await asBrowser(first, '203.0.113.51')).status).toBe(200);
  });

  it('gives signed-in users their own, larger budget', async () => {
    const ip = '203.0.113.60';
    for (let i = 0; i < 5; i += 1) await asBrowser(first, ip);
    expect((await asBrowser(first, ip)).status).toBe(429);
    const { token } = await createSignedInUser(api);
    const asUser = () =>
      post(first.app, query, {
        'X-API-Key': api.renderApiKey,
        'X-Client-IP': ip,
        Authorization: `Bearer ${token}`,
      });
    for (let i = 0; i < 8; i += 1) expect((await asUser()).status).toBe(200);
    expect((await asUser()).status).toBe(429);
  });

  it('never limits /health and /ready', async () => {
    // Requests without a key count for the connection's address (127.0.0.1 here).
    for (let i = 0; i < 5; i += 1) await post(first.app, query);
    expect((await post(first.app, query)).status).toBe(429);
    for (let i = 0; i < 20; i += 1) {
      await request(first.app).get('/health').expect(200);
      await request(first.app).get('/ready').expect(200);
    }
  });
});
