import type { AddressInfo } from 'node:net';
import { createApp } from 'gateway-render/dist/src/app';
import { loadConfig } from 'gateway-render/dist/src/config';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/** The real render server (createApp, production settings) in front of an API under test. */
async function main(): Promise<void> {
  const env = JSON.parse(requireEnv('BENCH_RENDER_ENV')) as Record<string, string>;
  const app = createApp(loadConfig(env));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  exitOnSignal(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  announceReady({ url: `http://127.0.0.1:${port}` });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
