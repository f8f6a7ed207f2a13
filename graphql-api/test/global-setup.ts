import { silentLogger, startEmbeddedMongo } from 'embedded-mongo';

/** Handle shared with global-teardown (same process). */
const EMBEDDED_KEY = '__graphqlApiEmbeddedMongo';

/**
 * Starts the embedded server once for all test files, unless MONGODB_URI names a real
 * server. Test files read the URI from TEST_MONGODB_URI and use their own database.
 */
async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const server = await startEmbeddedMongo({ port: 0, logger: silentLogger });
  (globalThis as Record<string, unknown>)[EMBEDDED_KEY] = server;
  process.env.TEST_MONGODB_URI = server.uri;
}

export = globalSetup;
