import request from 'supertest';
import {
  linkPath,
  mailIds,
  meOf,
  signInWithForm,
  stillSignedIn,
  tokenOf,
  waitForMail,
} from '../../../test/helpers/account-flows';
import type { CookieJar } from '../../../test/helpers/cookie-jar';
import {
  callApi,
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

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const NEW_PASSWORD = 'lantern quarry mosaic thirteen';

/** A new account signed in with the form; its e-mail and this browser's cookies. */
async function signedIn(userAgent = FIREFOX): Promise<{ email: string; jar: CookieJar }> {
  const { email } = await signUpViaApi(env.api, { name: 'Acco Unt' });
  return { email, jar: await signInWithForm(env.app, email, TEST_PASSWORD, userAgent) };
}

/** A form post as the browser sends it (its cookies, the site's origin). */
function post(path: string, jar: CookieJar, fields: Record<string, string> = {}) {
  return request(env.app)
    .post(path)
    .set('Cookie', jar.header())
    .set('Origin', env.config.publicOrigin)
    .type('form')
    .send({ returnTo: '/account', ...fields });
}

async function sessionsOf(jar: CookieJar) {
  const result = await callApi<{ sessions: { id: string; current: boolean }[] }>(
    env.api,
    '{ sessions { id current } }',
    {},
    jar.get('access_token'),
  );
  return result.data?.sessions ?? [];
}

function basicSignIn(email: string, password: string) {
  return request(env.app)
    .post('/auth/sign-in')
    .set('Accept', 'application/json')
    .auth(email, password)
    .send({});
}

describe('/account', () => {
  it('sends anonymous visitors to sign in and back', async () => {
    const res = await request(env.app).get('/account').expect(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Faccount');
    const page = await request(env.app).get('/').expect(200);
    expect(page.text).not.toContain('href="/account"');
  });

  it('shows the name, the address and its state, and every signed-in device', async () => {
    const { email, jar } = await signedIn(FIREFOX);
    const phone = await signInWithForm(env.app, email, TEST_PASSWORD, SAFARI_IPHONE);
    await request(env.app)
      .post('/auth/sign-in')
      .set('User-Agent', SAFARI_IPHONE)
      .type('form')
      .send({ email, password: TEST_PASSWORD, rememberMe: 'true', returnTo: '/' })
      .expect(303);

    const page = await request(env.app).get('/account').set('Cookie', jar.header()).expect(200);
    expect(page.text).toContain('<a href="/account">Account</a>');
    expect(page.text).toContain('<dd data-testid="account-name">Acco Unt</dd>');
    expect(page.text).toContain(`<span data-testid="account-email">${email}</span>`);
    expect(page.text).toContain('not confirmed yet');

    const rows = page.text.match(/<tr data-testid="session"[\s\S]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(3);
    const current = rows.filter((row) => row.includes('data-current="true"'));
    expect(current).toHaveLength(1);
    expect(current[0]).toContain('Firefox 128 on Linux');
    expect(current[0]).toContain('this device');
    const others = rows.filter((row) => row.includes('data-current="false"'));
    expect(others.every((row) => row.includes('Safari 17 on iPhone'))).toBe(true);
    expect(others.filter((row) => row.includes('remember me'))).toHaveLength(1);
    for (const row of rows) {
      // The browser's address (supertest's loopback), and the times in UTC.
      expect(row).toMatch(/<td>(::ffff:)?127\.0\.0\.1<\/td>/);
      expect(row).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(row).toMatch(/action="\/account\/sessions\/[\w-]+\/revoke"/);
    }
    expect(page.text).toContain('Sign out everywhere else');
    expect(await stillSignedIn(env.app, phone)).toBe(true);
  });
});

describe('changing the password', () => {
  it('keeps this browser signed in with new cookies and signs the other devices out', async () => {
    const { email, jar } = await signedIn();
    const other = await signInWithForm(env.app, email);
    const oldAccess = jar.get('access_token');

    const res = await post('/account/password', jar, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    }).expect(303);
    expect(res.headers.location).toBe('/account?notice=password-changed');
    jar.update(res.headers['set-cookie']);
    expect(jar.get('access_token')).not.toBe(oldAccess);

    const page = await request(env.app)
      .get(res.headers.location ?? '')
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('Password changed; every other device was signed out.');
    expect((await meOf(env.api, jar))?.email).toBe(email);
    expect(await stillSignedIn(env.app, other)).toBe(false);
    await basicSignIn(email, TEST_PASSWORD).expect(401);
    await basicSignIn(email, NEW_PASSWORD).expect(200);
  });

  it('shows the messages by their fields and never signs out on a wrong current password', async () => {
    const { email, jar } = await signedIn();
    const wrong = await post('/account/password', jar, {
      currentPassword: 'not my password at all',
      newPassword: NEW_PASSWORD,
    }).expect(400);
    expect(wrong.text).toContain('data-testid="currentPassword-error"');
    expect(wrong.text).toContain('The current password is not correct');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.text).not.toContain('not my password at all');

    const weak = await post('/account/password', jar, {
      currentPassword: TEST_PASSWORD,
      newPassword: 'password123',
    }).expect(400);
    expect(weak.text).toContain('data-testid="newPassword-error"');

    expect(await stillSignedIn(env.app, jar)).toBe(true);
    await basicSignIn(email, TEST_PASSWORD).expect(200);
  });
});

describe('changing the e-mail address', () => {
  it('mails a link to the new address; opening it changes nothing, its button moves the account', async () => {
    const { email, jar } = await signedIn();
    const newEmail = uniqueEmail('moved');
    const seen = mailIds(env.api);
    const res = await post('/account/email', jar, {
      newEmail,
      currentPassword: TEST_PASSWORD,
    }).expect(200);
    expect(res.text).toContain(
      `We sent a link to ${newEmail}; your address changes when you open it.`,
    );
    const mail = await waitForMail(env.api, newEmail, /new e-mail address/, seen);
    // The current address is told too.
    await waitForMail(env.api, email, /being changed/, seen);
    const path = linkPath(mail, '/confirm-email');

    const page = await request(env.app).get(path).set('Cookie', jar.header()).expect(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('Confirm your new e-mail address');
    expect(page.text).toContain(`name="token" value="${tokenOf(path)}"`);
    expect((await meOf(env.api, jar))?.email).toBe(email);

    const confirmed = await request(env.app)
      .post('/confirm-email')
      .set('Cookie', jar.header())
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ token: tokenOf(path) })
      .expect(303);
    expect(confirmed.headers.location).toBe('/account?notice=email-changed');
    expect(confirmed.headers['referrer-policy']).toBe('no-referrer');
    expect(await meOf(env.api, jar)).toEqual(
      expect.objectContaining({ email: newEmail, emailVerified: true }),
    );
    const account = await request(env.app)
      .get('/account?notice=email-changed')
      .set('Cookie', jar.header())
      .expect(200);
    expect(account.text).toContain('Your e-mail address was changed.');
    expect(account.text).toContain(`<span data-testid="account-email">${newEmail}</span>`);
    await basicSignIn(newEmail, TEST_PASSWORD).expect(200);

    const again = await request(env.app)
      .post('/confirm-email')
      .type('form')
      .send({ token: tokenOf(path) })
      .expect(400);
    expect(again.text).toContain('data-testid="link-problem"');
  });

  it('refuses a wrong password and an address already taken, by their fields', async () => {
    const { jar } = await signedIn();
    const taken = await signUpViaApi(env.api, { name: 'Taken' });
    const wrong = await post('/account/email', jar, {
      newEmail: uniqueEmail('new'),
      currentPassword: 'wrong password here',
    }).expect(400);
    expect(wrong.text).toContain('data-testid="currentPassword-error"');
    const conflict = await post('/account/email', jar, {
      newEmail: taken.email,
      currentPassword: TEST_PASSWORD,
    }).expect(409);
    expect(conflict.text).toContain('data-testid="newEmail-error"');
    expect(conflict.text).toContain(`value="${taken.email}"`);
  });
});

