import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { isPlainObject } from '../query/documents';
import { projectDocument } from '../query/find';
import { withVariables } from '../query/mingo-options';
import { parseLet } from '../query/variables';
import { collectionName, optionalDoc } from './arguments';
import type { CommandHandler } from './context';
import { bypassesValidation } from './validation';
import { executeDelete, executeUpdate } from './write-ops';

/** `findAndModify`: one document, updated or removed, returned before or after. */
const findAndModify: CommandHandler = (command, context) =>
  withVariables(parseLet(command, 'findAndModify'), () => runFindAndModify(command, context));

const runFindAndModify: CommandHandler = (command, context) => {
  const name = collectionName(command, 'findAndModify');
  const filter = optionalDoc(command, 'query') ?? {};
  const sort = optionalDoc(command, 'sort');
  const fields = optionalDoc(command, 'fields');
  const remove = command.remove === true;
  const returnNew = command.new === true;
  const upsert = command.upsert === true;
  const project = (doc: Doc | undefined): Doc | null => (doc ? projectDocument(doc, fields) : null);
  if (remove) {
    if (command.update !== undefined) {
      throw new MongoCommandError('FailedToParse', 'Cannot specify both an update and remove=true');
    }
    if (upsert || returnNew) {
      throw new MongoCommandError(
        'FailedToParse',
        'Cannot specify both upsert=true and remove=true',
      );
    }
    const [removed] = executeDelete(context, name, {
      filter,
      limit: 1,
      sort,
      collation: command.collation,
    });
    return { lastErrorObject: { n: removed ? 1 : 0 }, value: project(removed), ok: 1 };
  }
  if (command.update === undefined) {
    throw new MongoCommandError(
      'FailedToParse',
      'Either an update or remove=true must be specified',
    );
  }
  const arrayFilters = command.arrayFilters;
  const outcome = executeUpdate(context, name, {
    filter,
    update: command.update,
    upsert,
    multi: false,
    sort,
    collation: command.collation,
    bypassDocumentValidation: bypassesValidation(command),
    arrayFilters: Array.isArray(arrayFilters) ? arrayFilters.filter(isPlainObject) : undefined,
  });
  const lastErrorObject: Doc = {
    n: outcome.matched + (outcome.upsertedId !== undefined ? 1 : 0),
    updatedExisting: outcome.matched > 0,
  };
  if (outcome.upsertedId !== undefined) lastErrorObject.upserted = outcome.upsertedId;
  const value = returnNew ? outcome.after : outcome.before;
  return { lastErrorObject, value: project(value), ok: 1 };
};

export const findAndModifyCommands: Record<string, CommandHandler> = {
  findAndModify,
  findandmodify: findAndModify,
};
