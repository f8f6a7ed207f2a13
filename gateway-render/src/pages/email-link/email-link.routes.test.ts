import { pino } from 'pino';
import request from 'supertest';
import {
  linkPath,
  mailIds,
  meOf,
  signUpWithForm,
  tokenOf,
  waitForMail,
} from '../../../test/helpers/account-flows';
import type { CookieJar } from '../../../test/helpers/cookie-jar';
import {
  manyAccountsFromOneIp,
  startRenderTestEnv,
  uniqueEmail,
} from '../../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../../test/helpers/render-test-env';
import { createApp } from '../../app';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

const VERIFY_SUBJECT = /Confirm your e-mail address/;

/** A new account (signed up with the form) and the path of its mailed verification link. */
async function signUpAndReadLink(): Promise<{ email: string; jar: CookieJar; path: string }> {
  const email = uniqueEmail('verify');
  const jar = await signUpWithForm(env.app, { name: 'Vera Fication', email });
  const mail = await waitForMail(env.api, email, VERIFY_SUBJECT);
  return { email, jar, path: linkPath(mail, '/verify-email') };
}

describe('the verification link', () => {
  it('is mailed at sign-up; opening it spends nothing, the button confirms the address', async () => {
    const { email, jar, path } = await signUpAndReadLink();
    expect(path).toMatch(/^\/verify-email\?token=[\w-]{20,}$/);
    const token = tokenOf(path);

    // A mail scanner (no cookies) and the person both open the link: only a form comes back.
    for (const cookie of ['', jar.header()]) {
      const page = await request(env.app).get(path).set('Cookie', cookie).expect(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).toContain('Confirm your e-mail address');
      expect(page.text).toContain(`name="token" value="${token}"`);
      expect(page.text).toContain('action="/verify-email"');
    }
    expect((await meOf(env.api, jar))?.emailVerified).toBe(false);

    // The form's post, as Chromium sends it under no-referrer: Origin null, same-origin fetch.
    const confirmed = await request(env.app)
      .post('/verify-email')
      .set('Cookie', jar.header())
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ token })
      .expect(303);
    expect(confirmed.headers.location).toBe('/account?notice=email-verified');
    expect(confirmed.headers['referrer-policy']).toBe('no-referrer');
    expect(await meOf(env.api, jar)).toEqual(
      expect.objectContaining({ email, emailVerified: true }),
    );

    const account = await request(env.app)
      .get('/account?notice=email-verified')
      .set('Cookie', jar.header())
      .expect(200);
    expect(account.text).toContain('Thank you: your e-mail address is confirmed.');
    expect(account.text).not.toContain('data-testid="verify-banner"');

    // Used once: the same link now shows why it cannot be used, and a way to a new one.
    const again = await request(env.app)
      .post('/verify-email')
      .set('Cookie', jar.header())
      .type('form')
      .send({ token })
      .expect(400);
    expect(again.headers['referrer-policy']).toBe('no-referrer');
    expect(again.text).toContain('data-testid="link-problem"');
    expect(again.text).toMatch(/invalid, has expired or was already used/);
    expect(again.text).toContain('href="/account"');
  });

  it('confirms for someone not signed in here, with a sign-in link', async () => {
    const { email, path } = await signUpAndReadLink();
    const res = await request(env.app)
      .post('/verify-email')
      .type('form')
      .send({ token: tokenOf(path) })
      .expect(200);
    expect(res.text).toContain(`${email} is confirmed`);
    expect(res.text).toContain('href="/sign-in"');
  });

  it('refuses a garbage, missing or oversized token with the error page, never a form', async () => {
    for (const token of ['not-a-real-token-at-all', 'x'.repeat(43)]) {
      const res = await request(env.app).post('/verify-email').type('form').send({ token });
      expect(res.status).toBe(400);
      expect(res.text).toContain('data-testid="link-problem"');
      expect(res.text).toContain('href="/sign-in?returnTo=%2Faccount"');
    }
    for (const path of [
      '/verify-email',
      '/verify-email?token=',
      `/verify-email?token=${'a'.repeat(300)}`,
    ]) {
      const res = await request(env.app).get(path).expect(400);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.text).toContain('data-testid="link-problem"');
      expect(res.text).not.toContain('name="token"');
    }
  });

  it('keeps its token out of the logs', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const app = createApp(env.config, { logger });
    const { path } = await signUpAndReadLink();
    await request(app).get(path).expect(200);
    await request(app).get(path.replace('/verify-email', '/VERIFY-EMAIL/')).expect(200);
    const token = tokenOf(path);
    expect(lines.join('\n')).toContain('/verify-email');
    expect(lines.join('\n')).not.toContain(token);
  });
});

