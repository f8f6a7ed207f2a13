import { createHmac } from 'node:crypto';
import { renderToString } from 'react-dom/server';
import request from 'supertest';
import { CookieJar, parseSetCookies } from '../../test/helpers/cookie-jar';
import { elementAt, pageDataOf, rootOf, textContent } from '../../test/helpers/page-html';
import {
  callApi,
  manyAccountsFromOneIp,
  RENDER_TEST_ORIGIN,
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { enableTwoFactor } from '../../test/helpers/two-factor';
import type { TestAuthenticatorApp } from '../../test/helpers/two-factor';
import { AppShell } from '../shared/app-shell';

// Signing in with two-factor on: the password (or Google, or a passkey) answers MfaRequired,
// the render server keeps the challenge in a signed httpOnly cookie and asks for the code on
// /sign-in/second-factor. Every refusal an attacker would try first is here: a tampered,
// forged or expired cookie, a replayed challenge, oversized input, guessing past the limit.

/** Wrong codes per user before RATE_LIMITED, lowered so the lockout test stays short. */
const WRONG_CODES_PER_USER = 3;

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv(
    {},
    {
      seedMovies: false,
      configureApi: (config) => ({
        ...manyAccountsFromOneIp(config),
        secondFactorLimits: { perUser: WRONG_CODES_PER_USER, windowSeconds: 900 },
      }),
    },
  );
});

afterAll(async () => {
  await env.stop();
});

interface TwoFactorPerson {
  email: string;
  app: TestAuthenticatorApp;
  recoveryCodes: string[];
}

async function personWithTwoFactor(): Promise<TwoFactorPerson> {
  const { email } = await signUpViaApi(env.api, { name: 'Grace Hopper' });
  return { email, ...(await enableTwoFactor(env.api, email)) };
}

function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

/** Signs in with the form; the jar then holds the challenge cookie only. */
async function passwordStep(email: string, returnTo = '/my-list'): Promise<CookieJar> {
  const jar = new CookieJar();
  const res = await request(env.app)
    .post('/auth/sign-in')
    .type('form')
    .send({ email, password: TEST_PASSWORD, returnTo, rememberMe: 'true' })
    .expect(303);
  expect(res.headers.location).toBe('/sign-in/second-factor');
  jar.update(res.headers['set-cookie']);
  return jar;
}

/** The `<input>` tag named `name` (void: no end tag for elementAt to find). */
function inputTag(html: string, name: string): string {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new TypeError(`no input named ${name}`);
  return tag;
}

/** cookie-parser's signed value (`s:<value>.<HMAC-SHA256>`), as the server signs it. */
function signedCookieValue(value: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
  return `s:${value}.${mac}`;
}

/** The challenge the jar's cookie holds (the JSON inside the signed value). */
function challengeIn(jar: CookieJar): Record<string, unknown> {
  const raw = jar.get('second_factor') ?? '';
  expect(raw.startsWith('s:')).toBe(true);
  return JSON.parse(raw.slice(2, raw.lastIndexOf('.'))) as Record<string, unknown>;
}

async function me(accessToken: string | undefined): Promise<{ email: string } | null> {
  const result = await callApi<{ me: { email: string } | null }>(
    env.api,
    '{ me { email } }',
    {},
    accessToken,
  );
  return result.data?.me ?? null;
}

