import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, validate } from 'graphql';
import request from 'supertest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { PersistedDocumentsError } from '../src/persisted-documents';
import { buildApiSchema } from '../src/schema';
import { startTestApi, testEnv } from '../src/testing';
import type { TestApi } from '../src/testing';
import { createMovie } from './factories';
import { testMongoUri } from './execute-operation';

// Trusted documents over HTTP: ids resolve from the manifest for every key, a `persisted-only`
// key (the render key here, as in production) may send nothing else, and nothing a client
// sends adds to the manifest. The manifest is a file of this test's own, written like codegen
// writes it, so the documents are known here; the generated one is checked at the end.

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const MOVIE_TITLE = 'query MovieTitle($id: ID!) { movie(id: $id) { id title } }';
const MOVIE_COUNT = 'query MovieCount { movies(first: 1) { totalCount } }';
/** Never in the manifest: what a client might try to register. */
const MOVIE_YEARS = 'query MovieYears { movies(first: 5) { edges { node { year } } } }';

let dir: string;
let api: TestApi;
let movieId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'persisted-documents-'));
  const manifestPath = path.join(dir, 'persisted-documents.json');
  const manifest = Object.fromEntries(
    [MOVIE_TITLE, MOVIE_COUNT].map((document) => [`sha256:${sha256(document)}`, document]),
  );
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  api = await startTestApi({
    mongoUri: testMongoUri(),
    configure: (config) => ({
      ...config,
      persistedDocuments: { manifestPath, renderKeyPolicy: 'persisted-only' },
    }),
  });
  movieId = (await createMovie(api, { title: 'Persisted' }))._id.toHexString();
});

afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, apiKey: string) =>
  request(api.api.app)
    .post('/graphql')
    .set('Content-Type', 'application/json')
    .set('X-API-Key', apiKey)
    .send(JSON.stringify(body));

const byHash = (hash: string, variables: Record<string, unknown> = {}) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

const codeOf = (body: { errors?: { extensions?: { code?: unknown } }[] }): unknown =>
  body.errors?.[0]?.extensions?.code;

describe('document policies', () => {
  it('are seeded: the render key persisted-only (as in production), public and admin any', async () => {
    const policy = async (token: string) =>
      (await api.api.services.apiKeys.findByToken(token))?.documentPolicy;
    expect(await policy(api.renderApiKey)).toBe('persisted-only');
    expect(await policy(api.publicApiKey)).toBe('any');
    expect(await policy(api.adminApiKey)).toBe('any');
  });

  it('default to any outside production, and make the render key persisted-only in it', () => {
    const env = testEnv(testMongoUri());
    expect(loadConfig(env).persistedDocuments.renderKeyPolicy).toBe('any');
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).persistedDocuments).toMatchObject({
      renderKeyPolicy: 'any',
    });
    const production = loadConfig({
      ...env,
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://mail.example.com:587',
      PASSWORD_HASH_MEMORY_KIB: '19456',
      PASSWORD_HASH_TIME_COST: '2',
    });
    expect(production.persistedDocuments.renderKeyPolicy).toBe('persisted-only');
  });
});

