import { existsSync } from 'node:fs';
import path from 'node:path';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import { listen, PortInUseError } from './http-server';
import { createLogger } from './logger';
import { ASSET_MANIFEST_FILE } from './shared/assets';
import { workspaceDir } from './shared/workspace-dir';
import { fetchApiStartInfo, formatStartBanner } from './start-banner';
import { ApiNotReadyError, readyUrlOf, waitForApi } from './wait-for-api';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config);
  // The build writes the content-hashed bundle and this manifest of its names together.
  const bundle = path.join(workspaceDir(), 'dist', 'public', ASSET_MANIFEST_FILE);
  if (!existsSync(bundle)) {
    // Pages still work without it (plain forms), but nothing hydrates.
    logger.warn(`browser bundle missing (${bundle}): run \`npm run build -w gateway-render\``);
  }
  // Listening before the API is ready would answer 503 to the first visitors.
  await waitForApi(readyUrlOf(config.apiUrl), { log: (message) => logger.info(message) });
  const app = createApp(config, { logger });
  const { server } = await listen(app, config.port);
  logger.info(
    { port: config.port, api: config.apiUrl, google: config.google !== null },
    `render server on ${config.publicOrigin}`,
  );
  if (config.nodeEnv === 'development') {
    console.log(formatStartBanner(config.publicOrigin, await fetchApiStartInfo(config.apiUrl)));
  }
  const shutdown = () => {
    logger.info('shutting down');
    // Finish in-flight requests, then exit; force it after 10 s.
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // A bad setting, a taken port or an absent API is the operator's to fix: the message only.
  const known =
    error instanceof ConfigError ||
    error instanceof PortInUseError ||
    error instanceof ApiNotReadyError;
  console.error(known ? `gateway-render: ${error.message}` : error);
  process.exit(1);
});
