import request from 'supertest';
import { silentLogger, startEmbeddedMongo } from 'embedded-mongo';
import type { EmbeddedMongo } from 'embedded-mongo';
import { createApp } from '../src/app';
import type { ApiApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectDatabase, disconnectDatabase } from '../src/database';
import { testEnv } from '../src/testing';

// A database server of this file's own, so it can be stopped without disturbing other tests.
let server: EmbeddedMongo;
let api: ApiApp;
beforeAll(async () => {
  server = await startEmbeddedMongo({ port: 0, logger: silentLogger });
  await connectDatabase(server.uri, { dbName: 'ready' });
  api = await createApp(loadConfig(testEnv(server.uri)));
});
afterAll(async () => {
  await api.stop();
  await disconnectDatabase();
});

describe('GET /ready', () => {
  it('is 200 while the database answers and 503 once it is gone; /health stays 200', async () => {
    await request(api.app).get('/ready').expect(200, { status: 'ready' });
    await server.stop();
    await request(api.app).get('/ready').expect(503, { status: 'database unreachable' });
    await request(api.app).get('/health').expect(200, { status: 'ok' });
  });
});
