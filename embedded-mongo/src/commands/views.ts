import { MongoCommandError } from '../errors';
import { runAggregation } from '../query/aggregate';
import type { Doc } from '../query/documents';
import { collectPathValues, isPlainObject } from '../query/documents';
import { compileFilter } from '../query/filter';
import { projectDocument, sortSpec } from '../query/find';
import type { Collection } from '../storage/collection';
import { canonicalKey } from '../storage/keys';
import { namespace, optionalDoc, optionalNumber } from './arguments';
import type { CommandContext } from './context';
import type { CursorReply } from './cursors';

/**
 * Read-only views (`create` with `viewOn` and `pipeline`). A view is stored as a collection
 * entry whose options hold `viewOn` and `pipeline` (so the journal, drop and dropDatabase
 * handle it like any collection) and holds no documents. Reads resolve it to its source
 * collection and the concatenated pipelines of the chain of views; writes are refused with
 * mongod's 166 CommandNotSupportedOnView.
 */

/** mongod's limit on a chain of views on views. */
const MAX_VIEW_DEPTH = 20;

/** Stages a view definition may not contain (they write, or must come first in a pipeline). */
const FORBIDDEN_VIEW_STAGES = new Set(['$out', '$merge']);

export function isView(coll: Collection | undefined): boolean {
  return coll !== undefined && typeof coll.options.viewOn === 'string';
}

/** Throws 166 when `coll` is a view: inserts, updates, deletes, indexes. */
export function assertNotView(coll: Collection | undefined): void {
  if (coll && isView(coll)) {
    throw new MongoCommandError(
      'CommandNotSupportedOnView',
      `Namespace ${coll.namespace} is a view, not a collection`,
    );
  }
}

/** What a read on a view runs: the source collection (maybe missing) and the full pipeline. */
export interface ResolvedView {
  source: Collection | undefined;
  pipeline: Doc[];
}

