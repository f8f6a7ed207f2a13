import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import { workspaceDir } from './shared/workspace-dir';

function main(): void {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gateway-render: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel });
  const bundle = path.join(workspaceDir(), 'dist', 'public', 'client.js');
  if (!existsSync(bundle)) {
    // Pages still work without it (plain forms), but nothing hydrates.
    logger.warn(`browser bundle missing (${bundle}): run \`npm run build -w gateway-render\``);
  }
  const app = createApp(config, { logger });
  const server = app.listen(config.port, () => {
    logger.info(
      { port: config.port, api: config.apiUrl, google: config.google !== null },
      `render server on ${config.publicOrigin}`,
    );
  });
  const shutdown = () => {
    logger.info('shutting down');
    // Finish in-flight requests, then exit; force it after 10 s.
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main();
