import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Logger } from '../logger';
import { createLogger } from '../logger';

/** A logger that keeps every line it writes, parsed, so tests can assert levels and content. */
export interface CapturedLogger {
  logger: Logger;
  /** Parsed JSON lines, oldest first. */
  lines: Array<Record<string, unknown> & { level: number; msg: string }>;
  /** Everything written, as one string (to assert what never appears). */
  raw(): string;
}

/** pino's numeric levels, for assertions. */
export const LEVEL = { info: 30, warn: 40, error: 50 } as const;

/** A debug-level logger writing into memory. */
export function captureLogger(): CapturedLogger {
  const raw: string[] = [];
  const lines: CapturedLogger['lines'] = [];
  const logger = createLogger('debug', {
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line) as CapturedLogger['lines'][number]);
    },
  });
  return { logger, lines, raw: () => raw.join('') };
}

/** A recipient address no other test uses, so each test reads only its own mails. */
export function uniqueAddress(label = 'user'): string {
  return `${label}-${randomUUID()}@example.test`;
}

/** A TCP port that was free a moment ago and has nothing listening on it now. */
export async function reserveClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * Re-reads `read()` every few milliseconds until `done` accepts its value (then returns it);
 * fails after `timeoutMs` with the last value seen. Polling the database beats a fixed sleep.
 */
export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`waitUntil: timed out; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
