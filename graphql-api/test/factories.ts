import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AuthPayload } from '../src/auth';
import type { Movie } from '../src/movies';
import type { TestApi } from '../src/testing';
import type { User } from '../src/users';

let sequence = 0;
/** Unique per call, so tests never collide on unique indexes. */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}-${randomBytes(3).toString('hex')}`;
}

export const TEST_PASSWORD = 'correct horse battery';

/** A password user (argon2id with the test cost). */
export async function createUser(
  api: TestApi,
  overrides: { name?: string; email?: string; password?: string; isAdmin?: boolean } = {},
): Promise<User & { password: string }> {
  const password = overrides.password ?? TEST_PASSWORD;
  const user = await api.api.services.users.createWithPassword({
    name: overrides.name ?? 'Test User',
    email: overrides.email ?? `${unique('user')}@example.com`,
    passwordHash: await api.api.services.passwords.hash(password),
    isAdmin: overrides.isAdmin ?? false,
  });
  return { ...user, password };
}

/**
 * Signs the user in through the given key's scopes (as the signIn mutation would). For users
 * without two-factor: one with it gets MfaRequired, which fails here.
 */
export async function signIn(
  api: TestApi,
  user: { email: string; password: string },
  keyToken: string = api.publicApiKey,
  rememberMe = false,
): Promise<AuthPayload> {
  const key = await api.api.services.apiKeys.findByToken(keyToken);
  assert.ok(key, 'signIn needs a known API key token');
  const outcome = await api.api.services.auth.signIn(
    { email: user.email, password: user.password, rememberMe },
    { ip: '10.9.9.9', userAgent: 'jest', keyScopes: key.scopes },
  );
  assert.ok('accessToken' in outcome, 'signIn got MfaRequired: the user has two-factor on');
  return outcome;
}

/** A user and a signed-in access token for it. */
export async function createSignedInUser(
  api: TestApi,
  overrides: { isAdmin?: boolean; keyToken?: string } = {},
): Promise<{ user: User & { password: string }; auth: AuthPayload; token: string }> {
  const user = await createUser(api, { isAdmin: overrides.isAdmin });
  const auth = await signIn(api, user, overrides.keyToken);
  return { user, auth, token: auth.accessToken };
}

/**
 * A movie with valid defaults, made through an API's MovieService (a test API's, or any other
 * app's: `{ api: otherApp }` writes through that process).
 */
export function createMovie(
  api: Pick<TestApi, 'api'>,
  overrides: Partial<Omit<Movie, '_id'>> = {},
): Promise<Movie> {
  const title = overrides.title ?? unique('Movie');
  return api.api.services.movies.create({
    title,
    year: 2000,
    cover: 'https://covers.example.com/x.jpg',
    description: 'A test movie.',
    duration: 100,
    contentRating: 'PG',
    source: 'https://stream.example.com/x',
    tags: [],
    ...overrides,
  });
}
