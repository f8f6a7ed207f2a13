import { pino } from 'pino';
import request from 'supertest';
import { CookieJar, parseSetCookies } from '../../test/helpers/cookie-jar';
import { HOSTILE_RETURN_PATHS } from '../../test/helpers/hostile-return-paths';
import {
  accessibleText,
  elementAt,
  linkHrefs,
  rootOf,
  textContent,
} from '../../test/helpers/page-html';
import {
  callApi,
  manyAccountsFromOneIp,
  signUpViaApi,
  startRenderTestEnv,
  uniqueEmail,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { createApp } from '../app';
import { REMEMBER_ME_MAX_AGE_MS } from './cookies';

let env: RenderTestEnv;

beforeAll(async () => {
  // Many accounts from one address (supertest's): the sign-up budget per IP is raised, the
  // sign-in attempt limits under test stay as they are.
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

const PASSWORD = 'correct horse battery';

async function signUpAda(): Promise<string> {
  return (await signUpViaApi(env.api, { name: 'Ada Lovelace', password: PASSWORD })).email;
}

function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

function cookieNamed(headers: string[] | string | undefined, name: string) {
  return parseSetCookies(headers).find((cookie) => cookie.name === name);
}

async function me(accessToken: string): Promise<{ email: string } | null | undefined> {
  const result = await callApi<{ me: { email: string } | null }>(
    env.api,
    '{ me { email } }',
    {},
    accessToken,
  );
  return result.data?.me;
}

describe('POST /auth/sign-in with HTTP Basic', () => {
  it('sets httpOnly session cookies, answers { user } and no token in the body', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .set('Accept', 'application/json')
      .send({})
      .expect(200);
    expect(res.body).toEqual({ user: { id: expect.any(String), name: 'Ada Lovelace', email } });
    expect(res.text).not.toMatch(/accessToken|refreshToken|eyJ/);
    const access = cookieNamed(res.headers['set-cookie'], 'access_token');
    const refresh = cookieNamed(res.headers['set-cookie'], 'refresh_token');
    for (const cookie of [access, refresh]) {
      expect(cookie?.attributes.httponly).toBe(true);
      expect(cookie?.attributes.samesite).toBe('Lax');
      expect(cookie?.attributes.path).toBe('/');
      // Without "remember me": session cookies.
      expect(cookie?.attributes['max-age']).toBeUndefined();
      expect(cookie?.attributes.expires).toBeUndefined();
    }
    expect(await me(access?.value ?? '')).toEqual({ email });
  });

  it('keeps the cookies for 30 days with rememberMe', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .send({ rememberMe: true })
      .expect(200);
    expect(REMEMBER_ME_MAX_AGE_MS).toBe(2_592_000_000);
    for (const name of ['access_token', 'refresh_token']) {
      expect(cookieNamed(res.headers['set-cookie'], name)?.attributes['max-age']).toBe('2592000');
    }
  });

  it('accepts a password that contains a colon', async () => {
    const email = uniqueEmail();
    await signUpViaApi(env.api, { name: 'Colon', email, password: 'pass:word:123' });
    await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, 'pass:word:123'))
      .expect(200);
  });

  it('answers 401 to wrong credentials and sets no cookie', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, 'wrong password'))
      .set('Accept', 'application/json')
      .expect(401);
    expect(res.body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'Invalid e-mail or password' },
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    // The page's script must not trigger the browser's own login dialog.
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

