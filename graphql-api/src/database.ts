import { startEmbeddedMongo } from 'embedded-mongo';
import mongoose from 'mongoose';
import type { ApiConfig } from './config';
import type { Logger } from './logger';

// Filters built from user input can never carry operators ({ $gt: '' }), and unknown filter
// paths are dropped instead of matching nothing silently. Set once, before any model is used.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);

/** Options for {@link connectDatabase}. */
export interface ConnectOptions {
  /** Database name; defaults to the one in the URI, else `movies`. */
  dbName?: string;
  /** Emit driver command events (tests count queries with them). */
  monitorCommands?: boolean;
  /**
   * How long a command waits for a reachable server before it fails (and the API answers 503);
   * default 10 s, enough for a replica set to elect a new primary.
   */
  serverSelectionTimeoutMS?: number;
}

/** Connects the default mongoose connection and builds every model's indexes. */
export async function connectDatabase(uri: string, options: ConnectOptions = {}): Promise<void> {
  const dbName = options.dbName ?? (databaseNameFromUri(uri) || 'movies');
  await mongoose.connect(uri, {
    dbName,
    monitorCommands: options.monitorCommands ?? false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
  });
  await Promise.all(Object.values(mongoose.connection.models).map((model) => model.init()));
}

function databaseNameFromUri(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri);
  return match?.[1] ?? '';
}

/** How long a readiness ping may take: a probe must answer, not wait for server selection. */
export const PING_TIMEOUT_MS = 2_000;

/**
 * True when the database answers a ping within `timeoutMs`. With the server gone the driver
 * would otherwise wait `serverSelectionTimeoutMS` (10 s) before failing.
 */
export async function pingDatabase(timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = db
    .admin()
    .ping()
    .then(
      () => true,
      () => false,
    );
  try {
    return await Promise.race([ping, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

/** A database the process opened: where it is, and how to close it (and the embedded server). */
export interface OpenDatabase {
  uri: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects to `config.mongodbUri`, or starts the embedded server (data under `.data/db`, so a
 * restart keeps it) when no URI is configured; config.ts refuses that in production.
 */
export async function openDatabase(
  config: Pick<ApiConfig, 'mongodbUri' | 'embeddedDataDir'>,
  logger: Logger,
): Promise<OpenDatabase> {
  if (config.mongodbUri !== undefined) {
    await connectDatabase(config.mongodbUri);
    return { uri: config.mongodbUri, embedded: false, close: disconnectDatabase };
  }
  const embedded = await startEmbeddedMongo({
    dataDir: config.embeddedDataDir,
    logger: {
      warn: (message) => logger.warn({ component: 'embedded-mongo' }, message),
      info: (message) => logger.info({ component: 'embedded-mongo' }, message),
    },
  });
  try {
    await connectDatabase(embedded.uri, { dbName: 'movies' });
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return {
    uri: `${embedded.uri}movies`,
    embedded: true,
    close: async () => {
      await disconnectDatabase();
      await embedded.stop();
    },
  };
}
