import { SignJWT } from 'jose';
import request from 'supertest';
import { createMovie, createSignedInUser } from './factories';
import { SessionModel } from '../src/sessions';
import { startApi, testMongoUri } from './execute-operation';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { testEnv } from '../src/testing';
import type { TestApi } from '../src/testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ NODE_ENV: 'development' });
});
afterAll(() => api.stop());

const post = (body: unknown, headers: Record<string, string> = {}) => {
  let call = request(api.api.app).post('/graphql').set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  return call.send(JSON.stringify(body));
};

describe('HTTP', () => {
  it('answers /health and /ready (database reachable)', async () => {
    await request(api.api.app).get('/health').expect(200, { status: 'ok' });
    await request(api.api.app).get('/ready').expect(200, { status: 'ready' });
  });

  it('sets security headers and echoes a request id', async () => {
    const response = await request(api.api.app).get('/health').set('X-Request-Id', 'abc-123');
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('serves catalog reads to a key alone with a public cache hint, private with a user', async () => {
    await createMovie(api);
    const anonymous = await post(
      { query: '{ movies(first: 2) { edges { node { id title } } } }' },
      { 'X-API-Key': api.publicApiKey },
    );
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data.movies.edges.length).toBeGreaterThan(0);
    expect(anonymous.headers['cache-control']).toBe('max-age=60, public');
    const { token } = await createSignedInUser(api);
    const personal = await post(
      { query: '{ movies(first: 2) { edges { node { id inMyList } } } }' },
      { 'X-API-Key': api.publicApiKey, Authorization: `Bearer ${token}` },
    );
    expect(personal.headers['cache-control']).toBe('max-age=60, private');
    const me = await post({ query: '{ me { id } }' }, { Authorization: `Bearer ${token}` });
    expect(me.headers['cache-control']).toBe('no-store');
  });

  it('fails the whole request with 401 for an invalid, expired or revoked bearer token', async () => {
    const query = { query: '{ movies(first: 1) { totalCount } }' };
    const invalid = await post(query, {
      'X-API-Key': api.publicApiKey,
      Authorization: 'Bearer nope',
    });
    expect(invalid.status).toBe(401);
    expect(invalid.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const { auth } = await createSignedInUser(api);
    // Tokens as the API itself would sign them (its own key), but expired or for someone else.
    const { kid, privateKey } = await api.api.services.signingKeys.current();
    const claims = {
      sid: auth.user._id.toHexString(),
      name: 'x',
      email: 'x@example.com',
      scopes: ['read:movies'],
    };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject(auth.user._id.toHexString())
      .setIssuer(api.config.jwt.issuer)
      .setAudience(api.config.jwt.audience)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
      .sign(privateKey);
    const expiredResponse = await post(query, { Authorization: `Bearer ${expired}` });
    expect(expiredResponse.status).toBe(401);
    expect(expiredResponse.body.errors[0].message).toBe('Access token expired');

    const wrongAudience = await new SignJWT({ sid: 'x', name: 'x', email: 'x', scopes: [] })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject('x')
      .setIssuer(api.config.jwt.issuer)
      .setAudience('someone-else')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await post(query, { Authorization: `Bearer ${wrongAudience}` })).status).toBe(401);

    // An attacker who knows JWT_SECRET (the old HS256 key) gets nothing: valid claims, a live
    // session and a real kid are still refused, expired or not, before any claim is read.
    const secret = new TextEncoder().encode(api.jwtSecret);
    const now = Math.floor(Date.now() / 1000);
    for (const [iat, exp] of [
      [now, now + 600],
      [now - 3600, now - 1800],
    ]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid })
        .setSubject(auth.user._id.toHexString())
        .setIssuer(api.config.jwt.issuer)
        .setAudience(api.config.jwt.audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(secret);
      const response = await post(query, { Authorization: `Bearer ${forged}` });
      expect(response.status).toBe(401);
      expect(response.body.errors[0].message).toBe('Invalid access token');
    }

    await api.api.services.auth.signOut(auth.refreshToken);
    const revoked = await post(query, { Authorization: `Bearer ${auth.accessToken}` });
    expect(revoked.status).toBe(401);

    const badKey = await post(query, { 'X-API-Key': 'no-such-key' });
    expect(badKey.status).toBe(401);
  });

  it('counts the browser address only from the render server’s key (X-Client-IP); nobody else can pick theirs', async () => {
    const signIn = (email: string, password: string, headers: Record<string, string>) =>
      post(
        {
          query:
            'mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }',
          variables: { input: { email, password } },
        },
        headers,
      );
    const { user } = await createSignedInUser(api);
    const viaRender = await signIn(user.email, user.password, {
      'X-API-Key': api.renderApiKey,
      'X-Client-IP': '203.0.113.9',
    });
    expect(viaRender.body.errors).toBeUndefined();
    // A direct client names an address in every header it can think of: it is not believed.
    const direct = await signIn(user.email, user.password, {
      'X-API-Key': api.publicApiKey,
      'X-Client-IP': '198.51.100.77',
      'X-Forwarded-For': '198.51.100.78',
    });
    expect(direct.body.errors).toBeUndefined();
    const sessions = await SessionModel.find({ user: user._id }).sort({ createdAt: 1 }).lean();
    const addresses = sessions.map((session) => session.ipAddress);
    expect(addresses).toContain('203.0.113.9');
    expect(addresses).not.toContain('198.51.100.77');
    expect(addresses).not.toContain('198.51.100.78');
    expect(addresses.at(-1)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('limits failed sign-ins per forwarded browser address', async () => {
    const signIn = (email: string, password: string, ip: string) =>
      post(
        {
          query:
            'mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }',
          variables: { input: { email, password } },
        },
        { 'X-API-Key': api.renderApiKey, 'X-Client-IP': ip },
      );
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await signIn(
        `xff-${attempt % 25}@example.com`,
        'wrong password',
        '203.0.113.10',
      );
      expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const { user } = await createSignedInUser(api);
    const blocked = await signIn(user.email, user.password, '203.0.113.10');
    expect(blocked.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    const otherClient = await signIn(user.email, user.password, '198.51.100.7');
    expect(otherClient.body.errors).toBeUndefined();
    expect(otherClient.body.data.signIn.accessToken).toEqual(expect.any(String));
  });

  it('limits sign-ups per address (20 an hour)', async () => {
    const signUp = (i: number) =>
      post(
        {
          query: 'mutation($input: SignUpInput!) { signUp(input: $input) { id } }',
          variables: {
            input: {
              name: 'Flood',
              email: `flood-${i}-${Date.now()}@example.com`,
              password: 'violet harbor tangerine',
            },
          },
        },
        { 'X-API-Key': api.renderApiKey, 'X-Client-IP': '203.0.113.11' },
      );
    for (let i = 0; i < 20; i += 1) expect((await signUp(i)).body.errors).toBeUndefined();
    const refused = await signUp(20);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.body.errors[0].extensions.retryAfter).toBeGreaterThan(0);
  });

  it('refuses batched requests', async () => {
    const one = { query: '{ movieTags }' };
    const response = await post([one, one], { 'X-API-Key': api.publicApiKey });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/batch/i);
  });

  it('refuses queries deeper than 10 before executing them; introspection (__schema) is exempt in development', async () => {
    // __type is depth 1, each ofType one more, name the last: `depth` levels in all.
    const typeQuery = (depth: number) =>
      `{ __type(name: "Movie") { ${'ofType { '.repeat(depth - 2)}name${' }'.repeat(depth - 2)} } }`;
    const ten = await post({ query: typeQuery(10) }, { 'X-API-Key': api.publicApiKey });
    expect(ten.body.errors).toBeUndefined();
    const eleven = await post({ query: typeQuery(11) }, { 'X-API-Key': api.publicApiKey });
    expect(eleven.status).toBe(400);
    expect(eleven.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(eleven.body.errors[0].message).toMatch(/depth/i);
    const sandboxStyle = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`;
    const introspection = await post({ query: sandboxStyle });
    expect(introspection.body.errors).toBeUndefined();
  });

  it('refuses more than 15 aliases before executing them', async () => {
    const aliases = (n: number) =>
      Array.from({ length: n }, (_, i) => `t${i}: movieTags`).join(' ');
    const fifteen = await post({ query: `{ ${aliases(15)} }` }, { 'X-API-Key': api.publicApiKey });
    expect(fifteen.body.errors).toBeUndefined();
    const sixteen = await post({ query: `{ ${aliases(16)} }` }, { 'X-API-Key': api.publicApiKey });
    expect(sixteen.status).toBe(400);
    expect(sixteen.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses operator objects in variables with 400 BAD_USER_INPUT', async () => {
    const response = await post(
      {
        query:
          'mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }',
        variables: { input: { email: { $ne: null }, password: { $ne: null } } },
      },
      { 'X-API-Key': api.publicApiKey },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('sends no stack trace with expected errors either, even in development', async () => {
    const response = await post(
      { query: '{ movies(first: 500) { totalCount } }' },
      { 'X-API-Key': api.publicApiKey },
    );
    expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(response.text).not.toMatch(/stacktrace|exception|\.ts:\d+/);
  });

  it('answers malformed JSON with 400 and no stack trace', async () => {
    const response = await request(api.api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send('{"query": ');
    expect(response.status).toBe(400);
    expect(response.text).not.toMatch(/at .*\.js:\d+/);
  });

  it('masks unexpected errors with the request id and no stack trace', async () => {
    const spy = jest
      .spyOn(api.api.services.movies, 'tags')
      .mockRejectedValueOnce(new Error('secret database detail'));
    try {
      const response = await post(
        { query: '{ movieTags }' },
        { 'X-API-Key': api.publicApiKey, 'X-Request-Id': 'req-42' },
      );
      const [error] = response.body.errors;
      expect(error.message).toBe('Internal server error');
      expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
      expect(response.text).not.toContain('secret database detail');
    } finally {
      spy.mockRestore();
    }
  });

  it('serves the playground (GraphiQL) on GET /graphql in development only', async () => {
    // Another app on the same (already connected) database, in test mode. The page itself is
    // tested in playground.test.ts.
    const testMode = await createApp(loadConfig(testEnv(testMongoUri(), { NODE_ENV: 'test' })));
    try {
      const page = await request(testMode.app).get('/graphql').set('Accept', 'text/html');
      expect(page.status).toBe(404);
      expect(page.text).not.toMatch(/graphiql|playground|sandbox/i);
    } finally {
      await testMode.stop();
    }
    const response = await request(api.api.app).get('/graphql').set('Accept', 'text/html');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/playground/i);
    expect(response.text).not.toMatch(/sandbox/i);
  });
});