describe('a persisted document id', () => {
  it('runs the manifest document with its variables for a persisted-only key', async () => {
    const response = await post(byHash(sha256(MOVIE_TITLE), { id: movieId }), api.renderApiKey);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { movie: { id: movieId, title: 'Persisted' } } });
  });

  it('is accepted in the GraphQL-over-HTTP form too (documentId: "sha256:<hex>")', async () => {
    const response = await post(
      { documentId: `sha256:${sha256(MOVIE_TITLE)}`, variables: { id: movieId } },
      api.renderApiKey,
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ movie: { id: movieId, title: 'Persisted' } });
  });

  it('works for an `any` key as well', async () => {
    const response = await post(byHash(sha256(MOVIE_COUNT)), api.publicApiKey);
    expect(response.status).toBe(200);
    expect(response.body.data.movies.totalCount).toBeGreaterThan(0);
  });

  it('that the manifest does not have is PERSISTED_QUERY_NOT_FOUND with a 4xx, in both forms', async () => {
    const unknown = sha256('query Unknown { movieTags }');
    for (const body of [byHash(unknown), { documentId: `sha256:${unknown}` }]) {
      for (const key of [api.renderApiKey, api.publicApiKey]) {
        const response = await post(body, key);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(codeOf(response.body)).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect(response.body.data).toBeUndefined();
      }
    }
    // An id of another scheme is simply not found either.
    const other = await post({ documentId: 'x-custom:MovieTitle' }, api.renderApiKey);
    expect(codeOf(other.body)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('a full document', () => {
  it('from a persisted-only key is refused before parsing: PERSISTED_QUERY_REQUIRED, 403', async () => {
    const attempts = [
      { query: MOVIE_COUNT },
      // With its own, correct hash (an APQ registration), even of a manifest document.
      { query: MOVIE_COUNT, ...byHash(sha256(MOVIE_COUNT)) },
      // Not even GraphQL: refused for what it is, never parsed (no GRAPHQL_PARSE_FAILED).
      { query: '{{{ not graphql' },
      { documentId: `sha256:${sha256(MOVIE_COUNT)}`, query: MOVIE_COUNT },
    ];
    for (const body of attempts) {
      const response = await post(body, api.renderApiKey);
      expect({ status: response.status, code: codeOf(response.body) }).toEqual({
        status: 403,
        code: 'PERSISTED_QUERY_REQUIRED',
      });
      expect(response.body.errors[0].message).toMatch(/only persisted document ids/);
      expect(response.body.data).toBeUndefined();
    }
    const viaGet = await request(api.api.app)
      .get('/graphql')
      .query({ query: MOVIE_COUNT })
      .set('X-API-Key', api.renderApiKey)
      .set('Apollo-Require-Preflight', 'true');
    expect({ status: viaGet.status, code: codeOf(viaGet.body) }).toEqual({
      status: 403,
      code: 'PERSISTED_QUERY_REQUIRED',
    });
  });

  it('from the public key (any) runs as before', async () => {
    const response = await post({ query: MOVIE_COUNT }, api.publicApiKey);
    expect(response.status).toBe(200);
    expect(response.body.data.movies.totalCount).toBeGreaterThan(0);
  });
});

describe('an APQ registration (query + hash) from a client', () => {
  it('runs like any full document for an `any` key, and is not kept: its id stays unknown', async () => {
    const hash = sha256(MOVIE_YEARS);
    const registered = await post({ query: MOVIE_YEARS, ...byHash(hash) }, api.publicApiKey);
    expect(registered.status).toBe(200);
    expect(registered.body.data.movies.edges.length).toBeGreaterThan(0);
    for (const key of [api.publicApiKey, api.renderApiKey]) {
      const later = await post(byHash(hash), key);
      expect(codeOf(later.body)).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
  });

  it('cannot put another document under a manifest id', async () => {
    const hijack = await post(
      { query: MOVIE_YEARS, ...byHash(sha256(MOVIE_COUNT)) },
      api.adminApiKey,
    );
    expect(hijack.status).toBe(400);
    expect(hijack.body.data).toBeUndefined();
    const original = await post(byHash(sha256(MOVIE_COUNT)), api.renderApiKey);
    expect(original.body.data.movies).toHaveProperty('totalCount');
  });
});

describe('the manifest at start-up', () => {
  it('stops the API in production when it is missing or malformed, with a clear message', async () => {
    const production = { ...api.config, nodeEnv: 'production' as const };
    const missing = path.join(dir, 'missing.json');
    await expect(
      createApp({
        ...production,
        persistedDocuments: { ...production.persistedDocuments, manifestPath: missing },
      }),
    ).rejects.toMatchObject({
      name: 'PersistedDocumentsError',
      message: expect.stringMatching(/manifest .*missing\.json is missing.*npm run codegen/),
    });
    const malformed = path.join(dir, 'malformed.json');
    writeFileSync(malformed, '{ "sha256:abc": ');
    await expect(
      createApp({
        ...production,
        persistedDocuments: { ...production.persistedDocuments, manifestPath: malformed },
      }),
    ).rejects.toThrow(PersistedDocumentsError);
  });

  it('is by default the one codegen generates, and all its documents are valid for this schema', async () => {
    const { manifestPath } = loadConfig(testEnv(testMongoUri())).persistedDocuments;
    expect(manifestPath).toBe(
      path.resolve(
        __dirname,
        '..',
        '..',
        'gateway-render',
        'src',
        '__generated__',
        'persisted-documents.json',
      ),
    );
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest).length).toBeGreaterThan(0);
    const apiSchema = await buildApiSchema(api.api.services);
    for (const [id, document] of Object.entries(manifest)) {
      expect({ id, errors: validate(apiSchema, parse(document)).map((e) => e.message) }).toEqual({
        id,
        errors: [],
      });
    }
  });
});
