import { MongoCommandError } from '../errors';
import { runAggregation } from '../query/aggregate';
import { canonicalKey } from '../storage/keys';
import { collectPathValues } from '../query/documents';
import { findDocuments } from '../query/find';
import { checkHint } from '../query/hint';
import {
  collectionName,
  cursorBatchSize,
  existingCollection,
  namespace,
  optionalArray,
  optionalDoc,
  optionalNumber,
} from './arguments';
import type { CommandHandler } from './context';

const aggregate: CommandHandler = (command, context) => {
  if (typeof command.aggregate !== 'string') {
    throw new MongoCommandError(
      'NotImplemented',
      'database-level aggregation ({ aggregate: 1 }) is not supported by the embedded server',
    );
  }
  const name = collectionName(command, 'aggregate');
  const pipeline = optionalArray(command, 'pipeline');
  if (!pipeline) {
    throw new MongoCommandError(
      'FailedToParse',
      "BSON field 'pipeline' is missing but a required field",
    );
  }
  if (!optionalDoc(command, 'cursor')) {
    throw new MongoCommandError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  const coll = existingCollection(context, name);
  checkHint(coll, command.hint);
  const docs = runAggregation(coll, pipeline, (foreign) => existingCollection(context, foreign));
  return context.cursors.create(namespace(context, name), docs, {
    batchSize: cursorBatchSize(command),
  });
};

/** `count` (estimatedDocumentCount and the legacy count helper). */
const count: CommandHandler = (command, context) => {
  const coll = existingCollection(context, collectionName(command, 'count'));
  const filter = optionalDoc(command, 'query');
  const skip = Math.max(0, optionalNumber(command, 'skip') ?? 0);
  const limit = Math.abs(optionalNumber(command, 'limit') ?? 0);
  let n: number;
  if (!filter || Object.keys(filter).length === 0) {
    const total = Math.max(0, (coll?.size ?? 0) - skip);
    n = limit > 0 ? Math.min(limit, total) : total;
  } else {
    n = findDocuments(coll, { filter, skip, limit }).length;
  }
  return { n, ok: 1 };
};

/** `distinct`: array values count element by element, as in MongoDB. */
const distinct: CommandHandler = (command, context) => {
  const coll = existingCollection(context, collectionName(command, 'distinct'));
  const key = command.key;
  if (typeof key !== 'string') {
    throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' must be a string");
  }
  const seen = new Map<string, unknown>();
  for (const doc of findDocuments(coll, { filter: optionalDoc(command, 'query') })) {
    for (const value of collectPathValues(doc, key)) {
      if (Array.isArray(value) && value.length === 0) continue;
      const id = canonicalKey(value);
      if (!seen.has(id)) seen.set(id, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate, count, distinct };
