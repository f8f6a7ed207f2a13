import { Double, Int32, Long } from 'bson';
import { MongoCommandError } from '../errors';
import { isKnownStage, runAggregation } from '../query/aggregate';
import type { Doc } from '../query/documents';
import { bsonTypeName, isPlainObject } from '../query/documents';
import { withVariables } from '../query/mingo-options';
import { parseLet } from '../query/variables';
import type { Collection } from '../storage/collection';
import { splitOutputStage, writeOutput } from './aggregate-output';
import { bypassesValidation } from './validation';
import { canonicalKey } from '../storage/keys';
import { collectPathValues } from '../query/documents';
import { resolveCollation } from '../query/collation';
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
import type { CommandContext, CommandHandler } from './context';
import { countOnView, distinctOnView, lookupTarget, readView, resolveView } from './views';

/**
 * `aggregate` on a collection, or on the database (`{ aggregate: 1 }`). A command-level `let`
 * is visible to every stage (and to a `$merge` pipeline); a final `$out`/`$merge` writes the
 * result and answers an empty cursor, as mongod does.
 */
const aggregate: CommandHandler = (command, context) => {
  const databaseLevel = typeof command.aggregate !== 'string';
  if (databaseLevel && !isOne(command.aggregate)) {
    throw new MongoCommandError(
      'FailedToParse',
      "Invalid command format: the 'aggregate' field must specify a collection name or 1",
    );
  }
  const name = databaseLevel ? '$cmd.aggregate' : collectionName(command, 'aggregate');
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
  const variables = parseLet(command, 'aggregate');
  const { stages, output } = splitOutputStage(pipeline, context);
  if (!databaseLevel && isPlainObject(stages[0]) && '$documents' in stages[0]) {
    throw new MongoCommandError(
      'InvalidNamespace',
      "'$documents' can only be run with database or cluster-level aggregation",
    );
  }
  const resolve = (foreign: string): Collection | undefined => lookupTarget(context, foreign);
  // A view runs its own pipeline first, over its source collection.
  const view = databaseLevel ? undefined : resolveView(context, name);
  const docs = withVariables(variables, () => {
    let result: Doc[];
    if (databaseLevel) {
      result = runDatabaseAggregation(stages, pipeline, context, resolve);
    } else if (view) {
      result = readView(context, view, stages as Doc[]);
    } else {
      const coll = existingCollection(context, name);
      checkHint(coll, command.hint);
      const collation = resolveCollation(command.collation, coll?.options, 'aggregate.collation');
      result = runAggregation(coll, stages, resolve, collation);
    }
    if (output) writeOutput(context, output, result, bypassesValidation(command));
    return result;
  });
  return context.cursors.create(namespace(context, name), output ? [] : docs, {
    batchSize: cursorBatchSize(command),
  });
};

function isOne(value: unknown): boolean {
  return (
    value === 1 ||
    (value instanceof Long && value.equals(1)) ||
    ((value instanceof Int32 || value instanceof Double) && value.valueOf() === 1)
  );
}

/** The stages a `{ aggregate: 1 }` pipeline may start with that the embedded server runs. */
const DATABASE_SOURCES = new Set(['$documents', '$listLocalSessions']);

/**
 * `{ aggregate: 1 }`: the pipeline starts with a stage that produces its own documents.
 * `$documents` takes an array (or an expression giving one); `$listLocalSessions` answers
 * no sessions, since the embedded server keeps no session cache (the driver's `endSessions`
 * is acknowledged and forgotten). Any other first stage needs a collection, as on mongod.
 */