describe('cookies in production', () => {
  it('are __Host- prefixed and Secure, and the session works with them', async () => {
    const email = await signUpAda();
    const { app } = env.appWith({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://render.test' });
    const res = await request(app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .send({ rememberMe: true })
      .expect(200);
    const cookies = parseSetCookies(res.headers['set-cookie']);
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual([
      '__Host-access_token',
      '__Host-refresh_token',
      '__Host-remember_me',
    ]);
    for (const cookie of cookies) {
      expect(cookie.attributes).toEqual(
        expect.objectContaining({ secure: true, httponly: true, samesite: 'Lax', path: '/' }),
      );
      // __Host- cookies must not name a domain.
      expect(cookie.attributes.domain).toBeUndefined();
      expect(cookie.attributes['max-age']).toBe('2592000');
    }
    const jar = new CookieJar();
    jar.update(res.headers['set-cookie']);
    const page = await request(app).get('/my-list').set('Cookie', jar.header()).expect(200);
    expect(page.text).toContain('Ada Lovelace');
    const signOut = await request(app)
      .post('/auth/sign-out')
      .set('Cookie', jar.header())
      .set('Accept', 'application/json')
      .expect(200);
    jar.update(signOut.headers['set-cookie']);
    expect(jar.names()).toEqual([]);
  });
});

describe('POST /auth/sign-in with the fields as JSON', () => {
  it('answers { user } (not a redirect), rememberMe from the body', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .send({ email, password: PASSWORD, rememberMe: true })
      .expect(200);
    expect(res.body).toEqual({ user: { id: expect.any(String), name: 'Ada Lovelace', email } });
    expect(cookieNamed(res.headers['set-cookie'], 'refresh_token')?.attributes['max-age']).toBe(
      '2592000',
    );
    const refused = await request(env.app)
      .post('/auth/sign-in')
      .send({ email, password: 'wrong password' })
      .expect(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    expect(refused.headers['set-cookie']).toBeUndefined();
  });
});

describe('POST /auth/sign-in from the HTML form', () => {
  it('signs in and redirects to the return path', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .type('form')
      .send({ email, password: PASSWORD, rememberMe: 'true', returnTo: '/my-list' })
      .expect(303);
    expect(res.headers.location).toBe('/my-list');
    expect(cookieNamed(res.headers['set-cookie'], 'access_token')?.attributes['max-age']).toBe(
      '2592000',
    );
  });

  it('never redirects off the site, whatever the return path', async () => {
    const email = await signUpAda();
    const site = env.config.publicOrigin;
    for (const returnTo of HOSTILE_RETURN_PATHS) {
      const page = await request(env.app)
        .get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
        .expect(200);
      const field = /name="returnTo" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
      expect({ returnTo, origin: new URL(field, site).origin }).toEqual({ returnTo, origin: site });

      const res = await request(env.app)
        .post('/auth/sign-in')
        .type('form')
        .send({ email, password: PASSWORD, returnTo })
        .expect(303);
      const location = res.headers.location ?? '';
      // Resolved the way the browser resolves the Location header.
      expect({ returnTo, origin: new URL(location, site).origin }).toEqual({
        returnTo,
        origin: site,
      });
    }
  });

  it('shows the form again with one message on wrong credentials', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-in')
      .type('form')
      .send({ email, password: 'nope-nope-nope' })
      .expect(401);
    expect(res.text).toContain('Invalid e-mail or password');
    // ONE message, for the whole form (never which of the two was wrong).
    expect(res.text.match(/role="alert"/g)).toHaveLength(1);
    expect(res.text).toContain(`value="${email}"`);
    // The password is never sent back, not even into the form.
    expect(res.text).not.toContain('nope-nope-nope');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('POST /auth/sign-up', () => {
  it('creates the account and signs in (form)', async () => {
    const email = uniqueEmail();
    const res = await request(env.app)
      .post('/auth/sign-up')
      .type('form')
      .send({ name: 'Grace Hopper', email, password: PASSWORD, returnTo: '/' })
      .expect(303);
    expect(res.headers.location).toBe('/?notice=welcome');
    const access = cookieNamed(res.headers['set-cookie'], 'access_token');
    expect(await me(access?.value ?? '')).toEqual({ email });
  });

  it('answers JSON clients with { user } (201)', async () => {
    const email = uniqueEmail();
    const res = await request(env.app)
      .post('/auth/sign-up')
      .send({ name: 'Json Client', email, password: PASSWORD })
      .expect(201);
    expect(res.body).toEqual({ user: expect.objectContaining({ email, name: 'Json Client' }) });
  });

  it('shows the form again with the messages next to the fields', async () => {
    const res = await request(env.app)
      .post('/auth/sign-up')
      .type('form')
      .send({ name: 'Bad Input', email: 'not-an-email', password: 'short' })
      .expect(400);
    expect(res.text).toContain('data-testid="email-error"');
    expect(res.text).toContain('data-testid="password-error"');
    expect(res.text).toContain('value="Bad Input"');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('reports an e-mail already registered on the e-mail field', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-up')
      .send({ name: 'Again', email, password: PASSWORD })
      .expect(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.fields.email).toEqual(['This e-mail already has an account.']);
  });
});

describe('sign-up feedback', () => {
  it('welcomes the new person on the page they come back to, keeping its query', async () => {
    const res = await request(env.app)
      .post('/auth/sign-up')
      .type('form')
      .send({ name: 'New Here', email: uniqueEmail(), password: PASSWORD, returnTo: '/?tag=drama' })
      .expect(303);
    expect(res.headers.location).toBe('/?tag=drama&notice=welcome');
    const jar = new CookieJar();
    jar.update(res.headers['set-cookie']);
    const page = await request(env.app)
      .get(res.headers.location ?? '')
      .set('Cookie', jar.header())
      .expect(200);
    expect(textContent(elementAt(page.text, /<p [^>]*data-testid="notice">/))).toMatch(
      /^Welcome! Your account is ready\./,
    );
  });

  it('says once, on the e-mail field, that the address has an account, and offers to sign in', async () => {
    const email = await signUpAda();
    const res = await request(env.app)
      .post('/auth/sign-up')
      .type('form')
      .send({ name: 'Again', email, password: PASSWORD, returnTo: '/my-list' })
      .expect(409);
    const message = 'This e-mail already has an account.';
    // Once on the page (the embedded page data repeats it for hydration; not shown twice).
    expect(rootOf(res.text).split(message)).toHaveLength(2);
    expect(textContent(elementAt(res.text, /<span [^>]*data-testid="email-error">/))).toBe(message);
    expect(res.text).not.toContain('data-testid="form-error"');
    // The field is marked and names its message.
    const input = /<input id="sign-up-email"[^>]*>/.exec(res.text)?.[0] ?? '';
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain('aria-describedby="email-error"');
    expect(input).toContain(`value="${email}"`);
    const instead = elementAt(res.text, /<a [^>]*data-testid="sign-in-instead"[^>]*>/);
    expect(accessibleText(instead)).toBe('Sign in instead');
    const href = (/href="([^"]*)"/.exec(instead)?.[1] ?? '').replace(/&amp;/g, '&');
    const url = new URL(href, env.config.publicOrigin);
    expect(url.pathname).toBe('/sign-in');
    expect(url.searchParams.get('email')).toBe(email);
    expect(url.searchParams.get('returnTo')).toBe('/my-list');
    expect(res.headers['set-cookie']).toBeUndefined();

    // Following it: the sign-in form has the address and comes back to the same place.
    const signIn = await request(env.app).get(href).expect(200);
    expect(/<input id="sign-in-email"[^>]*>/.exec(signIn.text)?.[0]).toContain(`value="${email}"`);
    expect(signIn.text).toContain('name="returnTo" value="/my-list"');
  });

  it('marks each refused field and links it to its message (aria-invalid, aria-describedby)', async () => {
    const res = await request(env.app)
      .post('/auth/sign-up')
      .type('form')
      .send({ name: 'Bad Input', email: 'not-an-email', password: 'short' })
      .expect(400);
    const email = /<input id="sign-up-email"[^>]*>/.exec(res.text)?.[0] ?? '';
    const password = /<input[^>]*name="password"[^>]*>/.exec(res.text)?.[0] ?? '';
    const name = /<input id="sign-up-name"[^>]*>/.exec(res.text)?.[0] ?? '';
    expect(email).toContain('aria-invalid="true"');
    expect(email).toContain('aria-describedby="email-error"');
    expect(password).toContain('aria-invalid="true"');
    // The password names its message and the rule it is checked against.
    expect(password).toContain('aria-describedby="password-error password-rule"');
    expect(res.text).toContain('id="email-error"');
    expect(res.text).toContain('id="password-error"');
    expect(res.text).toContain('id="password-rule"');
    // The name was fine: not marked.
    expect(name).not.toContain('aria-invalid');
    expect(res.text).not.toContain('data-testid="sign-in-instead"');
  });

  it('keeps the return path between the sign-in and sign-up pages', async () => {
    const signIn = await request(env.app).get('/sign-in?returnTo=%2Fmy-list').expect(200);
    expect(linkHrefs(signIn.text, 'Sign up')).toContain('/sign-up?returnTo=%2Fmy-list');
    const signUp = await request(env.app).get('/sign-up?returnTo=%2Fmy-list').expect(200);
    expect(linkHrefs(signUp.text, 'Sign in')).toContain('/sign-in?returnTo=%2Fmy-list');
    // Without one, plain links (the header's and the page's agree).
    const plain = await request(env.app).get('/sign-in').expect(200);
    expect(linkHrefs(plain.text, 'Sign up')).toEqual(['/sign-up', '/sign-up']);
  });

  it('never prefills the sign-in form with markup from the URL', async () => {
    const res = await request(env.app)
      .get(`/sign-in?email=${encodeURIComponent('"><script>alert(1)</script>')}`)
      .expect(200);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(/<input id="sign-in-email"[^>]*>/.exec(res.text)?.[0]).toContain(
      'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
  });
});

describe('POST /auth/sign-out', () => {
  it('says so on the page it lands on', async () => {
    const res = await request(env.app).get('/?notice=signed-out').expect(200);
    expect(textContent(elementAt(res.text, /<p [^>]*data-testid="notice">/))).toBe(
      'You are signed out.',
    );
  });

  it('revokes the session at the API and clears the cookies', async () => {
    const email = await signUpAda();
    const jar = new CookieJar();
    const signIn = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .expect(200);
    jar.update(signIn.headers['set-cookie']);
    const refreshToken = jar.get('refresh_token') ?? '';
    const accessToken = jar.get('access_token') ?? '';

    const res = await request(env.app)
      .post('/auth/sign-out')
      .set('Cookie', jar.header())
      .type('form')
      .send({})
      .expect(303);
    expect(res.headers.location).toBe('/?notice=signed-out');
    jar.update(res.headers['set-cookie']);
    expect(jar.names()).toEqual([]);

    // The API no longer accepts the old tokens.
    const refreshed = await callApi(
      env.api,
      'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
      { t: refreshToken },
    );
    expect(refreshed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = await callApi(env.api, '{ me { email } }', {}, accessToken);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('safe methods', () => {
  it('never sign anyone out or in: GET on the auth routes changes nothing', async () => {
    const email = await signUpAda();
    const jar = new CookieJar();
    const signedIn = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .expect(200);
    jar.update(signedIn.headers['set-cookie']);
    const out = await request(env.app)
      .get('/auth/sign-out')
      .set('Cookie', jar.header())
      .expect(404);
    expect(out.headers['set-cookie']).toBeUndefined();
    await request(env.app)
      .get('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .expect(404);
    expect(await me(jar.get('access_token') ?? '')).toEqual({ email });
  });
});

describe('cross-site requests', () => {
  it('refuses a state-changing POST from another origin', async () => {
    const email = await signUpAda();
    await request(env.app)
      .post('/auth/sign-in')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ email, password: PASSWORD })
      .expect(403);
    await request(env.app).post('/auth/sign-out').set('Sec-Fetch-Site', 'cross-site').expect(403);
  });

  it('accepts the site origin', async () => {
    const email = await signUpAda();
    await request(env.app)
      .post('/auth/sign-in')
      .set('Origin', env.config.publicOrigin)
      .type('form')
      .send({ email, password: PASSWORD })
      .expect(303);
  });
});

describe('rate limiting', () => {
  it('shows the wait when the API refuses further attempts', async () => {
    const email = await signUpAda();
    let res = await request(env.app)
      .post('/auth/sign-in')
      .type('form')
      .send({ email, password: 'wrong-wrong' });
    for (let attempt = 1; attempt < 15 && res.status !== 429; attempt += 1) {
      res = await request(env.app)
        .post('/auth/sign-in')
        .type('form')
        .send({ email, password: 'wrong-wrong' });
    }
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toMatch(/Too many attempts\. Try again in \d+ (minutes?|seconds?)\./);

    const json = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .set('Accept', 'application/json')
      .expect(429);
    expect(json.body.error).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) }),
    );
    // An API client using Basic without an Accept header is answered in JSON too.
    const plain = await request(env.app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .expect(429);
    expect(plain.headers['content-type']).toMatch(/application\/json/);
    expect(plain.body.error.code).toBe('RATE_LIMITED');
    expect(plain.headers['set-cookie']).toBeUndefined();
  });
});

describe('logs', () => {
  it('never contain a password, a token or a cookie', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const app = createApp(env.config, { logger });
    const email = await signUpAda();
    const res = await request(app)
      .post('/auth/sign-in')
      .set('Authorization', basic(email, PASSWORD))
      .send({})
      .expect(200);
    const jar = new CookieJar();
    jar.update(res.headers['set-cookie']);
    await request(app).get('/').set('Cookie', jar.header()).expect(200);
    await request(app).get('/auth/google/callback?code=secret-code&state=s').expect(404);
    const logs = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const secret of [
      PASSWORD,
      jar.get('access_token'),
      jar.get('refresh_token'),
      'secret-code',
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain(Buffer.from(`${email}:${PASSWORD}`).toString('base64'));
  });
});
