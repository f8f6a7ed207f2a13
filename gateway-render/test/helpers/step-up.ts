import type express from 'express';
import type { TestApi } from 'graphql-api/testing';
import mongoose from 'mongoose';
import request from 'supertest';
import { CookieJar } from './cookie-jar';
import { callApi, TEST_PASSWORD } from './render-test-env';

/**
 * A browser signed in at the API directly (setting up, not the behaviour under test): its
 * cookies hold the session's tokens, as the render server's sign-in would write them. The
 * sign-in opens the session's 5-minute step-up window.
 */
export async function signedInJar(
  api: TestApi,
  email: string,
  password = TEST_PASSWORD,
): Promise<CookieJar> {
  const result = await callApi<{
    signIn: { __typename: string; accessToken?: string; refreshToken?: string };
  }>(
    api,
    `mutation ($input: SignInInput!) {
      signIn(input: $input) { __typename ... on AuthPayload { accessToken refreshToken } }
    }`,
    { input: { email, password } },
  );
  const payload = result.data?.signIn;
  if (!payload?.accessToken || !payload.refreshToken) {
    throw new TypeError(`signIn refused: ${JSON.stringify(result.errors ?? payload)}`);
  }
  const jar = new CookieJar();
  jar.set('access_token', payload.accessToken);
  jar.set('refresh_token', payload.refreshToken);
  return jar;
}

/**
 * Moves every sign-in event of the user's sessions 10 minutes back: the step-up window (5
 * minutes) is closed, as for a session signed in a while ago, a copied cookie or an unlocked
 * device. The API's own check decides what that means.
 */
export async function closeStepUpWindow(userId: string): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new TypeError('mongoose is not connected');
  const result = await db
    .collection('sessions')
    .updateMany(
      { user: new mongoose.Types.ObjectId(userId) },
      { $set: { authenticatedAt: new Date(Date.now() - 10 * 60 * 1000) } },
    );
  if (result.matchedCount === 0) throw new TypeError(`no sessions of ${userId}`);
}

/** A same-origin form post from the jar's browser (`Origin` is the site's own). */
export function formPost(
  app: express.Express,
  origin: string,
  path: string,
  jar: CookieJar,
  fields: Record<string, string> = {},
) {
  return request(app)
    .post(path)
    .set('Cookie', jar.header())
    .set('Origin', origin)
    .type('form')
    .send({ returnTo: '/account', ...fields });
}

/** A same-origin JSON post from the jar's browser, as the page script makes it. */
export function jsonPost(
  app: express.Express,
  origin: string,
  path: string,
  jar: CookieJar,
  body: unknown = {},
) {
  return request(app)
    .post(path)
    .set('Cookie', jar.header())
    .set('Origin', origin)
    .set('Accept', 'application/json')
    .send(body as object);
}

/** The hidden inputs of the first form posting to `action` in `html`, by name. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start === -1) throw new TypeError(`no form posting to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    const [, name = '', value = ''] = match;
    fields[name] = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return fields;
}
