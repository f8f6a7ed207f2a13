import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { SignJWT, decodeJwt } from 'jose';
import request from 'supertest';
import { startApiProxy } from '../../test/helpers/api-proxy';
import { CookieJar, parseSetCookies } from '../../test/helpers/cookie-jar';
import { callApi, signUpViaApi, startRenderTestEnv } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false });
});

afterAll(async () => {
  await env.stop();
});

const PASSWORD = 'correct horse battery';

/** A signed-in browser: the cookies the render server set at sign-in. */
async function signedInJar(rememberMe = false): Promise<CookieJar> {
  const { email } = await signUpViaApi(env.api, { name: 'Refresh Tester', password: PASSWORD });
  const res = await request(env.app)
    .post('/auth/sign-in')
    .set('Authorization', `Basic ${Buffer.from(`${email}:${PASSWORD}`).toString('base64')}`)
    .send({ rememberMe })
    .expect(200);
  const jar = new CookieJar();
  jar.update(res.headers['set-cookie']);
  return jar;
}

/** The same access token (same user, same session), re-signed as expired a minute ago. */
async function expire(jar: CookieJar): Promise<void> {
  const claims = decodeJwt(jar.get('access_token') ?? '');
  const past = Math.floor(Date.now() / 1000) - 60;
  const token = await new SignJWT({ ...claims, iat: past - 900, exp: past })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(env.api.jwtSecret));
  jar.set('access_token', token);
}

async function meEmail(accessToken: string): Promise<string | undefined> {
  const result = await callApi<{ me: { email: string } | null }>(
    env.api,
    '{ me { email } }',
    {},
    accessToken,
  );
  return result.data?.me?.email;
}

describe('refreshing an expired access token before rendering', () => {
  it('rotates both tokens, rewrites the cookies and renders as the person', async () => {
    const jar = await signedInJar();
    const oldRefresh = jar.get('refresh_token');
    await expire(jar);
    const res = await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(200);
    expect(res.text).toContain('Refresh Tester');
    const set = jar.update(res.headers['set-cookie']);
    expect(set.map((cookie) => cookie.name).sort()).toEqual([
      'access_token',
      'refresh_token',
      'remember_me',
    ]);
    expect(jar.get('refresh_token')).not.toBe(oldRefresh);
    expect(decodeJwt(jar.get('access_token') ?? '').exp).toBeGreaterThan(Date.now() / 1000);
    expect(await meEmail(jar.get('access_token') ?? '')).toMatch(/@example\.com$/);
  });

  it('keeps the remember-me lifetime across rotations', async () => {
    const jar = await signedInJar(true);
    await expire(jar);
    const res = await request(env.app).get('/').set('Cookie', jar.header()).expect(200);
    for (const cookie of parseSetCookies(res.headers['set-cookie'])) {
      expect(cookie.attributes['max-age']).toBe('2592000');
    }
  });

  it('lets two concurrent renders of one person share ONE refresh', async () => {
    const jar = await signedInJar();
    await expire(jar);
    const cookie = jar.header();
    const [first, second] = await Promise.all([
      request(env.app).get('/my-list').set('Cookie', cookie),
      request(env.app).get('/my-list').set('Cookie', cookie),
    ]);
    // A second rotation of the same refresh token would be taken for theft and revoke the
    // session: the later request would then be sent to sign in.
    expect([first.status, second.status]).toEqual([200, 200]);
    const tokens = (headers: string[] | string | undefined) =>
      parseSetCookies(headers)
        .filter((c) => c.name !== 'remember_me')
        .map((c) => `${c.name}=${c.value}`)
        .sort();
    expect(tokens(first.headers['set-cookie'])).toHaveLength(2);
    expect(tokens(second.headers['set-cookie'])).toEqual(tokens(first.headers['set-cookie']));

    // A request that left the browser with the old cookies just after gets the same new tokens.
    const late = await request(env.app).get('/my-list').set('Cookie', cookie).expect(200);
    expect(tokens(late.headers['set-cookie'])).toEqual(tokens(first.headers['set-cookie']));

    // And the session is still alive: the new refresh token rotates normally.
    jar.update(first.headers['set-cookie']);
    await expire(jar);
    await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(200);
  });

  it('clears the cookies and sends the person to sign in when the session was revoked', async () => {
    const jar = await signedInJar();
    const signedOut = await callApi(
      env.api,
      'mutation ($t: String!) { signOut(refreshToken: $t) }',
      {
        t: jar.get('refresh_token'),
      },
    );
    expect(signedOut.data).toEqual({ signOut: true });
    await expire(jar);
    const res = await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Fmy-list');
    jar.update(res.headers['set-cookie']);
    expect(jar.names()).toEqual([]);
  });
});

