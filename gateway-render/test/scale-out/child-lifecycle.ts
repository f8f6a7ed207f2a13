/**
 * What the scale-out test's child processes share: the one line a child prints when it
 * listens (the test waits for it) and how it stops. Everything else on stdout is ignored.
 */
export const READY_PREFIX = 'SCALE_OUT_READY ';

/** The ready line's payload. */
export interface ReadyMessage {
  /** The child's origin, e.g. `http://127.0.0.1:41234`. */
  origin: string;
}

/** Prints the ready line. */
export function announceReady(message: ReadyMessage): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(message)}\n`);
}

/** A required environment variable (the test always sets them). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new TypeError(`${name} must be set (started by gateway-render/test/scale-out)`);
  }
  return value;
}

/**
 * Stops on SIGTERM/SIGINT, and also when stdin ends: the test holds the other end of that pipe,
 * so a test process that dies without cleaning up (a crash, a killed jest worker) still takes
 * its children with it instead of leaving servers running.
 */
export function stopOnSignalOrOrphaned(stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 5000).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

/** Runs a child's main function; a start-up failure is printed (the test shows stderr) and exits 1. */
export function runChild(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
