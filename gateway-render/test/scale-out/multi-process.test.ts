import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { API_KEY_CACHE_TTL_MS, ApiKeyService } from 'graphql-api/api-keys/api-key.service';
import { connectDatabase, disconnectDatabase } from 'graphql-api/database';
import { SessionModel } from 'graphql-api/sessions/session.model';
import { uniqueDbName } from 'graphql-api/testing';
import { ChildServers } from '../helpers/child-servers';
import type { ChildServer } from '../helpers/child-servers';
import { CookieJar } from '../helpers/cookie-jar';
import { TEST_PASSWORD, testMongoUri, uniqueEmail } from '../helpers/render-test-env';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy';
import type { RoundRobinProxy } from '../helpers/round-robin-proxy';

// Two API processes and two render processes on ONE database, each pair behind a round-robin
// proxy (no sticky sessions): browser → front proxy → render 1 | render 2 → API proxy →
// API 1 | API 2 → the database. Everything a person does may land on any process.

/** Short, so the test can wait it out (the default is 10 s). */
const REUSE_INTERVAL_SECONDS = 2;
const NAME = 'Scale Tester';
const SIGNED_IN = `<strong data-testid="viewer-name">${NAME}</strong>`;
// The header's sign-in link, which only signed-out pages show.
const SIGNED_OUT = '<a href="/sign-in" class="button ghost small">Sign in</a>';

const children = new ChildServers();
const dbName = uniqueDbName('scale_out');
const secret = (): string => randomBytes(32).toString('base64url');
const keys = {
  JWT_SECRET: secret(),
  PUBLIC_API_KEY_TOKEN: secret(),
  ADMIN_API_KEY_TOKEN: secret(),
  RENDER_API_KEY_TOKEN: secret(),
};
let front: RoundRobinProxy | undefined;
let apiSide: RoundRobinProxy | undefined;
let apis: ChildServer[] = [];
let renders: ChildServer[] = [];

beforeAll(async () => {
  front = await startRoundRobinProxy();
  apiSide = await startRoundRobinProxy();
  const apiEnv = {
    ...keys,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PUBLIC_ORIGIN: front.origin,
    REFRESH_REUSE_INTERVAL_SECONDS: String(REUSE_INTERVAL_SECONDS),
  };
  const startApi = (n: number) =>
    children.start(`api-${n}`, 'api-process.server', {
      SCALE_OUT_MONGO_URI: testMongoUri(),
      SCALE_OUT_DB_NAME: dbName,
      SCALE_OUT_SEED_MOVIES: n === 1 ? '1' : '0',
      SCALE_OUT_API_ENV: JSON.stringify(apiEnv),
    });
  // One after the other: each seeds the keys, and the first the sample movies.
  apis = [await startApi(1), await startApi(2)];
  apiSide.setUpstreams(apis.map((api) => api.origin));
  const renderEnv = JSON.stringify({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    RENDER_PORT: '0',
    API_URL: `${apiSide.origin}/graphql`,
    RENDER_API_KEY_TOKEN: keys.RENDER_API_KEY_TOKEN,
    COOKIE_SECRET: secret(),
    PUBLIC_ORIGIN: front.origin,
  });
  renders = await Promise.all(
    [1, 2].map((n) =>
      children.start(`render-${n}`, 'render-process.server', { SCALE_OUT_RENDER_ENV: renderEnv }),
    ),
  );
  front.setUpstreams(renders.map((render) => render.origin));
  // The test reads sessions and revokes keys on the same database, as an operator would.
  await connectDatabase(testMongoUri(), { dbName });
});

afterAll(async () => {
  // Also after a failed start: whatever did start is stopped (stopAll never throws).
  await children.stopAll();
  await front?.close();
  await apiSide?.close();
  await disconnectDatabase();
  expect(children.size).toBe(0);
});

function frontProxy(): RoundRobinProxy {
  if (!front) throw new Error('the front proxy did not start');
  return front;
}

function apiProxy(): RoundRobinProxy {
  if (!apiSide) throw new Error('the API proxy did not start');
  return apiSide;
}

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Calls one API process directly (or the API proxy) with the public key unless another is given. */
async function graphql<T = Record<string, unknown>>(
  origin: string,
  query: string,
  variables: Record<string, unknown> = {},
  apiKey = keys.PUBLIC_API_KEY_TOKEN,
): Promise<GraphqlAnswer<T>> {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlAnswer<T>;
}

function errorCode(answer: GraphqlAnswer<unknown>): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}

async function signUp(): Promise<string> {
  const email = uniqueEmail('scale');
  const answer = await graphql<{ signUp: { id: string } }>(
    apiProxy().origin,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { id } }',
    { input: { name: NAME, email, password: TEST_PASSWORD } },
  );
  if (!answer.data?.signUp.id) throw new Error(`signUp refused: ${JSON.stringify(answer.errors)}`);
  return email;
}

