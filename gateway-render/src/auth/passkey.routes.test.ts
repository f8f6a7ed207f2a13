import request from 'supertest';
import { CookieJar, parseSetCookies } from '../../test/helpers/cookie-jar';
import { startRenderTestEnv } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { MAX_PENDING_PASSKEY_CHALLENGES } from './passkey-challenge';

// The render server's half of passkey sign-in: the API's sign-in challenges are anonymous, so
// the render server binds each to the browser it handed it to (a signed cookie) and passes on
// only a response that signed THAT challenge. (The full ceremony, with a real authenticator,
// is the browser test's: test/e2e/passkey.test.ts.)

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false });
});

afterAll(async () => {
  await env.stop();
});

/** POST /auth/passkey/options as this browser; the challenge handed out. */
async function optionsFor(jar: CookieJar): Promise<string> {
  const res = await request(env.app)
    .post('/auth/passkey/options')
    .set('Cookie', jar.header())
    .set('Accept', 'application/json')
    .send({})
    .expect(200);
  jar.update(res.headers['set-cookie']);
  const challenge = (res.body as { options: { challenge: string } }).options.challenge;
  expect(typeof challenge).toBe('string');
  return challenge;
}

/**
 * An assertion shaped like @simplewebauthn/browser's, for `challenge`, whose signature is
 * garbage: enough to show which challenges the render server lets through to the API.
 */
function assertionFor(challenge: string) {
  const clientData = { type: 'webauthn.get', challenge, origin: 'http://render.test' };
  return {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
    type: 'public-key',
    response: {
      clientDataJSON: Buffer.from(JSON.stringify(clientData)).toString('base64url'),
      authenticatorData: Buffer.alloc(37).toString('base64url'),
      signature: Buffer.alloc(64).toString('base64url'),
    },
    clientExtensionResults: {},
  };
}

async function answer(jar: CookieJar, response: unknown) {
  const res = await request(env.app)
    .post('/auth/passkey')
    .set('Cookie', jar.header())
    .set('Accept', 'application/json')
    .send({ response, returnTo: '/my-list' });
  jar.update(res.headers['set-cookie']);
  return res;
}

function sessionCookies(headers: string[] | string | undefined): string[] {
  return parseSetCookies(headers)
    .filter((cookie) => cookie.value !== '')
    .map((cookie) => cookie.name)
    .filter((name) => name === 'access_token' || name === 'refresh_token');
}

describe('POST /auth/passkey/options', () => {
  it("answers the API's request options and keeps their challenge in a signed, httpOnly, 5-minute cookie", async () => {
    const res = await request(env.app)
      .post('/auth/passkey/options')
      .set('Accept', 'application/json')
      .send({})
      .expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { options } = res.body as { options: { challenge: string; rpId?: string } };
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    // The relying party is PUBLIC_ORIGIN's host.
    expect(options.rpId).toBe('render.test');
    const cookie = parseSetCookies(res.headers['set-cookie']).find(
      (entry) => entry.name === 'passkey_challenge',
    );
    expect(cookie?.attributes).toEqual(
      expect.objectContaining({ httponly: true, samesite: 'Lax', path: '/' }),
    );
    const maxAge = Number(cookie?.attributes['max-age']);
    expect(maxAge).toBeGreaterThanOrEqual(299);
    expect(maxAge).toBeLessThanOrEqual(300);
    expect(cookie?.value.startsWith('s:')).toBe(true);
    expect(cookie?.value).toContain(options.challenge);
  });

  it('refuses a cross-site request', async () => {
    await request(env.app)
      .post('/auth/passkey/options')
      .set('Origin', 'https://evil.example')
      .set('Accept', 'application/json')
      .send({})
      .expect(403);
  });
});

