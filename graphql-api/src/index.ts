import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import type { ApiConfig } from './config';
import { openDatabase } from './database';
import { listen } from './http-server';
import { createLogger } from './logger';
import { DEMO_USER, seedDatabase } from './seed/seed';
import type { SeedReport } from './seed/seed';

/** How long in-flight requests get to finish on SIGINT/SIGTERM before the process exits. */
const SHUTDOWN_GRACE_MS = 10_000;

function printBanner(config: ApiConfig, port: number, report: SeedReport, devInbox: boolean): void {
  const lines = [
    '',
    `GraphQL API ready on http://localhost:${port}/graphql`,
    `  health http://localhost:${port}/health · ready http://localhost:${port}/ready`,
  ];
  if (config.nodeEnv === 'development') {
    lines.push(
      `  playground (GraphiQL, public key preset): open http://localhost:${port}/graphql in a browser`,
      `  what is served where: http://localhost:${port}/`,
      `  public API key (X-API-Key): ${config.publicApiKeyToken ?? '(generated, see below)'}`,
      `  admin API key  (X-API-Key): ${config.adminApiKeyToken ?? '(generated, see below)'}`,
      `  demo user: ${DEMO_USER.email} / ${DEMO_USER.password}`,
      report.moviesInserted > 0
        ? `  sample movies: ${report.moviesInserted} added to the empty catalog`
        : '  sample movies: the catalog already had movies, none added',
    );
    if (config.admin) lines.push(`  admin user: ${config.admin.email} / ${config.admin.password}`);
    if (devInbox) {
      lines.push(
        `  mail: no SMTP_URL, so every mail lands in a local inbox: open ${config.publicOrigin}/dev/mail`,
      );
    }
  }
  for (const { name, token } of report.newKeyTokens) {
    lines.push(`  NEW ${name} API key token (shown once): ${token}`);
  }
  console.log(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const api = await createApp(config, { logger });
  const report = await seedDatabase(config, api.services);

  const running = await listen(api.app, config.port, { graceMs: SHUTDOWN_GRACE_MS, logger });
  logger.info({ port: running.port, embeddedDatabase: database.embedded }, 'graphql-api listening');
  printBanner(config, running.port, report, api.devInbox !== null);

  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      // Stop accepting and drain HTTP first; only then stop Apollo and close the database.
      await running.close();
      await api.stop();
      await database.close();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exitCode = 1;
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
