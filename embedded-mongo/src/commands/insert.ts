import { ObjectId } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { withIdFirst } from '../query/update';
import { collectionName, requireArrayOfDocs } from './arguments';
import type { CommandHandler } from './context';
import { writeError } from './write-errors';

/** `insert`: ordered stops at the first failure, unordered tries every document. */
const insert: CommandHandler = (command, context) => {
  const name = collectionName(command, 'insert');
  const documents = requireArrayOfDocs(command, 'documents');
  const ordered = command.ordered !== false;
  const { coll } = context.store.ensureCollection(context.db, name);
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < documents.length; i += 1) {
    try {
      const doc = prepareForInsert(documents[i]);
      context.store.insert(coll, doc);
      n += 1;
    } catch (error) {
      writeErrors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

/** Adds a missing `_id` (first, as mongod does) and rejects ids MongoDB rejects. */
export function prepareForInsert(raw: Doc): Doc {
  const doc = raw._id === undefined ? { _id: new ObjectId(), ...raw } : withIdFirst(raw);
  if (doc._id === undefined) doc._id = new ObjectId();
  if (Array.isArray(doc._id)) {
    throw new MongoCommandError('BadValue', `can't use an array for _id`);
  }
  if (doc._id instanceof RegExp) {
    throw new MongoCommandError('BadValue', `can't use a regex for _id`);
  }
  return doc;
}

export const insertCommands: Record<string, CommandHandler> = { insert };