/** Resolves `name` when it names a view (views on views too), undefined for a collection. */
export function resolveView(context: CommandContext, name: string): ResolvedView | undefined {
  let coll = context.store.getCollection(context.db, name);
  if (!isView(coll)) return undefined;
  const pipelines: Doc[][] = [];
  for (let depth = 0; coll && isView(coll); depth += 1) {
    if (depth >= MAX_VIEW_DEPTH) {
      throw new MongoCommandError(
        'ViewDepthLimitExceeded',
        `View depth too deep or view cycle detected. Maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    }
    pipelines.unshift((coll.options.pipeline as Doc[] | undefined) ?? []);
    coll = context.store.getCollection(context.db, coll.options.viewOn as string);
  }
  return { source: coll, pipeline: pipelines.flat() };
}

/**
 * Checks a view definition of `create` or `collMod` like mongod: `viewOn` a non-empty string,
 * `pipeline` an array of stages without `$out`/`$merge`, no cycle and at most 20 levels.
 */
export function checkViewDefinition(
  context: CommandContext,
  name: string,
  viewOn: unknown,
  pipeline: unknown,
  commandName: string,
): Doc[] {
  if (typeof viewOn !== 'string') {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${commandName}.viewOn' is the wrong type '${typeof viewOn}', expected type 'string'`,
    );
  }
  if (viewOn.length === 0) throw new MongoCommandError('BadValue', "'viewOn' cannot be empty");
  const stages = pipeline ?? [];
  if (!Array.isArray(stages) || !stages.every(isPlainObject)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${commandName}.pipeline' is the wrong type, expected an array of objects`,
    );
  }
  stages.forEach((stage, index) => {
    const stageName = Object.keys(stage)[0];
    if (FORBIDDEN_VIEW_STAGES.has(stageName)) {
      throw new MongoCommandError(
        'OptionNotSupportedOnView',
        `The aggregation stage ${stageName} in location ${index} of the pipeline cannot be used in the view definition of ${namespace(context, name)} because it writes to disk`,
      );
    }
  });
  // Parses the stages (names, shapes) the way the reads will, without any input.
  runAggregation(undefined, stages, () => undefined);
  // Follow the chain from the new source: reaching the view itself again is a cycle.
  const chain = [namespace(context, name)];
  let next: string | undefined = viewOn;
  while (next !== undefined) {
    chain.push(namespace(context, next));
    if (next === name) {
      throw new MongoCommandError(
        'GraphContainsCycle',
        `View cycle detected: ${chain.join(' => ')}`,
      );
    }
    if (chain.length > MAX_VIEW_DEPTH + 1) {
      throw new MongoCommandError(
        'ViewDepthLimitExceeded',
        `View depth too deep or view cycle detected. Maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    }
    const coll = context.store.getCollection(context.db, next);
    next = isView(coll) ? (coll?.options.viewOn as string) : undefined;
  }
  return stages;
}

/** Runs the view's pipeline followed by `extra` over the source collection. */
export function readView(context: CommandContext, view: ResolvedView, extra: Doc[]): Doc[] {
  return runAggregation(view.source, [...view.pipeline, ...extra], (foreign) =>
    lookupTarget(context, foreign),
  );
}

/**
 * The collection a `$lookup`/`$graphLookup`/`$unionWith` names. A view there would be read as
 * an empty collection, so it is refused instead of answering wrong results.
 */
export function lookupTarget(context: CommandContext, name: string): Collection | undefined {
  const coll = context.store.getCollection(context.db, name);
  if (isView(coll)) {
    throw new MongoCommandError(
      'NotImplemented',
      `reading the view ${namespace(context, name)} from $lookup, $graphLookup or $unionWith is not supported by the embedded server`,
    );
  }
  return coll;
}

function stagesFor(
  filter: Doc | undefined,
  sort: Doc | undefined,
  skip: number,
  limit: number,
): Doc[] {
  const stages: Doc[] = [];
  if (filter && Object.keys(filter).length > 0) {
    compileFilter(filter);
    stages.push({ $match: filter });
  }
  // `$natural` is the pipeline's own order here; `$meta` keys have no text score to sort by.
  const keys = sort ? sortSpec(sort) : {};
  delete keys.$natural;
  if (Object.keys(keys).length > 0) stages.push({ $sort: keys });
  if (skip > 0) stages.push({ $skip: skip });
  if (limit !== 0) stages.push({ $limit: Math.abs(limit) });
  return stages;
}

/**
 * `find` on a view: mongod runs it as the view's pipeline followed by the find's filter, sort,
 * skip and limit; the projection is applied last, with find's projection rules.
 */
export function findOnView(
  context: CommandContext,
  name: string,
  view: ResolvedView,
  command: Doc,
  options: { skip: number; limit: number; batchSize: number | undefined },
): CursorReply {
  const { skip, limit, batchSize } = options;
  const projection = optionalDoc(command, 'projection');
  let docs = readView(
    context,
    view,
    stagesFor(optionalDoc(command, 'filter'), optionalDoc(command, 'sort'), skip, limit),
  );
  if (projection && Object.keys(projection).length > 0) {
    docs = docs.map((doc) => projectDocument(doc, projection));
  }
  const singleBatch = command.singleBatch === true || limit < 0;
  return context.cursors.create(namespace(context, name), docs, {
    batchSize: batchSize ?? (limit !== 0 ? Math.abs(limit) : undefined),
    singleBatch,
    noTimeout: command.noCursorTimeout === true,
  });
}

/** `count` on a view (estimatedDocumentCount too): counts what the view's pipeline yields. */
export function countOnView(context: CommandContext, view: ResolvedView, command: Doc): Doc {
  const skip = Math.max(0, optionalNumber(command, 'skip') ?? 0);
  const limit = Math.abs(optionalNumber(command, 'limit') ?? 0);
  const docs = readView(
    context,
    view,
    stagesFor(optionalDoc(command, 'query'), undefined, skip, limit),
  );
  return { n: docs.length, ok: 1 };
}

/** `distinct` on a view: array values count element by element, as on a collection. */
export function distinctOnView(context: CommandContext, view: ResolvedView, command: Doc): Doc {
  const key = command.key;
  if (typeof key !== 'string') {
    throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' must be a string");
  }
  const seen = new Map<string, unknown>();
  for (const doc of readView(
    context,
    view,
    stagesFor(optionalDoc(command, 'query'), undefined, 0, 0),
  )) {
    for (const value of collectPathValues(doc, key)) {
      if (Array.isArray(value) && value.length === 0) continue;
      const id = canonicalKey(value);
      if (!seen.has(id)) seen.set(id, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
}
