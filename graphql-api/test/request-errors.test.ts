import request from 'supertest';
import { createApp } from '../src/app';
import type { ApiApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { ApiConfig } from '../src/config';
import { connectDatabase, disconnectDatabase } from '../src/database';
import { createLogger } from '../src/logger';
import { startDevInbox } from '../src/mail';
import type { DevInbox } from '../src/mail';
import { seedDatabase } from '../src/seed/seed';
import { testEnv, uniqueDbName } from '../src/testing';
import { testMongoUri } from './execute-operation';

// Client mistakes keep graphql-js's and Apollo's codes, get a 4xx, and are logged at info
// without a stack; only real faults are masked and logged as errors.
let api: ApiApp;
let config: ApiConfig;
let inbox: DevInbox;
const logLines: { level: number; msg: string; code?: string; err?: { stack?: string } }[] = [];
beforeAll(async () => {
  await connectDatabase(testMongoUri(), { dbName: uniqueDbName('request_errors') });
  inbox = await startDevInbox({ port: 0 });
  config = loadConfig(testEnv(testMongoUri(), { SMTP_URL: inbox.url, LOG_LEVEL: 'info' }));
  const logger = createLogger('info', {
    write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]),
  });
  api = await createApp(config, { logger, devInbox: inbox });
  await seedDatabase(config, api.services, { movies: false, demoUser: false });
});
afterAll(async () => {
  await api.stop();
  await disconnectDatabase();
  await inbox.stop();
});

const post = (body: unknown) =>
  request(api.app)
    .post('/graphql')
    .set('Content-Type', 'application/json')
    .set('X-API-Key', config.publicApiKeyToken ?? '')
    .send(JSON.stringify(body));

describe('client mistakes', () => {
  it.each([
    ['a subscription', { query: 'subscription { movieTags }' }, 'OPERATION_RESOLUTION_FAILURE'],
    [
      'an unknown operation name',
      { query: '{ movieTags }', operationName: 'Nope' },
      'OPERATION_RESOLUTION_FAILURE',
    ],
    [
      'an APQ hash that does not match its query',
      {
        query: '{ movieTags }',
        extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
      },
      'BAD_REQUEST',
    ],
    [
      'an unknown persisted query',
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } },
      'PERSISTED_QUERY_NOT_FOUND',
    ],
    ['a syntax error', { query: '{ movieTags' }, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', { query: '{ nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
  ])('%s keeps its code with a 4xx, logged at info without a stack', async (_name, body, code) => {
    logLines.length = 0;
    const response = await post(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(
      response.body.errors.map((error: { extensions: { code: string } }) => error.extensions.code),
    ).toEqual([code]);
    expect(JSON.stringify(response.body)).not.toMatch(/Internal server error|stacktrace/);
    const refused = logLines.filter((line) => line.msg === 'client request refused');
    expect(refused).toEqual([expect.objectContaining({ level: 30, code })]);
    expect(logLines.some((line) => line.level >= 50 || line.err?.stack !== undefined)).toBe(false);
  });

  it('never shows V8’s text for a document nested past the parser’s stack', async () => {
    const response = await post({ query: `{${'a{'.repeat(20_000)}b${'}'.repeat(20_000)}}` });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toMatch(/call stack/i);
  });
});