describe('signed-in devices', () => {
  it('signs another device out at once', async () => {
    const { email, jar } = await signedIn();
    const other = await signInWithForm(env.app, email);
    const target = (await sessionsOf(jar)).find((session) => !session.current);
    expect(target).toBeDefined();

    const res = await post(`/account/sessions/${target?.id ?? ''}/revoke`, jar).expect(303);
    expect(res.headers.location).toBe('/account?notice=session-revoked');
    expect(await meOf(env.api, other)).toBeNull();
    expect(await stillSignedIn(env.app, other)).toBe(false);
    expect(await stillSignedIn(env.app, jar)).toBe(true);

    const again = await post(`/account/sessions/${target?.id ?? ''}/revoke`, jar).expect(303);
    expect(again.headers.location).toBe('/account?notice=session-gone');
  });

  it('signs this device out when its own session is revoked', async () => {
    const { jar } = await signedIn();
    const access = jar.get('access_token');
    const own = (await sessionsOf(jar)).find((session) => session.current);
    const res = await post(`/account/sessions/${own?.id ?? ''}/revoke`, jar).expect(303);
    expect(res.headers.location).toBe('/');
    jar.update(res.headers['set-cookie']);
    expect(jar.names()).toEqual([]);
    const after = await callApi(env.api, '{ me { id } }', {}, access);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('signs out everywhere else, saying how many', async () => {
    const { email, jar } = await signedIn();
    const others = [await signInWithForm(env.app, email), await signInWithForm(env.app, email)];
    const res = await post('/account/sessions/revoke-others', jar).expect(303);
    expect(res.headers.location).toBe('/account?notice=sessions-revoked&count=2');
    const page = await request(env.app)
      .get(res.headers.location ?? '')
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('Signed out 2 other devices.');
    expect(page.text).not.toContain('Sign out everywhere else');
    for (const other of others) expect(await stillSignedIn(env.app, other)).toBe(false);
    expect(await sessionsOf(jar)).toEqual([expect.objectContaining({ current: true })]);
  });

  it('answers 404 for a malformed session id', async () => {
    const { jar } = await signedIn();
    await post('/account/sessions/not%20an%20id/revoke', jar).expect(404);
  });
});

describe('cross-site posts', () => {
  it('are refused on every account route, and change nothing', async () => {
    const { email, jar } = await signedIn();
    const other = await signInWithForm(env.app, email);
    const own = (await sessionsOf(jar)).find((session) => session.current);
    const routes = [
      '/account/verification',
      '/account/password',
      '/account/email',
      '/account/google/connect',
      '/account/google/disconnect',
      `/account/sessions/${own?.id ?? ''}/revoke`,
      '/account/sessions/revoke-others',
    ];
    for (const route of routes) {
      for (const headers of [
        { Origin: 'https://evil.example' },
        { 'Sec-Fetch-Site': 'cross-site' },
      ]) {
        const res = await request(env.app)
          .post(route)
          .set('Cookie', jar.header())
          .set(headers)
          .type('form')
          .send({
            currentPassword: TEST_PASSWORD,
            newPassword: NEW_PASSWORD,
            newEmail: uniqueEmail(),
          });
        expect({ route, status: res.status }).toEqual({ route, status: 403 });
      }
    }
    expect(await stillSignedIn(env.app, jar)).toBe(true);
    expect(await stillSignedIn(env.app, other)).toBe(true);
    await basicSignIn(email, TEST_PASSWORD).expect(200);
  });
});
