import { MongoCommandError, toErrorReply } from '../errors';
import type { Doc } from '../query/documents';
import { withCommandTime } from '../query/command-time';
import { aggregateCommands } from './aggregate';
import { collectionCommands } from './collections';
import type { CommandContext, CommandHandler } from './context';
import { explainCommands } from './explain';
import { findCommands } from './find';
import { findAndModifyCommands } from './find-and-modify';
import { handshakeCommands } from './handshake';
import { indexCommands } from './indexes';
import { insertCommands } from './insert';
import { updateCommands } from './update';

export type { CommandContext, CommandHandler } from './context';
export { CursorManager } from './cursors';
export { helloReply } from './handshake';

const TRANSACTION_MESSAGE =
  'Transaction numbers are only allowed on a replica set member or mongos';

const transactionCommand: CommandHandler = () => {
  throw new MongoCommandError('IllegalOperation', TRANSACTION_MESSAGE);
};

const COMMANDS: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...insertCommands,
  ...findCommands,
  ...updateCommands,
  ...findAndModifyCommands,
  ...aggregateCommands,
  ...collectionCommands,
  ...indexCommands,
  ...explainCommands,
  commitTransaction: transactionCommand,
  abortTransaction: transactionCommand,
};

/** A command's name is its first field (`{ find: 'users', ... }`). */
function commandName(command: Doc): string | undefined {
  return Object.keys(command)[0];
}

/**
 * Runs one command and always answers with a reply document: errors become
 * `{ ok: 0, errmsg, code, codeName }`, exactly as a mongod reports them.
 *
 * A command that changed anything is answered only once its journal records are durable. If
 * that journal write fails, the journal has already rolled back those changes (and everything
 * queued after them, other connections' included) and the reply is the journal's error, so
 * an error always means "not done". This holds on both paths: a handler that returned (an
 * insert batch with some writeErrors included) and one that threw after some writes.
 * Handlers make their changes synchronously (none awaits between writing and returning), so
 * a rollback, which runs between commands, always finds this command's flush waiting.
 */
export async function runCommand(command: Doc, context: CommandContext): Promise<Doc> {
  const name = commandName(command);
  // Taken before the handler runs: the flush below then fails exactly when one of this
  // command's own changes was rolled back, not because of another command's failure.
  const before = context.store.writeSequence;
  let reply: Doc | undefined;
  let failed = false;
  let failure: unknown;
  try {
    // One `$$NOW` per command, as mongod: handlers evaluate synchronously inside dispatch.
    reply = await withCommandTime(() => dispatch(name, command, context));
  } catch (error) {
    failed = true;
    failure = error;
  }
  if (context.store.writeSequence !== before) {
    try {
      await context.store.flush(before);
    } catch (flushError) {
      return toErrorReply(flushError);
    }
  }
  if (!failed && reply) return reply;
  if (!(failure instanceof MongoCommandError)) {
    // mingo rejects bad queries with plain Errors (a client mistake, answered as BadValue);
    // a TypeError or RangeError here is more likely a server bug, worth a warning.
    const log =
      failure instanceof TypeError || failure instanceof RangeError
        ? context.logger.warn
        : context.logger.info;
    log(
      `command ${String(name)} failed unexpectedly: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`,
    );
  }
  return toErrorReply(failure);
}

async function dispatch(
  name: string | undefined,
  command: Doc,
  context: CommandContext,
): Promise<Doc> {
  if (name === undefined) {
    throw new MongoCommandError('FailedToParse', 'empty command document');
  }
  // A standalone mongod rejects every command carrying transaction fields with code 20.
  if ('txnNumber' in command || 'startTransaction' in command || 'autocommit' in command) {
    throw new MongoCommandError('IllegalOperation', TRANSACTION_MESSAGE);
  }
  const handler = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!handler) {
    throw new MongoCommandError('CommandNotFound', `no such command: '${name}'`);
  }
  return handler(command, context);
}
