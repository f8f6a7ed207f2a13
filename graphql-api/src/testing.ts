import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createApp } from './app';
import type { ApiApp } from './app';
import { loadConfig } from './config';
import type { ApiConfig } from './config';
import { connectDatabase, disconnectDatabase } from './database';
import { listen } from './http-server';
import { startDevInbox } from './mail';
import type { DevInbox } from './mail';
import { seedDatabase } from './seed/seed';

/** Options of {@link startTestApi}. */
export interface StartTestApiOptions {
  /** `mongodb://host:port/` of a running server (embedded or real). */
  mongoUri: string;
  /** Database name; default a unique one, so parallel suites never share data. */
  dbName?: string;
  /** Insert the ~30 sample movies (default false). */
  seedMovies?: boolean;
  /** Extra environment for loadConfig (e.g. `LOG_LEVEL`); merged over the test defaults. */
  env?: Record<string, string>;
  /** Emit the driver's command events (to count queries in tests); default false. */
  monitorCommands?: boolean;
  /**
   * Change the loaded config before the app is built (e.g. rate limits for a test that makes
   * many accounts from one address). Default: the config as production would have it.
   */
  configure?: (config: ApiConfig) => ApiConfig;
}

/** A listening API for other workspaces' tests. */
export interface TestApi {
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** Token of a key with the public scopes. */
  publicApiKey: string;
  /** Token of a key with every scope. */
  adminApiKey: string;
  /** Token of the render server's key (the public scopes; its X-Client-IP is believed). */
  renderApiKey: string;
  /** The real SMTP server (in this process) the API delivers every mail to. */
  mailbox: DevInbox;
  /**
   * The API's token secret (`JWT_SECRET`): it encrypts the signing keys and never signs an
   * access token (those are EdDSA); tests forge HS256 tokens with it, which the API refuses.
   */
  jwtSecret: string;
  /** The config the API runs with. */
  config: ApiConfig;
  /** The app (services included) for white-box checks. */
  api: ApiApp;
  /** Stops the server (finishing in-flight requests) and disconnects mongoose. */
  stop(): Promise<void>;
}

/** Defaults for tests: random secrets, silent logs, cheap (still real) argon2id. */
export function testEnv(
  mongoUri: string,
  env: Record<string, string> = {},
): Record<string, string> {
  const secret = (): string => randomBytes(32).toString('base64url');
  return {
    NODE_ENV: 'test',
    API_PORT: '0',
    MONGODB_URI: mongoUri,
    JWT_SECRET: secret(),
    PUBLIC_API_KEY_TOKEN: secret(),
    ADMIN_API_KEY_TOKEN: secret(),
    RENDER_API_KEY_TOKEN: secret(),
    PUBLIC_ORIGIN: 'http://site.test',
    MAIL_FROM: 'Movie catalog <no-reply@site.test>',
    LOG_LEVEL: 'silent',
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_TIME_COST: '1',
    ...env,
  };
}

export function uniqueDbName(prefix = 'test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/**
 * Starts an SMTP inbox, connects mongoose to `mongoUri` + `dbName`, creates the public, admin and
 * render API keys, optionally seeds the sample movies, and listens on a free port.
 */
export async function startTestApi(options: StartTestApiOptions): Promise<TestApi> {
  // A real SMTP server in the test process: tests read what the API sent.
  const mailbox = await startDevInbox({ port: 0 });
  const loaded = loadConfig(testEnv(options.mongoUri, { SMTP_URL: mailbox.url, ...options.env }));
  const config = options.configure ? options.configure(loaded) : loaded;
  await connectDatabase(options.mongoUri, {
    dbName: options.dbName ?? uniqueDbName('api'),
    monitorCommands: options.monitorCommands ?? false,
  });
  const api = await createApp(config, { devInbox: mailbox });
  await seedDatabase(config, api.services, {
    movies: options.seedMovies ?? false,
    demoUser: false,
  });
  const running = await listen(api.app, 0, { host: '127.0.0.1' });
  const { port } = running;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    publicApiKey: config.publicApiKeyToken ?? '',
    adminApiKey: config.adminApiKeyToken ?? '',
    renderApiKey: config.renderApiKeyToken ?? '',
    mailbox,
    jwtSecret: config.jwt.secret,
    config,
    api,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.close();
      await api.stop();
      await disconnectDatabase();
      await mailbox.stop();
    },
  };
}
