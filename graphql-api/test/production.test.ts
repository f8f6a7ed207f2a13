import request from 'supertest';
import { createApp } from '../src/app';
import type { ApiApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectDatabase, disconnectDatabase } from '../src/database';
import { startDevInbox } from '../src/mail';
import type { DevInbox } from '../src/mail';
import { testEnv, uniqueDbName } from '../src/testing';
import { testMongoUri } from './execute-operation';

let api: ApiApp;
let smtp: DevInbox;
beforeAll(async () => {
  await connectDatabase(testMongoUri(), { dbName: uniqueDbName('prod') });
  // Production needs a real SMTP server: this one stands in for it (it is not the dev inbox).
  smtp = await startDevInbox({ port: 0 });
  // Production refuses the tests' cheap hashing cost; nothing is hashed here anyway.
  const env = testEnv(testMongoUri(), {
    NODE_ENV: 'production',
    PASSWORD_HASH_MEMORY_KIB: '19456',
    PASSWORD_HASH_TIME_COST: '2',
    SMTP_URL: smtp.url,
  });
  api = await createApp(loadConfig(env));
});
afterAll(async () => {
  await api?.stop();
  await disconnectDatabase();
  await smtp?.stop();
});

describe('in production', () => {
  it('serves no dev inbox', async () => {
    expect(api.devInbox).toBeNull();
    await request(api.app).get('/dev/mail').expect(404);
  });

  it('turns introspection off', async () => {
    const response = await request(api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send({ query: '{ __schema { queryType { name } } }' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors[0].message).toMatch(/introspection/i);
  });

  it('does not suggest field names in validation errors', async () => {
    const response = await request(api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send({ query: '{ movis { id } }' });
    expect(response.status).toBe(400);
    expect(response.text).not.toMatch(/Did you mean/);
  });

  it('serves no Sandbox page', async () => {
    const response = await request(api.app).get('/graphql').set('Accept', 'text/html');
    expect(response.text).not.toMatch(/sandbox/i);
  });

  it('sends a content security policy', async () => {
    const response = await request(api.app).get('/health');
    expect(response.headers['content-security-policy']).toBeDefined();
  });
});
