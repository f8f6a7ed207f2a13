import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { announceReady, requireEnv, runChild, stopOnSignalOrOrphaned } from './child-lifecycle';

/**
 * One render process of the scale-out test: the real render server (`createApp`, compiled)
 * with the environment the test gives every render process alike (`SCALE_OUT_RENDER_ENV`: the
 * same render key and cookie secret, API_URL = the round-robin proxy in front of the APIs).
 */
runChild(async () => {
  const config = loadConfig(JSON.parse(requireEnv('SCALE_OUT_RENDER_ENV')) as NodeJS.ProcessEnv);
  const server = createApp(config).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  stopOnSignalOrOrphaned(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  announceReady({ origin: `http://127.0.0.1:${port}` });
});
