import { MongoCommandError } from '../errors';
import { findDocuments } from '../query/find';
import { checkHint } from '../query/hint';
import {
  collectionName,
  existingCollection,
  namespace,
  optionalArray,
  optionalDoc,
  optionalNumber,
  toLong,
} from './arguments';
import type { CommandHandler } from './context';

const find: CommandHandler = (command, context) => {
  const name = collectionName(command, 'find');
  const limit = optionalNumber(command, 'limit') ?? 0;
  const batchSize = optionalNumber(command, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) {
    throw new MongoCommandError(
      'BadValue',
      `BatchSize value must be non-negative, but received: ${batchSize}`,
    );
  }
  const skip = optionalNumber(command, 'skip') ?? 0;
  if (skip < 0) {
    throw new MongoCommandError(
      'BadValue',
      `Skip value must be non-negative, but received: ${skip}`,
    );
  }
  const coll = existingCollection(context, name);
  checkHint(coll, command.hint);
  const docs = findDocuments(coll, {
    filter: optionalDoc(command, 'filter'),
    sort: optionalDoc(command, 'sort'),
    projection: optionalDoc(command, 'projection'),
    skip,
    limit,
  });
  // A negative limit is the legacy way of asking for a single batch.
  const singleBatch = command.singleBatch === true || limit < 0;
  const firstBatchSize = batchSize ?? (limit !== 0 ? Math.abs(limit) : undefined);
  return context.cursors.create(namespace(context, name), docs, {
    batchSize: firstBatchSize,
    singleBatch,
    noTimeout: command.noCursorTimeout === true,
  });
};

const getMore: CommandHandler = (command, context) => {
  const id = toLong(command.getMore, 'getMore');
  const name = collectionName(command, 'collection');
  return context.cursors.getMore(
    id,
    namespace(context, name),
    optionalNumber(command, 'batchSize'),
  );
};

const killCursors: CommandHandler = (command, context) => {
  collectionName(command, 'killCursors');
  const ids = (optionalArray(command, 'cursors') ?? []).map((id) => toLong(id, 'cursors'));
  const { killed, notFound } = context.cursors.kill(ids);
  return {
    cursorsKilled: killed,
    cursorsNotFound: notFound,
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
};

export const findCommands: Record<string, CommandHandler> = { find, getMore, killCursors };