describe('POST /auth/passkey', () => {
  it('refuses an answer to a challenge this browser was never handed (another browser’s)', async () => {
    // The attacker fetched the options elsewhere (their own browser, a phishing server).
    const elsewhere = new CookieJar();
    const foreign = await optionsFor(elsewhere);
    const victim = new CookieJar();
    await optionsFor(victim);
    const res = await answer(victim, assertionFor(foreign));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('PASSKEY_CHALLENGE_MISMATCH');
    expect(sessionCookies(res.headers['set-cookie'])).toEqual([]);
    // And with no cookie at all.
    const bare = await answer(new CookieJar(), assertionFor(foreign));
    expect([bare.status, bare.body.error.code]).toEqual([400, 'PASSKEY_CHALLENGE_MISMATCH']);
  });

  it('refuses a challenge cookie that is unsigned or signed with another secret', async () => {
    const jar = new CookieJar();
    const challenge = await optionsFor(jar);
    const stored = JSON.stringify([{ challenge, expiresAt: Date.now() + 60_000 }]);
    for (const value of [stored, `s:${stored}.bm90LXRoZS1zaWduYXR1cmU`]) {
      const forged = new CookieJar();
      forged.set('passkey_challenge', value);
      const res = await answer(forged, assertionFor(challenge));
      expect([res.status, res.body.error.code]).toEqual([400, 'PASSKEY_CHALLENGE_MISMATCH']);
    }
  });

  it('passes a matching answer to the API once: a replay finds the challenge gone', async () => {
    const jar = new CookieJar();
    const challenge = await optionsFor(jar);
    const first = await answer(jar, assertionFor(challenge));
    // Through the render server's check; the API then refuses the made-up credential.
    expect(first.body.error.code).not.toBe('PASSKEY_CHALLENGE_MISMATCH');
    expect([400, 401]).toContain(first.status);
    expect(sessionCookies(first.headers['set-cookie'])).toEqual([]);
    const replay = await answer(jar, assertionFor(challenge));
    expect([replay.status, replay.body.error.code]).toEqual([400, 'PASSKEY_CHALLENGE_MISMATCH']);
  });

  it(`keeps the last ${MAX_PENDING_PASSKEY_CHALLENGES} challenges (autofill and the button overlap), not more`, async () => {
    const jar = new CookieJar();
    const challenges: string[] = [];
    for (let i = 0; i <= MAX_PENDING_PASSKEY_CHALLENGES; i += 1) {
      challenges.push(await optionsFor(jar));
    }
    const [oldest = '', second = ''] = challenges;
    const dropped = await answer(jar, assertionFor(oldest));
    expect([dropped.status, dropped.body.error.code]).toEqual([400, 'PASSKEY_CHALLENGE_MISMATCH']);
    const kept = await answer(jar, assertionFor(second));
    expect(kept.body.error.code).not.toBe('PASSKEY_CHALLENGE_MISMATCH');
  });

  it('refuses a missing, malformed or oversized response before anything else', async () => {
    const jar = new CookieJar();
    const challenge = await optionsFor(jar);
    const huge = assertionFor(challenge);
    huge.response.signature = 'A'.repeat(9000);
    for (const response of [undefined, 'text', [1, 2], null, huge]) {
      const res = await request(env.app)
        .post('/auth/passkey')
        .set('Cookie', jar.header())
        .set('Accept', 'application/json')
        .send({ response });
      expect([res.status, res.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    }
    // None of those spent the challenge.
    const res = await answer(jar, assertionFor(challenge));
    expect(res.body.error.code).not.toBe('PASSKEY_CHALLENGE_MISMATCH');
  });

  it('refuses a response whose clientDataJSON is not JSON or names no challenge', async () => {
    const jar = new CookieJar();
    await optionsFor(jar);
    const broken = assertionFor('x');
    broken.response.clientDataJSON = Buffer.from('not json').toString('base64url');
    const res = await answer(jar, broken);
    expect([res.status, res.body.error.code]).toEqual([400, 'PASSKEY_CHALLENGE_MISMATCH']);
  });

  it('refuses a cross-site post', async () => {
    const jar = new CookieJar();
    const challenge = await optionsFor(jar);
    await request(env.app)
      .post('/auth/passkey')
      .set('Cookie', jar.header())
      .set('Origin', 'https://evil.example')
      .set('Accept', 'application/json')
      .send({ response: assertionFor(challenge) })
      .expect(403);
  });
});
