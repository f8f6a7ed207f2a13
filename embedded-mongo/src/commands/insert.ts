import { ObjectId } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { isPlainObject } from '../query/documents';
import { checkIdType, invalidIdType } from '../query/id-field';
import { withIdFirst } from '../query/update';
import { collectionName, requireArrayOfDocs } from './arguments';
import type { CommandHandler } from './context';
import { bypassesValidation, checkDocumentValidation } from './validation';
import { assertNotView } from './views';
import { writeError } from './write-errors';

/** `insert`: ordered stops at the first failure, unordered tries every document. */
const insert: CommandHandler = (command, context) => {
  const name = collectionName(command, 'insert');
  const documents = requireArrayOfDocs(command, 'documents');
  const ordered = command.ordered !== false;
  const { coll } = context.store.ensureCollection(context.db, name);
  const writeErrors: Doc[] = [];
  let n = 0;
  const bypass = bypassesValidation(command);
  for (let i = 0; i < documents.length; i += 1) {
    try {
      assertNotView(coll);
      // A BSON undefined `_id` decodes as a present key holding undefined; internal callers
      // (pipeline results, upserts) treat undefined as missing, so only a client's is refused.
      if (Object.hasOwn(documents[i], '_id') && documents[i]._id === undefined) {
        throw invalidIdType('undefined');
      }
      const doc = prepareForInsert(documents[i]);
      checkDocumentValidation(context, coll, doc, undefined, bypass);
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
  checkIdType(doc._id);
  const dollarField = dollarPrefixedField(doc._id);
  if (dollarField !== undefined) {
    throw new MongoCommandError(
      'DollarPrefixedFieldName',
      `_id fields may not contain '$'-prefixed fields: ${dollarField} is not valid for storage.`,
    );
  }
  return doc;
}

/**
 * The first `$`-prefixed field name inside an `_id` sub-document (at any depth, arrays
 * included), which mongod refuses to store. DBRefs (`$ref`/`$id`/`$db`) are decoded as DBRef
 * objects, not plain objects, so they pass, as on mongod.
 */
function dollarPrefixedField(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = dollarPrefixedField(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) return key;
    const found = dollarPrefixedField(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

export const insertCommands: Record<string, CommandHandler> = { insert };
