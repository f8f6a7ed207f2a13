import { silentLogger, startEmbeddedMongo } from '../src/index';
import type { EmbeddedMongo } from '../src/index';

declare global {
  var __EMBEDDED_MONGO__: EmbeddedMongo | undefined;
}

/**
 * Starts the embedded server once for every test file, unless MONGODB_URI names a real
 * mongod: then the same suite runs against it. Workers read the URI from the environment.
 */
// jest loads global setup/teardown through the module's default export.
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const server = await startEmbeddedMongo({
    port: 0,
    logger: silentLogger,
    ttlMonitorIntervalMs: 200,
  });
  globalThis.__EMBEDDED_MONGO__ = server;
  process.env.CONFORMANCE_MONGODB_URI = server.uri;
}
