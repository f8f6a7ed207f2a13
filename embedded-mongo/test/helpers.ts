import { randomBytes } from 'node:crypto';
import { MongoServerError } from 'mongodb';
import type { CommandContext } from '../src/commands';
import { CursorManager } from '../src/commands';
import { silentLogger } from '../src/logger';
import { Store } from '../src/storage/store';

/** The server under test: a real mongod from MONGODB_URI, or the suite's embedded server. */
export function serverUri(): string {
  const uri = process.env.MONGODB_URI ?? process.env.CONFORMANCE_MONGODB_URI;
  if (!uri) throw new TypeError('no server: jest global setup did not run');
  return uri;
}

export function isExternalServer(): boolean {
  return Boolean(process.env.MONGODB_URI);
}

/** The server error `operation` fails with; the calling test fails if it succeeds. */
export async function serverError(operation: Promise<unknown>): Promise<MongoServerError> {
  const error: unknown = await operation.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  return error as MongoServerError;
}

/** A database name no other test uses, so tests never see each other's data. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A command context over `store` without a network, for unit tests that call `runCommand`. */
export function commandContext(store: Store = new Store()): CommandContext {
  return {
    store,
    cursors: new CursorManager(),
    db: 'app',
    connectionId: 1,
    logger: silentLogger,
    startedAt: new Date(),
    host: '127.0.0.1',
    port: 0,
    maxMessageSizeBytes: 48_000_000,
  };
}