describe('a password sign-in with two-factor on', () => {
  it('sets no session, only a signed, httpOnly, 5-minute challenge cookie, and asks for the code', async () => {
    const person = await personWithTwoFactor();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .type('form')
      .send({ email: person.email, password: TEST_PASSWORD, returnTo: '/my-list' })
      .expect(303);
    expect(res.headers.location).toBe('/sign-in/second-factor');
    const cookies = parseSetCookies(res.headers['set-cookie']);
    expect(cookies.map((cookie) => cookie.name)).toEqual(['second_factor']);
    const [challenge] = cookies;
    expect(challenge?.attributes).toEqual(
      expect.objectContaining({ httponly: true, samesite: 'Lax', path: '/' }),
    );
    const maxAge = Number(challenge?.attributes['max-age']);
    expect(maxAge).toBeGreaterThan(240);
    expect(maxAge).toBeLessThanOrEqual(300);

    const jar = new CookieJar();
    jar.update(res.headers['set-cookie']);
    const page = await request(env.app)
      .get('/sign-in/second-factor')
      .set('Cookie', jar.header())
      .expect(200);
    const root = rootOf(page.text);
    expect(textContent(root)).toContain('Enter the 6-digit code from your authenticator app');
    // HTML attribute names ignore case (React writes inputMode, autoComplete).
    const input = inputTag(root, 'code').toLowerCase();
    expect(input).toContain('inputmode="numeric"');
    expect(input).toContain('autocomplete="one-time-code"');
    expect(textContent(root)).toContain('Use a recovery code instead');
    // The challenge stays in its httpOnly cookie: neither the markup nor the page data holds it.
    const challengeId = String(challengeIn(jar).challengeId);
    expect(challengeId.length).toBeGreaterThan(20);
    expect(page.text).not.toContain(challengeId);
    expect(pageDataOf(page.text).page).toEqual(expect.objectContaining({ name: 'second-factor' }));
  });

  it('a wrong code says so by the field and signs nobody in; the right one does, once', async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email, '/my-list');

    const wrong = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: person.app.wrongCode() })
      .expect(400);
    expect(parseSetCookies(wrong.headers['set-cookie']).map((cookie) => cookie.name)).toEqual([]);
    const field = inputTag(rootOf(wrong.text), 'code').toLowerCase();
    expect(field).toContain('aria-invalid="true"');
    const message = textContent(
      elementAt(rootOf(wrong.text), /<span[^>]*data-testid="code-error"/),
    );
    expect(message.length).toBeGreaterThan(5);

    const right = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: await person.app.nextCode() })
      .expect(303);
    expect(right.headers.location).toBe('/my-list');
    const cookies = parseSetCookies(right.headers['set-cookie']);
    const access = cookies.find((cookie) => cookie.name === 'access_token');
    // "Remember me" was chosen on the sign-in form: the challenge carried it.
    expect(access?.attributes['max-age']).toBe('2592000');
    expect(cookies.find((cookie) => cookie.name === 'second_factor')?.value).toBe('');
    expect(await me(access?.value)).toEqual({ email: person.email });

    // Replaying the same challenge (the old cookie, a fresh code) finds it used.
    const replay = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: await person.app.nextCode() })
      .expect(303);
    expect(replay.headers.location).toBe('/sign-in?returnTo=%2Fmy-list&notice=sign-in-expired');
    expect(parseSetCookies(replay.headers['set-cookie']).map((c) => c.name)).not.toContain(
      'access_token',
    );
  });

  it('two right answers to one challenge at once sign in once (a code and a recovery code)', async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email, '/my-list');
    // Independent factors: only the challenge being single use can stop the second.
    const bodies = [
      { code: await person.app.nextCode() },
      { recoveryCode: person.recoveryCodes[0] },
    ];
    const answers = await Promise.all(
      bodies.map((body) =>
        request(env.app)
          .post('/auth/second-factor')
          .set('Cookie', jar.header())
          .type('form')
          .send(body),
      ),
    );
    const signedIn = answers.filter((res) =>
      parseSetCookies(res.headers['set-cookie']).some(
        (cookie) => cookie.name === 'access_token' && cookie.value !== '',
      ),
    );
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]?.headers.location).toBe('/my-list');
  });

  it('keeps the return path on this site through the challenge', async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email, '//evil.example/');
    expect(challengeIn(jar).returnTo).toBe('/');
    const res = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: await person.app.nextCode() })
      .expect(303);
    expect(res.headers.location).toBe('/');
  });

  it('accepts a recovery code once', async () => {
    const person = await personWithTwoFactor();
    const [recoveryCode = ''] = person.recoveryCodes;
    let jar = await passwordStep(person.email, '/');
    const page = await request(env.app)
      .get('/sign-in/second-factor?method=recovery')
      .set('Cookie', jar.header())
      .expect(200);
    expect(textContent(rootOf(page.text))).toContain('Enter one of your recovery codes');
    const used = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ recoveryCode })
      .expect(303);
    expect(parseSetCookies(used.headers['set-cookie']).map((c) => c.name)).toContain(
      'access_token',
    );

    jar = await passwordStep(person.email, '/');
    const again = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .set('Accept', 'application/json')
      .send({ recoveryCode })
      .expect(400);
    expect(again.body.error.fields.recoveryCode).toEqual([expect.any(String)]);
    expect(parseSetCookies(again.headers['set-cookie']).map((c) => c.name)).toEqual([]);
  });

  it('refuses a tampered, a forged and a signed-but-expired challenge cookie', async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email, '/');
    const stored = challengeIn(jar);
    const signature = (jar.get('second_factor') ?? '').slice(
      (jar.get('second_factor') ?? '').lastIndexOf('.'),
    );

    const variants = {
      // Another return path under the old signature.
      tampered: `s:${JSON.stringify({ ...stored, returnTo: '/account' })}${signature}`,
      // Signed with a secret that is not the server's.
      forged: signedCookieValue(JSON.stringify(stored), 'not-the-cookie-secret-0123456789abcdef'),
      // The server's own signature over a challenge whose five minutes are over.
      expired: signedCookieValue(
        JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }),
        env.config.cookieSecret,
      ),
      unsigned: JSON.stringify(stored),
    };
    for (const [what, value] of Object.entries(variants)) {
      const cookie = `second_factor=${encodeURIComponent(value)}`;
      const page = await request(env.app).get('/sign-in/second-factor').set('Cookie', cookie);
      expect([what, page.status, page.headers.location]).toEqual([
        what,
        303,
        '/sign-in?notice=sign-in-expired',
      ]);
      const post = await request(env.app)
        .post('/auth/second-factor')
        .set('Cookie', cookie)
        .type('form')
        .send({ code: '123456' });
      expect([what, post.status, post.headers.location]).toEqual([
        what,
        303,
        '/sign-in?notice=sign-in-expired',
      ]);
      expect(parseSetCookies(post.headers['set-cookie']).map((c) => c.name)).not.toContain(
        'access_token',
      );
    }
    // The untouched cookie still works: the refusals were the cookie's, not the challenge's.
    const res = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: await person.app.nextCode() })
      .expect(303);
    expect(parseSetCookies(res.headers['set-cookie']).map((c) => c.name)).toContain('access_token');
  });

  it('refuses empty and oversized codes before asking the API, and cross-site posts', async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email, '/');
    for (const code of ['', '9'.repeat(65), ' '.repeat(10)]) {
      const res = await request(env.app)
        .post('/auth/second-factor')
        .set('Cookie', jar.header())
        .set('Accept', 'application/json')
        .send({ code })
        .expect(400);
      expect(res.body.error.fields.code).toEqual([expect.any(String)]);
    }
    await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ code: '123456' })
      .expect(403);
    // None of that spent the challenge or counted as a wrong code.
    await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: await person.app.nextCode() })
      .expect(303)
      .expect('Location', '/');
  });

  it('after too many wrong codes answers 429 with the wait, on the page and as JSON', async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email, '/');
    for (let i = 0; i < WRONG_CODES_PER_USER; i += 1) {
      await request(env.app)
        .post('/auth/second-factor')
        .set('Cookie', jar.header())
        .type('form')
        .send({ code: person.app.wrongCode() })
        .expect(400);
    }
    const page = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: person.app.wrongCode() })
      .expect(429);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(textContent(rootOf(page.text))).toMatch(/Too many attempts\. Try again in \d+ minutes?/);
    // Even the right code waits: a guesser cannot tell a right one from the lockout.
    const json = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .set('Accept', 'application/json')
      .send({ code: await person.app.nextCode() })
      .expect(429);
    expect(json.body.error).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) }),
    );
    expect(parseSetCookies(json.headers['set-cookie']).map((c) => c.name)).toEqual([]);
  });

  it('without a challenge: the page and the post go back to sign in, saying why', async () => {
    const page = await request(env.app).get('/sign-in/second-factor').expect(303);
    expect(page.headers.location).toBe('/sign-in?notice=sign-in-expired');
    const signIn = await request(env.app).get(page.headers.location).expect(200);
    expect(textContent(rootOf(signIn.text))).toContain('That sign-in has expired; sign in again.');
    const json = await request(env.app)
      .post('/auth/second-factor')
      .set('Accept', 'application/json')
      .send({ code: '123456' })
      .expect(401);
    expect(json.body.error).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('expired'),
      redirect: '/sign-in?notice=sign-in-expired',
    });
  });
});