describe('the confirm-your-address banner', () => {
  it('shows on every page for an unconfirmed address and resends the link (form)', async () => {
    const { email, jar } = await signUpAndReadLink();
    for (const path of ['/', '/my-list', '/account']) {
      const page = await request(env.app).get(path).set('Cookie', jar.header()).expect(200);
      expect(page.text).toContain(
        `Please confirm your e-mail address: we sent a link to <strong>${email}</strong>.`,
      );
      expect(page.text).toContain('action="/account/verification"');
      expect(page.text).toContain(`name="returnTo" value="${path}"`);
    }

    const seen = mailIds(env.api);
    const resent = await request(env.app)
      .post('/account/verification')
      .set('Cookie', jar.header())
      .type('form')
      .send({ returnTo: '/my-list' })
      .expect(303);
    expect(resent.headers.location).toBe('/my-list?notice=verification-sent');
    const page = await request(env.app)
      .get(resent.headers.location ?? '')
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('We sent you a new link to confirm your e-mail address.');

    // A new mail, and its link works.
    const mail = await waitForMail(env.api, email, VERIFY_SUBJECT, seen);
    await request(env.app)
      .post('/verify-email')
      .set('Cookie', jar.header())
      .type('form')
      .send({ token: tokenOf(linkPath(mail, '/verify-email')) })
      .expect(303);
    const after = await request(env.app).get('/').set('Cookie', jar.header()).expect(200);
    expect(after.text).not.toContain('data-testid="verify-banner"');

    const already = await request(env.app)
      .post('/account/verification')
      .set('Cookie', jar.header())
      .type('form')
      .send({ returnTo: '/' })
      .expect(303);
    expect(already.headers.location).toBe('/?notice=already-verified');
  });

  it('answers the page script in JSON, and shows the wait once too many links were asked for', async () => {
    const { jar } = await signUpAndReadLink();
    const json = await request(env.app)
      .post('/account/verification')
      .set('Cookie', jar.header())
      .set('Accept', 'application/json')
      .send({})
      .expect(200);
    expect(json.body).toEqual({ sent: true });

    let res = json;
    for (let attempt = 0; attempt < 10 && res.status !== 429; attempt += 1) {
      res = await request(env.app)
        .post('/account/verification')
        .set('Cookie', jar.header())
        .type('form')
        .send({ returnTo: '/' });
    }
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toMatch(/Try again in \d+ (minutes?|seconds?)\./);
    const limitedJson = await request(env.app)
      .post('/account/verification')
      .set('Cookie', jar.header())
      .set('Accept', 'application/json')
      .send({})
      .expect(429);
    expect(limitedJson.body.error).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) }),
    );
  });

  it('never shows for anonymous visitors, and its post sends them to sign in', async () => {
    const page = await request(env.app).get('/').expect(200);
    expect(page.text).not.toContain('data-testid="verify-banner"');
    const res = await request(env.app)
      .post('/account/verification')
      .type('form')
      .send({ returnTo: '/' })
      .expect(303);
    expect(res.headers.location).toBe('/sign-in');
  });
});

describe('notices', () => {
  it('show only fixed messages: an unknown key or text in the URL shows nothing', async () => {
    for (const notice of ['<script>alert(1)</script>', 'constructor', 'toString', 'anything']) {
      const page = await request(env.app)
        .get(`/sign-in?notice=${encodeURIComponent(notice)}`)
        .expect(200);
      expect(page.text).not.toContain('data-testid="notice"');
      expect(page.text).not.toContain('alert(1)');
    }
  });
});

describe('cross-site posts', () => {
  it('are refused on the link and banner routes', async () => {
    const { jar, path } = await signUpAndReadLink();
    for (const route of ['/verify-email', '/confirm-email', '/account/verification']) {
      await request(env.app)
        .post(route)
        .set('Cookie', jar.header())
        .set('Origin', 'https://evil.example')
        .type('form')
        .send({ token: tokenOf(path) })
        .expect(403);
      await request(env.app)
        .post(route)
        .set('Cookie', jar.header())
        .set('Sec-Fetch-Site', 'cross-site')
        .type('form')
        .send({ token: tokenOf(path) })
        .expect(403);
      // An opaque origin alone (a sandboxed frame elsewhere) is not enough either.
      await request(env.app)
        .post(route)
        .set('Cookie', jar.header())
        .set('Origin', 'null')
        .type('form')
        .send({ token: tokenOf(path) })
        .expect(403);
    }
    // The refused posts spent nothing.
    expect((await meOf(env.api, jar))?.emailVerified).toBe(false);
  });
});
