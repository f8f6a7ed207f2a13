import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hash } from '@node-rs/argon2';
import mongoose from 'mongoose';
import { createApp } from 'graphql-api/app';
import type { ApiApp } from 'graphql-api/app';
import { loadConfig } from 'graphql-api/config';
import type { ApiConfig } from 'graphql-api/config';
import { connectDatabase, disconnectDatabase } from 'graphql-api/database';
import { startDevInbox } from 'graphql-api/mail/index';
import { MovieModel } from 'graphql-api/movies/index';
import { seedDatabase } from 'graphql-api/seed/seed';
import { testEnv } from 'graphql-api/testing';
import { UserMovieModel } from 'graphql-api/user-movies/index';
import { UserModel } from 'graphql-api/users/index';
import { withUnreachableBudget } from './api-budget';
import type { BenchConfig } from './bench-config';
import type { PeerTable } from './report';
import { startChild } from './children';
import type { ChildServer } from './children';
import { graphqlBody, SIGN_IN_MUTATION } from './queries';

/** The password of every seeded user. */
export const BENCH_PASSWORD = 'bench-password-1';

/** A seeded user. */
export interface BenchUser {
  id: string;
  email: string;
}

/**
 * Everything the figures share: the database (its own process), the seeded data, the API's
 * environment, and one in-process API (for P3's schema execution and P4's command counting,
 * which need the API's objects in hand).
 */
export interface BenchEnv {
  config: BenchConfig;
  mongo: ChildServer;
  mongoUri: string;
  dbName: string;
  /** Environment every API process runs with (production mode, real argon2 cost). */
  apiEnv: Record<string, string>;
  apiConfig: ApiConfig;
  publicApiKey: string;
  /** The render server's own key (RENDER_API_KEY_TOKEN). */
  renderApiKey: string;
  users: BenchUser[];
  /** The in-process API (shares this process's mongoose connection, with command monitoring). */
  local: { api: ApiApp; url: string };
  /**
   * Starts an API child process on the bench database; `overrides` change its environment
   * (e.g. `RESPONSE_CACHE_MAX_BYTES: '0'` for the API without its response cache), `profileName`
   * names its CPU profile.
   */
  startApi(overrides?: Record<string, string>, profileName?: string): Promise<ChildServer>;
  /** Node flags for servers under test (`--cpu-prof` with BENCH_PROFILE=1). */
  nodeArgs(name: string): string[];
  /** Memoised: the API's maximum rate for MOVIES_QUERY, measured by P1 (or on demand). */
  apiMaxRps?: number;
  /** The server comparison's table (P1, P1a–P1cm, P2), for the report; set by their step. */
  peers?: PeerTable;
  stop(): Promise<void>;
}

const TAGS = [
  'drama',
  'comedy',
  'action',
  'thriller',
  'sci-fi',
  'romance',
  'horror',
  'animation',
  'documentary',
  'crime',
  'fantasy',
  'family',
];

function benchMovie(index: number): Record<string, unknown> {
  const n = String(index).padStart(4, '0');
  return {
    title: `Bench movie ${n}`,
    year: 1950 + (index % 75),
    cover: `https://covers.example.com/bench-${n}.jpg`,
    description: `A generated movie for the benchmarks, number ${n}, with a description of ordinary length.`,
    duration: 80 + (index % 100),
    contentRating: ['G', 'PG', 'PG-13', 'R'][index % 4],
    source: `https://videos.example.com/bench-${n}.mp4`,
    tags: [TAGS[index % TAGS.length], TAGS[(index * 7 + 3) % TAGS.length]],
  };
}

const secret = (): string => randomBytes(32).toString('base64url');

