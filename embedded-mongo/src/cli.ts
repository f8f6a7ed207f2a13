#!/usr/bin/env node
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { consoleLogger, startEmbeddedMongo } from './index';

const USAGE = `Usage: embedded-mongo [--port 27017] [--host 127.0.0.1] [--data-dir DIR]

  --port       TCP port (default 27017; 0 picks a free port)
  --host       interface to listen on (default 127.0.0.1)
  --data-dir   keep data in DIR across restarts (default: in memory only)
  --help       show this help`;

/** Runs the embedded server until SIGINT/SIGTERM, for any MongoDB client to use. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`--port must be an integer between 0 and 65535, got '${values.port}'`);
  }
  // npm runs workspace scripts inside the workspace; INIT_CWD is where the user typed the
  // command, so `--data-dir .data/db` means the same folder from the root or the workspace.
  const dataDir = values['data-dir']
    ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values['data-dir'])
    : undefined;
  const server = await startEmbeddedMongo({
    port,
    host: values.host,
    dataDir,
    logger: consoleLogger,
  });
  const where = dataDir ? `data in ${dataDir}` : 'in memory (no --data-dir)';
  console.log(`[embedded-mongo] listening on ${server.uri} (${where})`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[embedded-mongo] ${signal}: flushing and stopping`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[embedded-mongo] failed to stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`[embedded-mongo] ${error instanceof Error ? error.message : String(error)}`);
  console.error(USAGE);
  process.exit(1);
});