describe('the second-factor page', () => {
  it("hydrates to the server's markup, both ways of answering", async () => {
    const person = await personWithTwoFactor();
    const jar = await passwordStep(person.email);
    for (const path of ['/sign-in/second-factor', '/sign-in/second-factor?method=recovery']) {
      const res = await request(env.app).get(path).set('Cookie', jar.header()).expect(200);
      // What the page script's first render makes of the embedded page data.
      const { page, data } = pageDataOf(res.text);
      const browser = renderToString(<AppShell page={page} data={data} navigate={null} />);
      expect([path, browser]).toEqual([path, rootOf(res.text)]);
    }
  });
});

describe('HTTP Basic clients with two-factor on', () => {
  it('get 401 SECOND_FACTOR_REQUIRED with the challenge, and finish with POST /auth/second-factor', async () => {
    const person = await personWithTwoFactor();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(person.email, TEST_PASSWORD))
      .send({})
      .expect(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toEqual({
      error: {
        code: 'SECOND_FACTOR_REQUIRED',
        message: expect.stringContaining('code'),
        redirect: '/sign-in/second-factor',
      },
      challengeId: expect.any(String),
      methods: ['TOTP', 'RECOVERY_CODE'],
      expiresAt: expect.any(String),
    });
    expect(res.text).not.toMatch(/accessToken|refreshToken|eyJ/);

    // A script has no cookie jar: the challenge id in the body is enough.
    const done = await request(env.app)
      .post('/auth/second-factor')
      .send({ challengeId: res.body.challengeId, code: await person.app.nextCode() })
      .expect(200);
    expect(done.body).toEqual({
      user: { id: expect.any(String), name: 'Grace Hopper', email: person.email },
      redirect: '/',
    });
    const access = parseSetCookies(done.headers['set-cookie']).find(
      (cookie) => cookie.name === 'access_token',
    );
    expect(await me(access?.value)).toEqual({ email: person.email });

    // The challenge was used: a second answer is an expired sign-in (the form's replay test
    // shows that with a right code; here any code will do).
    const again = await request(env.app)
      .post('/auth/second-factor')
      .send({ challengeId: res.body.challengeId, code: person.app.wrongCode() })
      .expect(401);
    expect(again.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('a made-up or oversized challenge id is an expired sign-in, not an error page', async () => {
    for (const challengeId of ['x'.repeat(43), 'not a challenge', 'y'.repeat(5000)]) {
      const res = await request(env.app)
        .post('/auth/second-factor')
        .send({ challengeId, code: '123456' })
        .expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('without two-factor the answer is the same as before: { user }', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'No Codes' });
    const res = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, TEST_PASSWORD))
      .send({})
      .expect(200);
    expect(res.body).toEqual({ user: { id: expect.any(String), name: 'No Codes', email } });
  });
});

describe('the page script', () => {
  it('gets where to go from the JSON sign-in and the JSON second factor', async () => {
    const person = await personWithTwoFactor();
    const jar = new CookieJar();
    const first = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(person.email, TEST_PASSWORD))
      .set('Accept', 'application/json')
      .set('Origin', RENDER_TEST_ORIGIN)
      .send({ rememberMe: false, returnTo: '/account' })
      .expect(401);
    expect(first.body.error.redirect).toBe('/sign-in/second-factor');
    jar.update(first.headers['set-cookie']);
    const done = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .set('Accept', 'application/json')
      .set('Origin', RENDER_TEST_ORIGIN)
      .send({ code: await person.app.nextCode() })
      .expect(200);
    expect(done.body.redirect).toBe('/account');
  });
});