describe('a refresh token the API will not read', () => {
  it('is forgotten and the page renders anonymously (not a 400 on every page)', async () => {
    // A stand-in API: refreshSession answers BAD_USER_INPUT, everything else the real API.
    const fake = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const { operationName } = JSON.parse(body.toString('utf8')) as { operationName?: string };
        if (operationName === 'RefreshSession') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              data: null,
              errors: [{ message: 'Bad refresh token', extensions: { code: 'BAD_USER_INPUT' } }],
            }),
          );
          return;
        }
        const headers = { 'content-type': 'application/json', 'x-api-key': env.api.renderApiKey };
        void fetch(env.api.url, { method: 'POST', headers, body }).then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = fake.address() as AddressInfo;
      const { app } = env.appWith({ API_URL: `http://127.0.0.1:${port}/graphql` });
      const res = await request(app)
        .get('/')
        .set('Cookie', 'refresh_token=%E2%9C%97mangled; access_token=x')
        .expect(200);
      expect(res.text).toContain('<a href="/sign-in" class="button ghost small">Sign in</a>');
      expect(res.text).not.toContain('data-testid="viewer-name"');
      const jar = new CookieJar();
      jar.set('refresh_token', 'mangled');
      jar.update(res.headers['set-cookie']);
      expect(jar.names()).toEqual([]);
    } finally {
      fake.close();
    }
  });
});

describe('the API down', () => {
  async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}/graphql`;
  }

  it('answers 503 and keeps the cookies (refresh due, API unreachable)', async () => {
    const jar = await signedInJar();
    await expire(jar);
    const { app } = env.appWith({ API_URL: await closedPortUrl() });
    const res = await request(app).get('/my-list').set('Cookie', jar.header()).expect(503);
    expect(res.text).toContain('Temporarily unavailable');
    expect(res.headers['set-cookie']).toBeUndefined();
    // The header still says who is signed in (from the kept cookie, not the API).
    expect(res.text).toContain('<strong data-testid="viewer-name">Refresh Tester</strong>');
  });

  it('gives all API calls of a request ONE deadline (a slow API still gets the 503 in time)', async () => {
    // Each call alone fits in API_TIMEOUT_MS; the refresh and the page query together do not.
    const slow = await startApiProxy(env.api.url, { delayMs: 1200 });
    try {
      const jar = await signedInJar();
      await expire(jar);
      const oldRefresh = jar.get('refresh_token');
      const { app } = env.appWith({ API_URL: slow.url, API_TIMEOUT_MS: '2000' });
      const res = await request(app).get('/').set('Cookie', jar.header()).expect(503);
      expect(slow.calls.map((call) => call.operation)).toEqual(['RefreshSession', 'Catalog']);
      // The refresh went through, so the rotated tokens come with the 503 (the old refresh
      // token is spent): the person stays signed in.
      jar.update(res.headers['set-cookie']);
      expect(jar.get('refresh_token')).not.toBe(oldRefresh);
      const page = await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(200);
      expect(page.text).toContain('Refresh Tester');
    } finally {
      await slow.close();
    }
  });

  it('answers 503 for an anonymous page', async () => {
    const { app } = env.appWith({ API_URL: await closedPortUrl() });
    const res = await request(app).get('/').expect(503);
    expect(res.text).not.toMatch(/ECONNREFUSED|TypeError|at .*:\d+:\d+/);
  });

  it('gives up on an API that accepts the connection but never answers (no retry)', async () => {
    // Requests, not TCP connections: after an abort, Node's fetch (undici) opens a spare
    // connection that never sends a byte. A retry would send a second request.
    let requests = 0;
    let connections = 0;
    const hanging: Server = createServer((socket) => {
      connections += 1;
      socket.on('data', (chunk: Buffer) => {
        requests += chunk.toString('latin1').match(/^POST \/graphql HTTP\/1\.1\r$/gm)?.length ?? 0;
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as AddressInfo;
    try {
      const { app } = env.appWith({
        API_URL: `http://127.0.0.1:${port}/graphql`,
        API_TIMEOUT_MS: '300',
      });
      await request(app).get('/').expect(503);
      // Give a retry time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(requests).toBe(1);
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      hanging.close();
      // Connections the aborted fetch left open.
      (hanging as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }
  });
});