/** Starts the database, seeds it and builds the in-process API. */
export async function createBenchEnv(config: BenchConfig): Promise<BenchEnv> {
  const profileDir = config.outDir;
  const nodeArgs = (name: string): string[] =>
    config.profile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
        ]
      : [];
  const mongo = await startChild('mongo', { nodeArgs: nodeArgs('mongo') });
  const dbName = `bench_${Date.now().toString(36)}`;
  // Production refuses to run without a mail server: a local SMTP server stands in for it (no
  // scenario sends mail, but the API's outbox worker runs as in production).
  const smtp = await startDevInbox({ port: 0 });
  const apiEnv: Record<string, string> = {
    NODE_ENV: 'production',
    // Request logs would be piped into the harness; warnings and errors still show.
    LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
    JWT_SECRET: secret(),
    PUBLIC_API_KEY_TOKEN: secret(),
    ADMIN_API_KEY_TOKEN: secret(),
    RENDER_API_KEY_TOKEN: secret(),
    SMTP_URL: smtp.url,
    // The production defaults (OWASP minimum for argon2id), set explicitly so P7 measures them.
    PASSWORD_HASH_MEMORY_KIB: '19456',
    PASSWORD_HASH_TIME_COST: '2',
  };
  const apiConfig = withUnreachableBudget(loadConfig(testEnv(mongo.url, apiEnv)));
  let server: Server | undefined;
  try {
    await connectDatabase(mongo.url, { dbName, monitorCommands: true });
    const api = await createApp(apiConfig);
    await seedDatabase(apiConfig, api.services, { movies: false, demoUser: false });
    await MovieModel.insertMany(Array.from({ length: config.movies }, (_, i) => benchMovie(i)));
    const passwordHash = await hash(BENCH_PASSWORD, apiConfig.passwordHash);
    const userDocs = await UserModel.insertMany(
      Array.from({ length: config.users }, (_, i) => ({
        name: `Bench user ${i}`,
        email: `bench-user-${i}@example.com`,
        passwordHash,
        hasPassword: true,
      })),
    );
    const movieIds = (await MovieModel.find().select({ _id: 1 }).lean()).map((m) => m._id);
    const base = Date.now() - 3_600_000;
    await UserMovieModel.insertMany(
      userDocs.flatMap((user, u) =>
        Array.from({ length: 50 }, (_, i) => ({
          user: user._id,
          movie: movieIds[(u * 37 + i * 13) % movieIds.length],
          createdAt: new Date(base + i * 1000),
        })),
      ),
    );
    const listening = createServer(api.app).listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      listening.once('listening', resolve);
      listening.once('error', reject);
    });
    server = listening;
    const { port } = listening.address() as AddressInfo;
    const env: BenchEnv = {
      config,
      mongo,
      mongoUri: mongo.url,
      dbName,
      apiEnv,
      apiConfig,
      publicApiKey: apiEnv.PUBLIC_API_KEY_TOKEN ?? '',
      renderApiKey: apiEnv.RENDER_API_KEY_TOKEN ?? '',
      users: userDocs.map((user) => ({ id: user._id.toHexString(), email: user.email })),
      local: { api, url: `http://127.0.0.1:${port}/graphql` },
      nodeArgs,
      startApi: (overrides = {}, profileName = 'api') =>
        startChild('api', {
          nodeArgs: nodeArgs(profileName),
          env: {
            BENCH_MONGO_URI: mongo.url,
            BENCH_DB_NAME: dbName,
            BENCH_API_ENV: JSON.stringify({ ...apiEnv, ...overrides }),
          },
        }),
      async stop() {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeAllConnections();
        });
        await api.stop();
        await disconnectDatabase();
        await mongo.stop();
        await smtp.stop();
      },
    };
    return env;
  } catch (error) {
    server?.close();
    if (mongoose.connection.readyState !== mongoose.ConnectionStates.disconnected) {
      await disconnectDatabase().catch(() => undefined);
    }
    await mongo.stop();
    await smtp.stop();
    throw error;
  }
}

/** Signs a seeded user in through an API and returns the access token. */
export async function signIn(graphqlUrl: string, env: BenchEnv, email: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': env.publicApiKey },
    body: graphqlBody(SIGN_IN_MUTATION, {
      input: { email, password: BENCH_PASSWORD, rememberMe: false },
    }),
  });
  const result = (await response.json()) as {
    data?: { signIn?: { accessToken?: string } };
    errors?: unknown;
  };
  const token = result.data?.signIn?.accessToken;
  if (!token) throw new Error(`signIn failed: ${JSON.stringify(result.errors ?? result)}`);
  return token;
}

/** POSTs a GraphQL operation and returns the raw body, failing on a GraphQL or HTTP error. */
export async function postGraphql(
  url: string,
  apiKey: string,
  body: string,
  accessToken?: string,
): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body,
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) {
    throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return text;
}
