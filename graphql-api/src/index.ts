import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import type { ApiConfig } from './config';
import { openDatabase } from './database';
import { listen, PortInUseError } from './http-server';
import { createLogger } from './logger';
import { seedDatabase } from './seed/seed';
import type { SeedReport } from './seed/seed';
import { accountLine, publishStartInfo, readStartInfo } from './start-info';
import type { StartInfo } from './start-info';

/** How long in-flight requests get to finish on SIGINT/SIGTERM before the process exits. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The API's own banner (it may run alone): where it listens and, in development, what to try
 * it with. Started with the render server (root `npm start`), the render server prints the
 * newcomer's banner, with its own address first, from the same {@link StartInfo}.
 */
function printBanner(
  config: ApiConfig,
  port: number,
  report: SeedReport,
  info: StartInfo | null,
): void {
  const lines = [
    '',
    `GraphQL API ready on http://localhost:${port}/graphql`,
    `  health http://localhost:${port}/health · ready http://localhost:${port}/ready`,
  ];
  if (info) {
    lines.push(
      `  playground (GraphiQL, public key preset): open ${info.playgroundUrl} in a browser`,
      `  what is served where: http://localhost:${port}/`,
      `  public API key (X-API-Key): ${config.publicApiKeyToken ?? '(generated, see below)'}`,
      `  admin API key  (X-API-Key): ${config.adminApiKeyToken ?? '(generated, see below)'}`,
      report.moviesInserted > 0
        ? `  sample movies: ${report.moviesInserted} added to the empty catalog`
        : '  sample movies: the catalog already had movies, none added',
    );
    if (info.demoUser) lines.push(accountLine('  demo user:', info.demoUser));
    if (info.adminUser) lines.push(accountLine('  admin user:', info.adminUser));
    if (info.devInbox) {
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
  const logger = createLogger(config.logLevel, undefined, {
    pretty: config.nodeEnv === 'development',
  });
  const database = await openDatabase(config, logger);
  const api = await createApp(config, { logger });
  const report = await seedDatabase(config, api.services);

  // Published before listening: the render server asks for it as soon as /ready answers.
  let info: StartInfo | null = null;
  if (config.nodeEnv === 'development') {
    info = await readStartInfo(config, config.port, api.services, api.devInbox !== null);
    publishStartInfo(api.express, info);
  }
  let running;
  try {
    running = await listen(api.app, config.port, { graceMs: SHUTDOWN_GRACE_MS, logger });
  } catch (error) {
    await api.stop();
    await database.close();
    throw error;
  }
  logger.info({ port: running.port, embeddedDatabase: database.embedded }, 'graphql-api listening');
  printBanner(config, running.port, report, info);

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
  // A bad setting or a taken port is the operator's to fix: the message, not a stack.
  const known = error instanceof ConfigError || error instanceof PortInUseError;
  console.error(known ? `graphql-api: ${error.message}` : error);
  process.exit(1);
});
