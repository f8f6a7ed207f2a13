import { MongoCommandError } from '../errors';
import { resolveCollation } from '../query/collation';
import { findDocuments } from '../query/find';
import { checkHint } from '../query/hint';
import { withVariables } from '../query/mingo-options';
import { parseLet } from '../query/variables';
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
import { findOnView, resolveView } from './views';

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
  const variables = parseLet(command, 'find');
  const view = resolveView(context, name);
  if (view) {
    return withVariables(variables, () =>
      findOnView(context, name, view, command, { skip, limit, batchSize }),
    );
  }
  const coll = existingCollection(context, name);
  const collation = resolveCollation(command.collation, coll?.options, 'find.collation');
  checkHint(coll, command.hint);
  const docs = withVariables(variables, () =>
    findDocuments(coll, {
      filter: optionalDoc(command, 'filter'),
      sort: optionalDoc(command, 'sort'),
      projection: optionalDoc(command, 'projection'),
      skip,
      limit,
      collation,
    }),
  );
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