function runDatabaseAggregation(
  stages: unknown[],
  pipeline: unknown[],
  context: CommandContext,
  resolve: (name: string) => Collection | undefined,
): Doc[] {
  const first = stages[0] ?? pipeline[0];
  const stage = isPlainObject(first) ? Object.keys(first)[0] : undefined;
  if (stage === undefined) {
    throw new MongoCommandError(
      'InvalidNamespace',
      '{aggregate: 1} is not valid for an empty pipeline.',
    );
  }
  if (!isKnownStage(stage) || !isPlainObject(first) || Object.keys(first).length !== 1) {
    // Malformed and unknown stages get the same errors as on a collection.
    return runAggregation(undefined, stages, resolve);
  }
  if (stage === '$currentOp' && context.db !== 'admin') {
    throw new MongoCommandError(
      'InvalidNamespace',
      "$currentOp must be run against the 'admin' database with {aggregate: 1}",
    );
  }
  if (stage === '$currentOp' || stage === '$changeStream' || stage === '$queryStats') {
    throw new MongoCommandError(
      'NotImplemented',
      `${stage} is not supported by the embedded server`,
    );
  }
  if (!DATABASE_SOURCES.has(stage)) {
    throw new MongoCommandError(
      'InvalidNamespace',
      `{aggregate: 1} is not valid for '${stage}'; a collection is required.`,
    );
  }
  if (stage === '$listLocalSessions') {
    checkListLocalSessions(first.$listLocalSessions);
    return runAggregation(undefined, stages.slice(1), resolve);
  }
  const documents = first.$documents;
  if (Array.isArray(documents) && !documents.every(isPlainObject)) {
    throw new MongoCommandError(
      'Location40228',
      "'replacement document' must evaluate to an object, but resulting value was not an object",
    );
  }
  return runAggregation(undefined, stages, resolve);
}

function checkListLocalSessions(spec: unknown): void {
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `$listLocalSessions options must be specified in an object, but found: ${bsonTypeName(spec)}`,
    );
  }
  for (const field of Object.keys(spec)) {
    if (field !== 'allUsers' && field !== 'users') {
      throw new MongoCommandError(
        'Location40415',
        `BSON field '$listLocalSessions.${field}' is an unknown field.`,
      );
    }
  }
}

/** `count` (estimatedDocumentCount and the legacy count helper). */
const count: CommandHandler = (command, context) => {
  const view = resolveView(context, collectionName(command, 'count'));
  if (view) return countOnView(context, view, command);
  const coll = existingCollection(context, collectionName(command, 'count'));
  const filter = optionalDoc(command, 'query');
  const skip = Math.max(0, optionalNumber(command, 'skip') ?? 0);
  const limit = Math.abs(optionalNumber(command, 'limit') ?? 0);
  const collation = resolveCollation(command.collation, coll?.options, 'count.collation');
  let n: number;
  if (!filter || Object.keys(filter).length === 0) {
    const total = Math.max(0, (coll?.size ?? 0) - skip);
    n = limit > 0 ? Math.min(limit, total) : total;
  } else {
    n = findDocuments(coll, { filter, skip, limit, collation }).length;
  }
  return { n, ok: 1 };
};

/** `distinct`: array values count element by element, as in MongoDB. */
const distinct: CommandHandler = (command, context) => {
  const view = resolveView(context, collectionName(command, 'distinct'));
  if (view) return distinctOnView(context, view, command);
  const coll = existingCollection(context, collectionName(command, 'distinct'));
  const key = command.key;
  if (typeof key !== 'string') {
    throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' must be a string");
  }
  // Under a collation, values equal by it ('a', 'A' at strength 2) are one value: the first met.
  const collation = resolveCollation(command.collation, coll?.options, 'distinct.collation');
  const seen = new Map<string, unknown>();
  // This command's own table of string classes: a read must not grow an index's.
  const keyer = collation?.newKeyer();
  const filter = optionalDoc(command, 'query');
  for (const doc of findDocuments(coll, { filter, collation })) {
    for (const value of collectPathValues(doc, key)) {
      if (Array.isArray(value) && value.length === 0) continue;
      const id = keyer ? keyer.key(value) : canonicalKey(value);
      if (!seen.has(id)) seen.set(id, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate, count, distinct };
