import { MongoCommandError, toErrorReply } from '../errors';
import type { Doc } from '../query/documents';
import { aggregateCommands } from './aggregate';
import { collectionCommands } from './collections';
import type { CommandContext, CommandHandler } from './context';
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
 */
export async function runCommand(command: Doc, context: CommandContext): Promise<Doc> {
  const name = commandName(command);
  try {
    if (name === undefined) {
      throw new MongoCommandError('FailedToParse', 'empty command document');
    }
    // A standalone mongod rejects every command carrying transaction fields with code 20.
    if ('txnNumber' in command || 'startTransaction' in command || 'autocommit' in command) {
      throw new MongoCommandError('IllegalOperation', TRANSACTION_MESSAGE);
    }
    const handler = Object.prototype.hasOwnProperty.call(COMMANDS, name)
      ? COMMANDS[name]
      : undefined;
    if (!handler) {
      throw new MongoCommandError('CommandNotFound', `no such command: '${name}'`);
    }
    const before = context.store.writeSequence;
    const reply = await handler(command, context);
    // Acknowledge a write only once it is on disk; reads need not wait for others' writes.
    if (context.store.writeSequence !== before) await context.store.flush();
    return reply;
  } catch (error) {
    // Even a failed command may have committed earlier writes of its batch: make them durable
    // before answering, since the reply acknowledges them.
    try {
      await context.store.flush();
    } catch (flushError) {
      return toErrorReply(flushError);
    }
    if (!(error instanceof MongoCommandError)) {
      // mingo rejects bad queries with plain Errors (a client mistake, answered as BadValue);
      // a TypeError or RangeError here is more likely a server bug, worth a warning.
      const log =
        error instanceof TypeError || error instanceof RangeError
          ? context.logger.warn
          : context.logger.info;
      log(
        `command ${String(name)} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    return toErrorReply(error);
  }
}
