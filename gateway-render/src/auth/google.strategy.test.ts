import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { CookieJar } from '../../test/helpers/cookie-jar';
import { startOAuth2Provider } from '../../test/helpers/oauth2-provider';
import type { OAuth2Provider } from '../../test/helpers/oauth2-provider';
import {
  callApi,
  signUpViaApi,
  startRenderTestEnv,
  uniqueEmail,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';

let provider: OAuth2Provider;
let env: RenderTestEnv;

beforeAll(async () => {
  provider = await startOAuth2Provider();
  env = await startRenderTestEnv(provider.env, { seedMovies: false });
});

afterAll(async () => {
  await env?.stop();
  await provider?.stop();
});

/** Starts sign-in at the render server and lets the provider approve it; returns the callback. */
async function authorize(jar: CookieJar, returnTo = '/my-list'): Promise<URL> {
  const start = await request(env.app)
    .get(`/auth/google?returnTo=${encodeURIComponent(returnTo)}`)
    .expect(302);
  jar.update(start.headers['set-cookie']);
  const authorizeUrl = new URL(start.headers.location ?? '');
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

async function finish(jar: CookieJar, callback: URL) {
  const res = await request(env.app)
    .get(callback.pathname + callback.search)
    .set('Cookie', jar.header());
  jar.update(res.headers['set-cookie']);
  return res;
}

async function me(jar: CookieJar) {
  const result = await callApi<{
    me: { id: string; email: string; name: string; providers: string[] } | null;
  }>(env.api, '{ me { id email name providers } }', {}, jar.get('access_token'));
  return result.data?.me;
}

function usersWithEmail(email: string): Promise<number> {
  const db = mongoose.connection.db;
  if (!db) throw new TypeError('mongoose is not connected');
  return db.collection('users').countDocuments({ email });
}

describe('Google sign-in', () => {
  it('creates the user on the first sign-in and links the same user on the next', async () => {
    const email = uniqueEmail('google');
    const sub = randomBytes(8).toString('hex');
    await provider.setUser({ sub, email, email_verified: true, name: 'Goo Gle' });

    const jar = new CookieJar();
    const first = await finish(jar, await authorize(jar));
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/my-list');
    expect(jar.get('oauth_state')).toBeUndefined();
    const user = await me(jar);
    expect(user).toEqual({ id: expect.any(String), email, name: 'Goo Gle', providers: ['GOOGLE'] });

    const again = new CookieJar();
    const second = await finish(again, await authorize(again, '/'));
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe('/');
    expect((await me(again))?.id).toBe(user?.id);
    expect(await usersWithEmail(email)).toBe(1);
  });

  it('links to an existing password account with the same verified e-mail', async () => {
    const email = uniqueEmail('linked');
    const signedUp = await signUpViaApi(env.api, { name: 'Has Password', email });
    await provider.setUser({
      sub: randomBytes(8).toString('hex'),
      email,
      email_verified: true,
      name: 'X',
    });
    const jar = new CookieJar();
    expect((await finish(jar, await authorize(jar))).status).toBe(303);
    expect((await me(jar))?.id).toBe(signedUp.id);
  });

  it('refuses a callback whose state does not match, and creates nothing', async () => {
    const email = uniqueEmail('forged');
    await provider.setUser({
      sub: randomBytes(8).toString('hex'),
      email,
      email_verified: true,
      name: 'Forged',
    });
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
    await provider.setUser({
      sub: randomBytes(8).toString('hex'),
      email,
      email_verified: true,
      name: 'Replay',
    });
    const jar = new CookieJar();
    const callback = await authorize(jar);
    const res = await finish(new CookieJar(), callback);
    expect(res.status).toBe(403);
    expect(await usersWithEmail(email)).toBe(0);
  });

  it('keeps the return path on this site', async () => {
    await provider.setUser({
      sub: randomBytes(8).toString('hex'),
      email: uniqueEmail('path'),
      email_verified: true,
      name: 'Path',
    });
    const jar = new CookieJar();
    const res = await finish(jar, await authorize(jar, 'https://evil.example/'));
    expect(res.headers.location).toBe('/');
  });
});

describe('Google sign-in not configured', () => {
  it('hides the button and answers 404', async () => {
    const { app } = env.appWith({ GOOGLE_CLIENT_ID: '', GOOGLE_CLIENT_SECRET: '' });
    await request(app).get('/auth/google').expect(404);
    await request(app).get('/auth/google/callback?code=x&state=y').expect(404);
    const page = await request(app).get('/sign-in').expect(200);
    expect(page.text).not.toContain('Sign in with Google');
    const configured = await request(env.app).get('/sign-in').expect(200);
    expect(configured.text).toContain('Sign in with Google');
  });
});
