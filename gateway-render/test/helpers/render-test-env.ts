import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { ApiConfig } from 'graphql-api/config';
import { startTestApi } from 'graphql-api/testing';
import type { TestApi } from 'graphql-api/testing';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { RenderConfig } from '../../src/config';
import type { ListeningServer } from './virtual-authenticator';

export interface RenderTestEnv {
  api: TestApi;
  config: RenderConfig;
  app: express.Express;
  /** Builds another app on the same API with extra environment (e.g. a closed API_URL). */
  appWith(env: Record<string, string>): { app: express.Express; config: RenderConfig };
  stop(): Promise<void>;
}

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri)
    throw new TypeError('TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  return uri;
}

/** The render server's origin in tests (supertest requests never leave the process). */
export const RENDER_TEST_ORIGIN = 'http://render.test';

/** The render server's environment for tests, pointing at a test API. */
export function renderEnv(api: TestApi, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    RENDER_PORT: '0',
    API_URL: api.url,
    RENDER_API_KEY_TOKEN: api.renderApiKey,
    COOKIE_SECRET: randomBytes(32).toString('base64url'),
    PUBLIC_ORIGIN: RENDER_TEST_ORIGIN,
    LOG_LEVEL: 'silent',
    ...env,
  };
}

/**
 * The API's config with the render key `persisted-only`, as the seed makes it in production:
 * the render server's calls must then carry manifest ids only, or the API refuses them.
 */
export function renderKeyPersistedOnly(config: ApiConfig): ApiConfig {
  return {
    ...config,
    persistedDocuments: { ...config.persistedDocuments, renderKeyPolicy: 'persisted-only' },
  };
}

/** Options of {@link startRenderTestEnv}. */
export interface RenderTestEnvOptions {
  /** Insert the sample movies (default true). */
  seedMovies?: boolean;
  /**
   * The API's extra environment (e.g. an OAuth2 test provider's `apiEnv`). Its PUBLIC_ORIGIN
   * defaults to the render server's, so mailed links point at the app under test.
   */
  apiEnv?: Record<string, string>;
  /**
   * Changes the API's config before it starts (e.g. `requestLimits.signUpPerIp` for a file that
   * makes many accounts); it gets the config with the render key already `persisted-only`.
   */
  configureApi?: (config: ApiConfig) => ApiConfig;
}

/** Starts the real API (own database, sample movies) and builds a render app against it. */
export async function startRenderTestEnv(
  env: Record<string, string> = {},
  options: RenderTestEnvOptions = {},
): Promise<RenderTestEnv> {
  const publicOrigin = env.PUBLIC_ORIGIN ?? RENDER_TEST_ORIGIN;
  const api = await startTestApi({
    mongoUri: testMongoUri(),
    seedMovies: options.seedMovies ?? true,
    env: { PUBLIC_ORIGIN: publicOrigin, ...options.apiEnv },
    // The render key as production has it, so every test takes the production path.
    configure: (config) => {
      const persistedOnly = renderKeyPersistedOnly(config);
      return options.configureApi ? options.configureApi(persistedOnly) : persistedOnly;
    },
  });
  const appWith = (extra: Record<string, string>) => {
    const config = loadConfig(renderEnv(api, { ...env, ...extra }));
    return { app: createApp(config), config };
  };
  const { app, config } = appWith({});
  return { api, app, config, appWith, stop: () => api.stop() };
}

/**
 * {@link startRenderTestEnv} for a browser test: the app served by `server` (listening already,
 * see localhostServer), whose origin is PUBLIC_ORIGIN of both the app and the API, so the API's
 * mailed links (and the WebAuthn relying party) are the origin the browser really opens.
 */
export async function serveRenderTestEnv(
  server: Pick<ListeningServer, 'origin' | 'serve'>,
  options: RenderTestEnvOptions = {},
): Promise<RenderTestEnv> {
  const env = await startRenderTestEnv(
    { PUBLIC_ORIGIN: server.origin },
    { ...options, apiEnv: { PUBLIC_ORIGIN: server.origin, ...options.apiEnv } },
  );
  server.serve(env.app);
  return env;
}

/** Listens on a free port (for fetch-driven and browser tests); returns the origin and a closer. */
export async function listen(
  app: express.Express,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Raises the API's per-IP budgets for a test file that makes many accounts and mails from one
 * address (every supertest request comes from 127.0.0.1); the per-e-mail limits stay as they are.
 */
export function manyAccountsFromOneIp(config: ApiConfig): ApiConfig {
  const hour = 3600;
  return {
    ...config,
    requestLimits: {
      ...config.requestLimits,
      signUpPerIp: { points: 1000, seconds: hour },
      mailPerIp: { points: 1000, seconds: hour },
    },
  };
}

/** Calls the API directly (as the public key, optionally as a user), for setting up and checking. */
export async function callApi<T = Record<string, unknown>>(
  api: TestApi,
  query: string,
  variables: Record<string, unknown> = {},
  accessToken?: string,
): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': api.publicApiKey,
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: T;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

/** The password test accounts get unless a test says otherwise. */
export const TEST_PASSWORD = 'correct horse battery';

/**
 * Creates an account directly at the API (setting up, not the behaviour under test); fails
 * the test when the API refuses. Returns the new user's id and e-mail.
 */
export async function signUpViaApi(
  api: TestApi,
  input: { name: string; email?: string; password?: string },
): Promise<{ id: string; email: string }> {
  const email = input.email ?? uniqueEmail();
  const result = await callApi<{ signUp: { id: string } }>(
    api,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { id } }',
    { input: { name: input.name, email, password: input.password ?? TEST_PASSWORD } },
  );
  const id = result.data?.signUp.id;
  if (!id) throw new TypeError(`signUp refused: ${JSON.stringify(result.errors)}`);
  return { id, email };
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}