/** Signs in through the front proxy (the render server's Basic sign-in) and returns the cookies. */
async function signInThroughFront(email: string): Promise<CookieJar> {
  const { origin } = frontProxy();
  const response = await fetch(`${origin}/auth/sign-in`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${email}:${TEST_PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
      origin,
    },
    body: JSON.stringify({ rememberMe: false }),
  });
  expect(response.status).toBe(200);
  const jar = new CookieJar();
  jar.update(response.headers.getSetCookie());
  expect(jar.get('refresh_token')).toMatch(/^[0-9a-f]{24}\.0\./);
  return jar;
}

/**
 * The same access token with its `exp` a minute in the past. The render server reads `exp`
 * without verifying, only to decide when to refresh, so this token makes it refresh exactly as
 * an expired one does. Its signature no longer matches: had a render process sent it to the
 * API instead of refreshing, the API would refuse it and the page would come out signed out.
 */
function expireAccessToken(jar: CookieJar): void {
  const [header, payload, signature] = (jar.get('access_token') ?? '').split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  claims.exp = Math.floor(Date.now() / 1000) - 60;
  const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
  jar.set('access_token', `${header}.${forged}.${signature}`);
}

/** GET through the front proxy with these cookies. */
async function page(
  path: string,
  cookie: string,
): Promise<{ status: number; location: string | null; html: string; setCookies: string[] }> {
  const response = await fetch(`${frontProxy().origin}${path}`, {
    headers: { cookie },
    redirect: 'manual',
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    html: await response.text(),
    setCookies: response.headers.getSetCookie(),
  };
}

function sessionIdOf(refreshToken: string | undefined): string {
  const id = refreshToken?.split('.')[0] ?? '';
  expect(id).toMatch(/^[0-9a-f]{24}$/);
  return id;
}

async function storedSession(
  id: string,
): Promise<{ refreshCounter: number; counterAdvancedAt: Date | null; revokedAt: Date | null }> {
  // The raw collection: what the database holds, not what a model makes of it.
  const doc = await SessionModel.collection.findOne({ _id: new Types.ObjectId(id) });
  if (!doc) throw new Error(`no session ${id}`);
  return {
    refreshCounter: doc.refreshCounter as number,
    counterAdvancedAt: (doc.counterAdvancedAt as Date | null) ?? null,
    revokedAt: (doc.revokedAt as Date | null) ?? null,
  };
}

function countBy<T>(items: T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[String(key(item))] = (counts[String(key(item))] ?? 0) + 1;
  return counts;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('two API and two render processes on one database, no sticky sessions', () => {
  it('runs every server in its own process', () => {
    const pids = [...apis, ...renders].map((child) => child.pid);
    expect(new Set([process.pid, ...pids]).size).toBe(5);
  });

  it('refreshes once for 10 pages opened at once over both render processes, and stays signed in', async () => {
    const jar = await signInThroughFront(await signUp());
    const original = jar.get('refresh_token');
    const sessionId = sessionIdOf(original);
    expireAccessToken(jar);
    const cookie = jar.header();

    // Both render processes must call refreshSession with the same token at the same moment,
    // on different API processes: the API proxy holds the two calls and releases them together.
    const frontMark = frontProxy().routed.length;
    const apiMark = apiProxy().routed.length;
    const heldRefreshes = apiProxy().holdTogether('RefreshSession', 2);
    const pages = await Promise.all(Array.from({ length: 10 }, () => page('/', cookie)));

    for (const { status, html } of pages) {
      expect(status).toBe(200);
      expect(html).toContain(SIGNED_IN);
    }
    // Five pages on each render process.
    expect(countBy(frontProxy().routed.slice(frontMark), (r) => r.upstream)).toEqual({
      0: 5,
      1: 5,
    });
    // One refresh per render process (each shares its own in-process), one on each API.
    expect(await heldRefreshes).toBe(2);
    const refreshes = apiProxy()
      .routed.slice(apiMark)
      .filter((r) => r.operationName === 'RefreshSession');
    expect(refreshes.map((r) => r.upstream).sort()).toEqual([0, 1]);

    // Every page got the same successor, and the database advanced the counter exactly once.
    const successors = new Set(
      pages.flatMap(({ setCookies }) => {
        const set = new CookieJar();
        set.update(setCookies);
        return [set.get('refresh_token')];
      }),
    );
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    expect(successor).toMatch(new RegExp(`^${sessionId}\\.1\\.`));
    const stored = await storedSession(sessionId);
    expect(stored.refreshCounter).toBe(1);
    expect(stored.revokedAt).toBeNull();

    // Still signed in afterwards, on both render processes, without another refresh.
    jar.update(pages[0]?.setCookies);
    for (const next of [await page('/', jar.header()), await page('/', jar.header())]) {
      expect(next.status).toBe(200);
      expect(next.html).toContain(SIGNED_IN);
    }
    expect((await storedSession(sessionId)).refreshCounter).toBe(1);
  });

  it('revokes the session when the original refresh token is replayed after the reuse interval', async () => {
    const jar = await signInThroughFront(await signUp());
    const original = jar.get('refresh_token');
    const sessionId = sessionIdOf(original);
    expireAccessToken(jar);
    const refreshed = await page('/', jar.header());
    expect(refreshed.html).toContain(SIGNED_IN);
    jar.update(refreshed.setCookies);
    expect(jar.get('refresh_token')).toMatch(new RegExp(`^${sessionId}\\.1\\.`));

    // Wait until the previous counter is past the interval, by the database's own record.
    const advancedAt = (await storedSession(sessionId)).counterAdvancedAt?.getTime() ?? 0;
    expect(advancedAt).toBeGreaterThan(0);
    await sleep(Math.max(0, advancedAt + REUSE_INTERVAL_SECONDS * 1000 + 300 - Date.now()));

    // Someone replays the token the person had before (through the API proxy: either API).
    const replay = await graphql(
      apiProxy().origin,
      'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
      { t: original },
    );
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    expect((await storedSession(sessionId)).revokedAt).toBeInstanceOf(Date);

    // The person's next page, with the newest cookies, on either render process: the API
    // refuses the access token (its session is checked on every request), so the render
    // process sends the person to sign in and clears the cookies.
    const cookie = jar.header();
    for (const next of [await page('/', cookie), await page('/', cookie)]) {
      expect(next.status).toBe(303);
      expect(next.location).toBe('/sign-in');
      const after = new CookieJar();
      for (const name of jar.names()) after.set(name, jar.get(name) ?? '');
      after.update(next.setCookies);
      expect(after.get('access_token')).toBeUndefined();
      expect(after.get('refresh_token')).toBeUndefined();
    }
    const anonymous = await page('/', '');
    expect(anonymous.status).toBe(200);
    expect(anonymous.html).toContain(SIGNED_OUT);
  });

  it('refuses a revoked API key on both API processes within the cache bound', async () => {
    const service = new ApiKeyService();
    const { key, token } = await service.create('scale-out test key', ['read:movies']);
    const read = async (api: ChildServer) =>
      graphql<{ movies: { totalCount: number } }>(
        api.origin,
        '{ movies(first: 1) { totalCount } }',
        {},
        token,
      );
    // Both processes have the key cached (the worst case: a fresh entry just before the revoke).
    for (const api of apis) expect((await read(api)).data?.movies.totalCount).toBeGreaterThan(0);

    expect(await service.revoke(key.id)).toBe(true);
    const revokedAt = Date.now();
    const pollMs = 25;
    const deadline = revokedAt + API_KEY_CACHE_TTL_MS + 1000;
    const watch = async (api: ChildServer) => {
      let lastAcceptedSentAt = -Infinity;
      for (;;) {
        const sentAt = Date.now();
        if (sentAt > deadline) return { lastAcceptedSentAt, refusedSentAt: Infinity };
        const answer = await read(api);
        if (errorCode(answer) === 'UNAUTHENTICATED')
          return { lastAcceptedSentAt, refusedSentAt: sentAt };
        // Anything but the answer or the refusal is a failure of its own.
        expect(answer.data?.movies.totalCount).toBeGreaterThan(0);
        lastAcceptedSentAt = sentAt;
        await sleep(pollMs);
      }
    };
    const results = await Promise.all(apis.map(watch));
    for (const { lastAcceptedSentAt, refusedSentAt } of results) {
      // The bound itself: no request sent 1 s (the cache's lifetime) or more after the revoke
      // was accepted, on either process. The refusal is then the next poll: within that
      // lifetime plus one poll's round trip and pause (generous, for a busy 2-core machine).
      expect(lastAcceptedSentAt - revokedAt).toBeLessThan(API_KEY_CACHE_TTL_MS);
      expect(refusedSentAt - revokedAt).toBeLessThan(API_KEY_CACHE_TTL_MS + 500);
    }
  });

  it('counts failed sign-ins for one e-mail from one address across both API processes', async () => {
    const email = await signUp();
    const signIn = (api: ChildServer) =>
      graphql(
        api.origin,
        'mutation ($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }',
        { input: { email, password: 'not the password at all' } },
      );
    const failures: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      failures.push(errorCode(await signIn(apis[attempt % 2] as ChildServer)));
    }
    expect(failures).toEqual(Array.from({ length: 10 }, () => 'UNAUTHENTICATED'));
    // Five failures on each: only a shared count reaches the limit of 10.
    for (const api of apis) expect(errorCode(await signIn(api))).toBe('RATE_LIMITED');
  });
});
