import { silentLogger, startEmbeddedMongo } from 'embedded-mongo';
// The playground's bundle (the same build `npm run build` runs), for test/playground.test.ts;
// skipped when the last build is still current.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildPlayground } = require('../scripts/build-playground.cjs') as {
  buildPlayground: (options: { ifStale: boolean }) => Promise<{ outDir: string; built: boolean }>;
};

/** Handle shared with global-teardown (same process). */
const EMBEDDED_KEY = '__graphqlApiEmbeddedMongo';

/**
 * Builds the playground's bundle if needed, then starts the embedded server once for all test
 * files, unless MONGODB_URI names a real server. Test files read the URI from TEST_MONGODB_URI
 * and use their own database.
 */
async function globalSetup(): Promise<void> {
  await buildPlayground({ ifStale: true });
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const server = await startEmbeddedMongo({ port: 0, logger: silentLogger });
  (globalThis as Record<string, unknown>)[EMBEDDED_KEY] = server;
  process.env.TEST_MONGODB_URI = server.uri;
}

export = globalSetup;
