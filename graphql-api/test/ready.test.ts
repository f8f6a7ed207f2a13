import request from 'supertest';
import { silentLogger, startEmbeddedMongo } from 'embedded-mongo';
import type { EmbeddedMongo } from 'embedded-mongo';
import { createApp } from '../src/app';
import type { ApiApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { ApiConfig } from '../src/config';
import { connectDatabase, disconnectDatabase } from '../src/database';
import { createLogger } from '../src/logger';
import { seedDatabase } from '../src/seed/seed';
import { testEnv } from '../src/testing';

// A database server of this file's own, so it can be stopped without disturbing other tests.
let server: EmbeddedMongo;
let api: ApiApp;
let config: ApiConfig;
const logLines: { level: number; msg: string; stack?: unknown; err?: unknown }[] = [];
beforeAll(async () => {
  server = await startEmbeddedMongo({ port: 0, logger: silentLogger });
  await connectDatabase(server.uri, { dbName: 'ready', serverSelectionTimeoutMS: 1000 });
  config = loadConfig(testEnv(server.uri, { LOG_LEVEL: 'info' }));
  const logger = createLogger('info', {
    write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]),
  });
  api = await createApp(config, { logger });
  await seedDatabase(config, api.services, { movies: false, demoUser: false });
});
afterAll(async () => {
  await api.stop();
  await disconnectDatabase();
});

const graphql = (query: string) =>
  request(api.app)
    .post('/graphql')
    .set('Content-Type', 'application/json')
    .set('X-API-Key', config.publicApiKeyToken ?? '')
    .send({ query });

describe('the database going away', () => {
  it('/ready is 200 while the database answers and 503 once it is gone; /health stays 200', async () => {
    await request(api.app).get('/ready').expect(200, { status: 'ready' });
    // The key is looked up (and cached) while the database is there.
    expect((await graphql('{ movieTags }')).status).toBe(200);
    await server.stop();
    await request(api.app).get('/ready').expect(503, { status: 'database unreachable' });
    await request(api.app).get('/health').expect(200, { status: 'ok' });
  });

  it('answers GraphQL with SERVICE_UNAVAILABLE, HTTP 503 and Retry-After, and no driver text', async () => {
    const response = await graphql('{ movies(first: 1) { totalCount } }');
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'The database cannot be reached right now; try again shortly',
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 },
      }),
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/Mongo|Server selection|ECONNREFUSED|at /);
    // Logged as what it is (warn), not as an unexpected error with a stack.
    const logged = logLines.filter((line) => line.msg === 'database unreachable');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((line) => line.level === 40 && line.stack === undefined)).toBe(true);
    expect(logLines.some((line) => line.msg === 'unexpected error')).toBe(false);
  });

  it('is SERVICE_UNAVAILABLE too when the credentials cannot be read (a key not cached yet)', async () => {
    const response = await request(api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('X-API-Key', 'a-key-nobody-looked-up-yet-0123456789')
      .send({ query: '{ movieTags }' });
    expect(response.status).toBe(503);
    expect(response.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
  });
});
