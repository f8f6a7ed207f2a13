import request from 'supertest';
import {
  linkPath,
  mailIds,
  signInWithForm,
  stillSignedIn,
  tokenOf,
  waitForMail,
} from '../../../test/helpers/account-flows';
import { CookieJar } from '../../../test/helpers/cookie-jar';
import {
  manyAccountsFromOneIp,
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
  uniqueEmail,
} from '../../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../../test/helpers/render-test-env';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

const RESET_SUBJECT = /Reset your .* password/;
const NEW_PASSWORD = 'lantern quarry mosaic thirteen';

async function askForReset(email: string) {
  return request(env.app).post('/forgot-password').type('form').send({ email }).expect(200);
}

/** An account, a reset asked for it, and the mailed link's path. */
async function accountWithResetLink(): Promise<{ email: string; path: string }> {
  const { email } = await signUpViaApi(env.api, { name: 'Reset Tester' });
  const seen = mailIds(env.api);
  await askForReset(email);
  const mail = await waitForMail(env.api, email, RESET_SUBJECT, seen);
  return { email, path: linkPath(mail, '/reset-password') };
}

async function postReset(token: string, newPassword: string, jar = new CookieJar()) {
  const res = await request(env.app)
    .post('/reset-password')
    .set('Cookie', jar.header())
    .set('Origin', 'null')
    .set('Sec-Fetch-Site', 'same-origin')
    .type('form')
    .send({ token, newPassword });
  jar.update(res.headers['set-cookie']);
  return res;
}

function basicSignIn(email: string, password: string) {
  return request(env.app)
    .post('/auth/sign-in')
    .set('Accept', 'application/json')
    .auth(email, password)
    .send({});
}

describe('/forgot-password', () => {
  it('is linked from the sign-in page', async () => {
    const page = await request(env.app).get('/sign-in').expect(200);
    expect(page.text).toMatch(/<a href="\/forgot-password"[^>]*>Forgot password\?<\/a>/);
    const form = await request(env.app).get('/forgot-password').expect(200);
    expect(form.text).toContain('action="/forgot-password"');
    expect(form.text).toContain('name="email"');
  });

  it('answers the same page for an address with and without an account; only one gets mail', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Has Account' });
    const nobody = uniqueEmail('nobody');
    const seen = mailIds(env.api);

    const forNobody = await askForReset(nobody);
    const forSomeone = await askForReset(email);
    expect(forSomeone.text).toBe(forNobody.text);
    expect(forSomeone.text).toContain(
      'If an account exists for that address, we sent a link to it; it works for 30 minutes.',
    );
    expect(forSomeone.text).not.toContain(email);
    expect(forSomeone.headers['set-cookie']).toBeUndefined();

    const mail = await waitForMail(env.api, email, RESET_SUBJECT, seen);
    expect(mail.text).toContain('30 minutes');
    // The outbox sends in order and the request for nobody came first: nothing went to it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(env.api.mailbox.messages().filter((m) => m.to.includes(nobody))).toEqual([]);
  });

  it('shows the e-mail field message for a malformed address', async () => {
    const res = await request(env.app)
      .post('/forgot-password')
      .type('form')
      .send({ email: 'not-an-address' })
      .expect(400);
    expect(res.text).toContain('data-testid="email-error"');
    expect(res.text).toContain('value="not-an-address"');
  });
});

describe('/reset-password', () => {
  it('shows a form (spending nothing), keeps the token after a weak password, then resets', async () => {
    const { email, path } = await accountWithResetLink();
    const token = tokenOf(path);
    // Two browsers signed in with the old password before the reset.
    const here = await signInWithForm(env.app, email);
    const elsewhere = await signInWithForm(env.app, email);

    for (let visit = 0; visit < 2; visit += 1) {
      const page = await request(env.app).get(path).expect(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).toContain(`name="token" value="${token}"`);
      expect(page.text).toContain('name="newPassword"');
      expect(page.text).toContain('At least 8 characters; avoid common words and patterns');
    }

    const weak = await postReset(token, 'password123', here);
    expect(weak.status).toBe(400);
    expect(weak.headers['referrer-policy']).toBe('no-referrer');
    expect(weak.text).toContain('data-testid="newPassword-error"');
    expect(weak.text).toContain(`name="token" value="${token}"`);
    // The weak attempt changed nothing: the old password and both sessions still work.
    await basicSignIn(email, TEST_PASSWORD).expect(200);
    expect(await stillSignedIn(env.app, elsewhere)).toBe(true);

    const done = await postReset(token, NEW_PASSWORD, here);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/sign-in?notice=password-reset');
    expect(done.headers['referrer-policy']).toBe('no-referrer');
    // This browser's cookies are cleared, the other browser is signed out at once.
    expect(here.names()).toEqual([]);
    expect(await stillSignedIn(env.app, elsewhere)).toBe(false);
    const signIn = await request(env.app)
      .get(done.headers.location ?? '')
      .expect(200);
    expect(signIn.text).toContain(
      'Your password was changed and every device was signed out; sign in with the new password.',
    );

    await basicSignIn(email, TEST_PASSWORD).expect(401);
    await basicSignIn(email, NEW_PASSWORD).expect(200);
  });

  it('shows the error page with a link to ask again for a used or garbage token', async () => {
    const { path } = await accountWithResetLink();
    const token = tokenOf(path);
    expect((await postReset(token, NEW_PASSWORD)).status).toBe(303);
    for (const used of [token, 'garbage-token-garbage-token']) {
      const res = await postReset(used, NEW_PASSWORD);
      expect(res.status).toBe(400);
      expect(res.text).toContain('data-testid="link-problem"');
      expect(res.text).toMatch(/invalid, has expired or was already used/);
      expect(res.text).toContain('<a href="/forgot-password">Ask for a new reset link</a>');
      expect(res.text).not.toContain('name="newPassword"');
    }
    const missing = await request(env.app).get('/reset-password').expect(400);
    expect(missing.headers['referrer-policy']).toBe('no-referrer');
    expect(missing.text).toContain('data-testid="link-problem"');
  });

  it('refuses cross-site posts (and they spend nothing)', async () => {
    const { email, path } = await accountWithResetLink();
    for (const headers of [
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'null' },
    ]) {
      await request(env.app)
        .post('/reset-password')
        .set(headers)
        .type('form')
        .send({ token: tokenOf(path), newPassword: NEW_PASSWORD })
        .expect(403);
      await request(env.app)
        .post('/forgot-password')
        .set(headers)
        .type('form')
        .send({ email })
        .expect(403);
    }
    await basicSignIn(email, TEST_PASSWORD).expect(200);
    expect((await postReset(tokenOf(path), NEW_PASSWORD)).status).toBe(303);
  });
});
