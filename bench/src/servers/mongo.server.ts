import { startEmbeddedMongo, silentLogger } from 'embedded-mongo';
import { announceReady, exitOnSignal } from './ready';

/** The embedded database in its own process, so its CPU never shares the harness's event loop. */
async function main(): Promise<void> {
  const mongo = await startEmbeddedMongo({ port: 0, logger: silentLogger });
  exitOnSignal(() => mongo.stop());
  announceReady({ url: mongo.uri });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
