import type { Doc } from '../query/documents';
import { collectionName, requireArrayOfDocs } from './arguments';
import type { CommandHandler } from './context';
import { writeError } from './write-errors';
import {
  checkUpdateStatementFields,
  executeDelete,
  executeUpdate,
  parseUpdateStatement,
} from './write-ops';
import { MongoCommandError } from '../errors';
import { isPlainObject } from '../query/documents';

const update: CommandHandler = (command, context) => {
  const name = collectionName(command, 'update');
  const statements = requireArrayOfDocs(command, 'updates');
  const ordered = command.ordered !== false;
  for (const statement of statements) checkUpdateStatementFields(statement);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors: Doc[] = [];
  for (let i = 0; i < statements.length; i += 1) {
    try {
      const outcome = executeUpdate(context, name, parseUpdateStatement(statements[i]));
      n += outcome.matched;
      nModified += outcome.modified;
      if (outcome.upsertedId !== undefined) {
        n += 1;
        upserted.push({ index: i, _id: outcome.upsertedId });
      }
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  const reply: Doc = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return { ...reply, ok: 1 };
};

const deleteCommand: CommandHandler = (command, context) => {
  const name = collectionName(command, 'delete');
  const statements = requireArrayOfDocs(command, 'deletes');
  const ordered = command.ordered !== false;
  let n = 0;
  const writeErrors: Doc[] = [];
  for (let i = 0; i < statements.length; i += 1) {
    try {
      const { q, limit } = statements[i];
      if (!isPlainObject(q)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `BSON field 'delete.deletes.q' must be an object`,
        );
      }
      if (limit !== 0 && limit !== 1) {
        throw new MongoCommandError(
          'FailedToParse',
          `The limit field in delete objects must be 0 or 1. Got ${String(limit)}`,
        );
      }
      n += executeDelete(context, name, { filter: q, limit }).length;
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

export const updateCommands: Record<string, CommandHandler> = { update, delete: deleteCommand };
