import { randomBytes } from 'node:crypto';
import { startOAuth2TestProvider } from 'graphql-api/oauth2-test-provider';
import type { IdTokenClaims, OAuth2TestProvider } from 'graphql-api/oauth2-test-provider';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  linkPath,
  mailIds,
  meOf,
  signInWithForm,
  signUpWithForm,
  stillSignedIn,
  tokenOf,
  waitForMail,
} from '../../test/helpers/account-flows';
import { CookieJar } from '../../test/helpers/cookie-jar';
import {
  manyAccountsFromOneIp,
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
  uniqueEmail,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { enableTwoFactorAs } from '../../test/helpers/two-factor';

// Google is played by a local OpenID Connect provider (oauth2-mock-server): it runs the code
// flow for the render server and signs the ID tokens the API verifies against its JWKS.

let provider: OAuth2TestProvider;
let env: RenderTestEnv;

beforeAll(async () => {
  provider = await startOAuth2TestProvider();
  env = await startRenderTestEnv(provider.renderEnv, {
    seedMovies: false,
    apiEnv: provider.apiEnv,
    configureApi: manyAccountsFromOneIp,
  });
});

afterAll(async () => {
  await env?.stop();
  await provider?.stop();
});

function googleUser(email: string, overrides: Partial<IdTokenClaims> = {}): IdTokenClaims {
  return {
    sub: randomBytes(8).toString('hex'),
    email,
    email_verified: true,
    name: 'Goo Gle',
    ...overrides,
  };
}

/** The provider approves the authorization it was sent to; the callback URL it redirects to. */
async function approve(authorizeLocation: string | undefined): Promise<URL> {
  const authorizeUrl = new URL(authorizeLocation ?? '');
  expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${provider.issuer}/authorize`);
  expect(authorizeUrl.searchParams.get('scope')).toBe('openid email profile');
  expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizeUrl.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
  // The browser visits the provider, which sends it back with a code and the state.
  const approved = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get('location') ?? '');
  expect(callback.pathname).toBe('/auth/google/callback');
  return callback;
}

/** Starts sign-in at the render server and lets the provider approve it; returns the callback. */
async function authorize(jar: CookieJar, returnTo = '/my-list'): Promise<URL> {
  const start = await request(env.app)
    .get(`/auth/google?returnTo=${encodeURIComponent(returnTo)}`)
    .set('Cookie', jar.header())
    .expect(302);
  jar.update(start.headers['set-cookie']);
  return approve(start.headers.location);
}

/** "Connect Google" on the account page, approved by the provider; returns the callback. */
async function authorizeConnect(jar: CookieJar): Promise<URL> {
  const start = await request(env.app)
    .post('/account/google/connect')
    .set('Cookie', jar.header())
    .set('Origin', env.config.publicOrigin)
    .type('form')
    .send({ returnTo: '/account' })
    .expect(302);
  jar.update(start.headers['set-cookie']);
  return approve(start.headers.location);
}

async function finish(jar: CookieJar, callback: URL) {
  const res = await request(env.app)
    .get(callback.pathname + callback.search)
    .set('Cookie', jar.header());
  jar.update(res.headers['set-cookie']);
  return res;
}

/** Signs in with Google as whoever the provider is set to; the browser's cookies. */
async function signInWithGoogle(claims: IdTokenClaims): Promise<CookieJar> {
  await provider.setUser(claims);
  const jar = new CookieJar();
  const res = await finish(jar, await authorize(jar));
  expect(res.status).toBe(303);
  return jar;
}

function usersWithEmail(email: string): Promise<number> {
  const db = mongoose.connection.db;
  if (!db) throw new TypeError('mongoose is not connected');
  return db.collection('users').countDocuments({ email });
}

function basicSignIn(email: string, password: string) {
  return request(env.app)
    .post('/auth/sign-in')
    .set('Accept', 'application/json')
    .auth(email, password)
    .send({});
}

describe('Google sign-in', () => {
  it('creates the user on the first sign-in and signs in the same user on the next', async () => {
    const email = uniqueEmail('google');
    const claims = googleUser(email);
    await provider.setUser(claims);

    const jar = new CookieJar();
    const first = await finish(jar, await authorize(jar));
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/my-list');
    expect(jar.get('oauth_state')).toBeUndefined();
    const user = await meOf(env.api, jar);
    expect(user).toEqual({
      id: expect.any(String),
      email,
      emailVerified: true,
      hasPassword: false,
      providers: ['GOOGLE'],
    });

    const again = new CookieJar();
    const second = await finish(again, await authorize(again, '/'));
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe('/');
    expect((await meOf(env.api, again))?.id).toBe(user?.id);
    expect(await usersWithEmail(email)).toBe(1);
  });

  it('links a password account whose address was verified, and keeps its password', async () => {
    const email = uniqueEmail('linked');
    const owner = await signUpWithForm(env.app, { name: 'Has Password', email });
    const mail = await waitForMail(env.api, email, /Confirm your e-mail address/);
    await request(env.app)
      .post('/verify-email')
      .set('Cookie', owner.header())
      .type('form')
      .send({ token: tokenOf(linkPath(mail, '/verify-email')) })
      .expect(303);
    const account = await meOf(env.api, owner);

    const jar = await signInWithGoogle(googleUser(email));
    expect(await meOf(env.api, jar)).toEqual(
      expect.objectContaining({ id: account?.id, hasPassword: true, providers: ['GOOGLE'] }),
    );
    // Linking took nothing from the owner: the session and the password still work.
    expect(await stillSignedIn(env.app, owner)).toBe(true);
    await basicSignIn(email, TEST_PASSWORD).expect(200);
  });

  it('gives an unverified account to the Google owner of its address (pre-account hijacking)', async () => {
    // A stranger signs up first with the victim's address and a password of their own.
    const victim = uniqueEmail('victim');
    const strangerPassword = 'stranger chose this passphrase';
    const stranger = await signUpWithForm(env.app, {
      name: 'Stranger',
      email: victim,
      password: strangerPassword,
    });
    const planted = await meOf(env.api, stranger);
    expect(planted?.emailVerified).toBe(false);
    const seen = mailIds(env.api);

    // The victim signs in with Google, which has verified the address.
    const jar = await signInWithGoogle(googleUser(victim, { name: 'Real Owner' }));
    const owned = await meOf(env.api, jar);
    expect(owned).toEqual(
      expect.objectContaining({
        email: victim,
        emailVerified: true,
        hasPassword: false,
        providers: ['GOOGLE'],
      }),
    );
    expect(await usersWithEmail(victim)).toBe(1);

    // The stranger is out at once, and their password no longer signs in.
    expect(await meOf(env.api, stranger)).toBeNull();
    expect(await stillSignedIn(env.app, stranger)).toBe(false);
    await basicSignIn(victim, strangerPassword).expect(401);
    const recovered = await waitForMail(env.api, victim, /now signs in with Google/, seen);
    expect(recovered.text).toMatch(/password was removed and every session was signed out/);
    expect(await stillSignedIn(env.app, jar)).toBe(true);
  });

  it('refuses a callback whose state does not match, and creates nothing', async () => {
    const email = uniqueEmail('forged');
    await provider.setUser(googleUser(email));
    const jar = new CookieJar();
    const callback = await authorize(jar);
    callback.searchParams.set('state', randomBytes(24).toString('base64url'));
    const res = await finish(jar, callback);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Google sign-in did not complete');
    expect(jar.get('access_token')).toBeUndefined();
    expect(await usersWithEmail(email)).toBe(0);
  });

  it('refuses a callback without the state cookie (another browser, or replayed)', async () => {
    const email = uniqueEmail('replay');
    await provider.setUser(googleUser(email));
    const jar = new CookieJar();
    const callback = await authorize(jar);
    const res = await finish(new CookieJar(), callback);
    expect(res.status).toBe(403);
    expect(await usersWithEmail(email)).toBe(0);
    // The state cookie is single use: replaying the callback in the same browser fails too.
    expect((await finish(jar, callback)).status).toBe(303);
    expect((await finish(jar, callback)).status).toBe(403);
  });

  it('keeps the return path on this site', async () => {
    await provider.setUser(googleUser(uniqueEmail('path')));
    const jar = new CookieJar();
    const res = await finish(jar, await authorize(jar, 'https://evil.example/'));
    expect(res.headers.location).toBe('/');
  });
});

describe('Google sign-in with two-factor asked after Google too', () => {
  it('sets no session and asks for the code, then lands on the return path', async () => {
    const email = uniqueEmail('google-2fa');
    const claims = googleUser(email);
    const first = await signInWithGoogle(claims);
    // Right after the sign-in the step-up window is open: turn two-factor on, for Google too.
    const { app } = await enableTwoFactorAs(env.api, first.get('access_token') ?? '', {
      forProviders: true,
    });

    await provider.setUser(claims);
    const jar = new CookieJar();
    const res = await finish(jar, await authorize(jar, '/my-list'));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in/second-factor');
    expect(jar.get('access_token')).toBeUndefined();
    expect(jar.get('second_factor')).toBeDefined();
    expect(jar.get('oauth_state')).toBeUndefined();

    const done = await request(env.app)
      .post('/auth/second-factor')
      .set('Cookie', jar.header())
      .type('form')
      .send({ code: await app.nextCode() })
      .expect(303);
    expect(done.headers.location).toBe('/my-list');
    jar.update(done.headers['set-cookie']);
    expect((await meOf(env.api, jar))?.email).toBe(email);
  });
});

describe('connecting Google from the account page', () => {
  it('connects a Google account with another address to THIS person, then disconnects it', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Connector' });
    const jar = await signInWithForm(env.app, email);
    const before = await request(env.app).get('/account').set('Cookie', jar.header()).expect(200);
    expect(before.text).toContain('action="/account/google/connect"');
    expect(before.text).toContain('Connect Google');

    const googleEmail = uniqueEmail('other-address');
    const claims = googleUser(googleEmail);
    await provider.setUser(claims);
    const done = await finish(jar, await authorizeConnect(jar));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/account?notice=google-connected');
    const connected = await meOf(env.api, jar);
    expect(connected).toEqual(expect.objectContaining({ email, providers: ['GOOGLE'] }));
    // Connected, not signed in as someone new: no account was made for the Google address.
    expect(await usersWithEmail(googleEmail)).toBe(0);

    const page = await request(env.app)
      .get(done.headers.location ?? '')
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('Your Google account is connected');
    expect(page.text).toContain('action="/account/google/disconnect"');

    // That Google account now signs in to this account.
    const viaGoogle = await signInWithGoogle(claims);
    expect((await meOf(env.api, viaGoogle))?.id).toBe(connected?.id);

    const disconnected = await request(env.app)
      .post('/account/google/disconnect')
      .set('Cookie', jar.header())
      .set('Origin', env.config.publicOrigin)
      .type('form')
      .send({ returnTo: '/account' })
      .expect(303);
    expect(disconnected.headers.location).toBe('/account?notice=google-disconnected');
    expect((await meOf(env.api, jar))?.providers).toEqual([]);
  });

  it('comes back to the account page with the message when the Google account is someone else’s', async () => {
    const claims = googleUser(uniqueEmail('owner'));
    await signInWithGoogle(claims);
    const { email } = await signUpViaApi(env.api, { name: 'Late Comer' });
    const jar = await signInWithForm(env.app, email);

    await provider.setUser(claims);
    const res = await finish(jar, await authorizeConnect(jar));
    expect(res.status).toBe(409);
    expect(res.text).toContain('Your account');
    expect(res.text).toContain('data-testid="form-error"');
    expect((await meOf(env.api, jar))?.providers).toEqual([]);
    // Still signed in as themselves.
    expect(await stillSignedIn(env.app, jar)).toBe(true);
  });

  it('refuses to disconnect the only way to sign in, with the message', async () => {
    const email = uniqueEmail('google-only');
    const jar = await signInWithGoogle(googleUser(email));
    const page = await request(env.app).get('/account').set('Cookie', jar.header()).expect(200);
    expect(page.text).toContain('Your account has no password');

    const res = await request(env.app)
      .post('/account/google/disconnect')
      .set('Cookie', jar.header())
      .set('Origin', env.config.publicOrigin)
      .type('form')
      .send({ returnTo: '/account' })
      .expect(409);
    expect(res.text).toMatch(/only way to sign in/);
    expect((await meOf(env.api, jar))?.providers).toEqual(['GOOGLE']);
  });

  it('keeps the person signed in when the API refuses the ID token (another issuer)', async () => {
    // A provider the API does not trust: its tokens have another issuer and signing key.
    const stranger = await startOAuth2TestProvider();
    try {
      const { app } = env.appWith(stranger.renderEnv);
      const { email } = await signUpViaApi(env.api, { name: 'Careful' });
      const jar = await signInWithForm(app, email);
      await stranger.setUser(googleUser(uniqueEmail('untrusted')));
      const start = await request(app)
        .post('/account/google/connect')
        .set('Cookie', jar.header())
        .type('form')
        .send({})
        .expect(302);
      jar.update(start.headers['set-cookie']);
      const approved = await fetch(start.headers.location ?? '', { redirect: 'manual' });
      const callback = new URL(approved.headers.get('location') ?? '');
      const res = await request(app)
        .get(callback.pathname + callback.search)
        .set('Cookie', jar.header());
      jar.update(res.headers['set-cookie']);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Invalid ID token');
      expect(await stillSignedIn(app, jar)).toBe(true);
      expect((await meOf(env.api, jar))?.providers).toEqual([]);

      // Signing in with it fails on the sign-in page, and creates nothing.
      const anonymous = new CookieJar();
      const signInStart = await request(app).get('/auth/google').expect(302);
      anonymous.update(signInStart.headers['set-cookie']);
      const signInApproved = await fetch(signInStart.headers.location ?? '', {
        redirect: 'manual',
      });
      const signInCallback = new URL(signInApproved.headers.get('location') ?? '');
      const refused = await request(app)
        .get(signInCallback.pathname + signInCallback.search)
        .set('Cookie', anonymous.header())
        .expect(403);
      expect(refused.text).toContain('Google sign-in did not complete');
    } finally {
      await stranger.stop();
    }
  });

  it('needs a signed-in person, and the connect state never signs anyone in', async () => {
    await request(env.app)
      .post('/account/google/connect')
      .set('Origin', env.config.publicOrigin)
      .type('form')
      .send({})
      .expect(303)
      .expect('Location', '/sign-in');

    // Signed out between the start and the callback: nothing is connected or signed in.
    const { email } = await signUpViaApi(env.api, { name: 'Leaves Early' });
    const jar = await signInWithForm(env.app, email);
    const claims = googleUser(uniqueEmail('nobody-connects'));
    await provider.setUser(claims);
    const callback = await authorizeConnect(jar);
    const out = await request(env.app)
      .post('/auth/sign-out')
      .set('Cookie', jar.header())
      .type('form')
      .send({})
      .expect(303);
    jar.update(out.headers['set-cookie']);
    const res = await finish(jar, callback);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Faccount');
    expect(jar.get('access_token')).toBeUndefined();
    expect(await usersWithEmail(claims.email ?? '')).toBe(0);
  });
});

describe('Google sign-in not configured', () => {
  it('hides the buttons and answers 404', async () => {
    const { app } = env.appWith({ GOOGLE_CLIENT_ID: '', GOOGLE_CLIENT_SECRET: '' });
    await request(app).get('/auth/google').expect(404);
    await request(app).get('/auth/google/callback?code=x&state=y').expect(404);
    const page = await request(app).get('/sign-in').expect(200);
    expect(page.text).not.toContain('Sign in with Google');
    const configured = await request(env.app).get('/sign-in').expect(200);
    expect(configured.text).toContain('Sign in with Google');
    // Sign-up offers Google too, and both buttons start the flow coming back to returnTo.
    const signUp = await request(env.app).get('/sign-up?returnTo=%2Fmy-list').expect(200);
    expect(signUp.text).toMatch(
      /<a class="google-button" href="\/auth\/google\?returnTo=%2Fmy-list">.*Sign up with Google/s,
    );
    expect((await request(app).get('/sign-up').expect(200)).text).not.toContain('with Google');

    const { email } = await signUpViaApi(env.api, { name: 'No Google' });
    const jar = await signInWithForm(app, email);
    const account = await request(app).get('/account').set('Cookie', jar.header()).expect(200);
    expect(account.text).not.toContain('action="/account/google/connect"');
    await request(app)
      .post('/account/google/connect')
      .set('Cookie', jar.header())
      .type('form')
      .send({})
      .expect(404);
  });
});
