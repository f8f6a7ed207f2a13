/**
 * The one line a server under test prints when it listens; the harness waits for it
 * (see ../children.ts). Everything else on stdout is ignored.
 */
export const READY_PREFIX = 'BENCH_READY ';

export interface ReadyMessage {
  /** Base URL, e.g. `http://127.0.0.1:41234` (or a `mongodb://` URI for the database). */
  url: string;
}

export function announceReady(message: ReadyMessage): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(message)}\n`);
}

/** Servers under test exit on SIGTERM/SIGINT after `stop` (the harness kills them between figures). */
export function exitOnSignal(stop: () => Promise<void> = async () => undefined): void {
  const shutdown = (): void => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 5000).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Reads a required environment variable (the harness always sets them). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new TypeError(`${name} must be set (servers under test are started by bench/src/run.ts)`);
  }
  return value;
}
