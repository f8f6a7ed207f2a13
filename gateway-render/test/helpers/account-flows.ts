import type express from 'express';
import type { TestApi } from 'graphql-api/testing';
import request from 'supertest';
import { CookieJar } from './cookie-jar';
import { callApi, TEST_PASSWORD } from './render-test-env';

/** A mail the API's test inbox received. */
export type ReceivedMail = Awaited<ReturnType<TestApi['mailbox']['waitFor']>>;

/** The ids of the mails received so far, to wait for a NEW one afterwards. */
export function mailIds(api: TestApi): Set<string> {
  return new Set(api.mailbox.messages().map((mail) => mail.id));
}

/**
 * Waits for a mail to `email` whose subject matches, not among `seen` (mails received before
 * the step under test). The outbox sends asynchronously, so this waits up to 10 s.
 */
export function waitForMail(
  api: TestApi,
  email: string,
  subject: RegExp,
  seen: Set<string> = new Set(),
): Promise<ReceivedMail> {
  return api.mailbox.waitFor(
    (mail) => !seen.has(mail.id) && mail.to.includes(email) && subject.test(mail.subject),
  );
}

/** The path and query of the mail's link to `pathname`: what clicking it requests of the site. */
export function linkPath(mail: ReceivedMail, pathname: string): string {
  const link = mail.links.map((href) => new URL(href)).find((url) => url.pathname === pathname);
  if (!link)
    throw new TypeError(`No ${pathname} link in "${mail.subject}": ${mail.links.join(' ')}`);
  return link.pathname + link.search;
}

/** The `token` of a link path. */
export function tokenOf(path: string): string {
  return new URL(path, 'http://site.invalid').searchParams.get('token') ?? '';
}

/** Signs up through the render server's form (as a browser would); the browser's cookies. */
export async function signUpWithForm(
  app: express.Express,
  input: { name: string; email: string; password?: string },
): Promise<CookieJar> {
  const res = await request(app)
    .post('/auth/sign-up')
    .type('form')
    .send({ ...input, password: input.password ?? TEST_PASSWORD, returnTo: '/' });
  if (res.status !== 303) throw new TypeError(`sign-up refused (${res.status}): ${res.text}`);
  const jar = new CookieJar();
  jar.update(res.headers['set-cookie']);
  return jar;
}

/** Signs in through the render server's form; the browser's cookies (`userAgent` as its own). */
export async function signInWithForm(
  app: express.Express,
  email: string,
  password = TEST_PASSWORD,
  userAgent?: string,
): Promise<CookieJar> {
  const req = request(app).post('/auth/sign-in').type('form');
  if (userAgent) req.set('User-Agent', userAgent);
  const res = await req.send({ email, password, returnTo: '/' });
  if (res.status !== 303) throw new TypeError(`sign-in refused (${res.status})`);
  const jar = new CookieJar();
  jar.update(res.headers['set-cookie']);
  return jar;
}

/** What the API says about the jar's person (null when its access token is refused). */
export async function meOf(
  api: TestApi,
  jar: CookieJar,
): Promise<{
  id: string;
  email: string;
  emailVerified: boolean;
  hasPassword: boolean;
  providers: string[];
} | null> {
  const result = await callApi<{
    me: {
      id: string;
      email: string;
      emailVerified: boolean;
      hasPassword: boolean;
      providers: string[];
    } | null;
  }>(api, '{ me { id email emailVerified hasPassword providers } }', {}, jar.get('access_token'));
  return result.data?.me ?? null;
}

/** Whether the jar still signs in at the render server: `/account` renders (200) or sends to sign-in. */
export async function stillSignedIn(app: express.Express, jar: CookieJar): Promise<boolean> {
  const res = await request(app).get('/account').set('Cookie', jar.header());
  jar.update(res.headers['set-cookie']);
  return res.status === 200;
}
