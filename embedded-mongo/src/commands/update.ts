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
import { bypassesValidation } from './validation';
import { bsonTypeName, isPlainObject } from '../query/documents';
import { withVariables } from '../query/mingo-options';
import { checkVariableName, parseLet } from '../query/variables';

/**
 * A statement's `c`: constants for its pipeline update (`$$name` in `u`), taken literally
 * (not evaluated) and only with a pipeline, as in mongod.
 */
function statementConstants(statement: Doc): Doc | undefined {
  const constants = statement.c;
  if (constants === undefined) return undefined;
  if (!isPlainObject(constants)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field 'update.updates.c' is the wrong type '${bsonTypeName(constants)}', expected type 'object'`,
    );
  }
  if (!Array.isArray(statement.u)) {
    throw new MongoCommandError(
      'Location51198',
      'Constant values may only be specified for pipeline updates',
    );
  }
  for (const name of Object.keys(constants)) checkVariableName(name);
  return constants;
}

/** `update`; a command-level `let` is visible to every statement's `q` and pipeline `u`. */
const update: CommandHandler = (command, context) =>
  withVariables(parseLet(command, 'update'), () => runUpdate(command, context));

const runUpdate: CommandHandler = (command, context) => {
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
      const outcome = withVariables(statementConstants(statements[i]), () =>
        executeUpdate(context, name, {
          ...parseUpdateStatement(statements[i]),
          bypassDocumentValidation: bypassesValidation(command),
        }),
      );
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

/** `delete`; a command-level `let` is visible to every statement's `q`. */
const deleteCommand: CommandHandler = (command, context) =>
  withVariables(parseLet(command, 'delete'), () => runDelete(command, context));

const runDelete: CommandHandler = (command, context) => {
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
      n += executeDelete(context, name, {
        filter: q,
        limit,
        collation: statements[i].collation,
      }).length;
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

export const updateCommands: Record<string, CommandHandler> = { update, delete: deleteCommand };
