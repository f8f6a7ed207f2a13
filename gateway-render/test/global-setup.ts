import { silentLogger, startEmbeddedMongo } from 'embedded-mongo';
// The same build the workspace's `build` script runs, so pages load a current client.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildClient } = require('../scripts/build-client.cjs') as {
  buildClient: () => Promise<string>;
};

/**
 * Builds the browser bundle, then starts the embedded database once for all test files
 * unless MONGODB_URI names a real server. Test files read TEST_MONGODB_URI.
 */
async function globalSetup(): Promise<void> {
  await buildClient();
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const server = await startEmbeddedMongo({ port: 0, logger: silentLogger });
  (globalThis as Record<string, unknown>).__gatewayRenderEmbeddedMongo = server;
  process.env.TEST_MONGODB_URI = server.uri;
}

export = globalSetup;
