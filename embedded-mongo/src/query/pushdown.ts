import type { Collection } from '../storage/collection';
import type { Collation } from './collation';
import type { Doc } from './documents';
import { isPlainObject } from './documents';
import type { FindExecution } from './find';
import { executeFind } from './find';

/** The start of a pipeline answered as a find, and where the rest begins. */
export interface PushedDown {
  /** The find the leading stages amount to (what explain reports as the `$cursor` stage). */
  find: { filter: Doc; sort?: Doc; skip: number; limit: number };
  execution: FindExecution;
  /** Index of the first stage left to run. */
  next: number;
}

/**
 * Answers a pipeline's leading `$match`, `$sort` and `$skip`/`$limit` stages (in that order,
 * each optional) as one find, as mongod pushes them into its query layer: the planner then
 * uses an index for the filter and the sort, and stops after skip+limit documents when the
 * index order is the sort. `$limit: 0` and odd arguments are left to the pipeline, which
 * reports mongod's errors for them.
 */
export function pushDownPipeline(
  coll: Collection | undefined,
  stages: Doc[],
  collation?: Collation,
): PushedDown {
  let next = 0;
  let filter: Doc = {};
  let sort: Doc | undefined;
  if (isPlainObject(stages[0]?.$match)) {
    filter = stages[0].$match;
    next = 1;
  }
  if (isPlainObject(stages[next]?.$sort)) {
    sort = stages[next].$sort as Doc;
    next += 1;
  }
  let skip = 0;
  let limit: number | undefined;
  for (; next < stages.length; next += 1) {
    const stage = stages[next];
    if (isCount(stage.$skip)) {
      skip += stage.$skip;
      if (limit !== undefined) limit = Math.max(0, limit - stage.$skip);
    } else if (isCount(stage.$limit) && stage.$limit > 0) {
      limit = limit === undefined ? stage.$limit : Math.min(limit, stage.$limit);
    } else {
      break;
    }
  }
  // `$skip: 5, $limit: 3, $skip: 9`: nothing is left, which a find with limit 0 cannot say.
  if (limit === 0) {
    const execution = executeFind(coll, { filter, sort, skip: 0, limit: 1, collation });
    return { find: { filter, sort, skip, limit }, execution: { ...execution, docs: [] }, next };
  }
  const execution = executeFind(coll, { filter, sort, skip, limit: limit ?? 0, collation });
  return { find: { filter, sort, skip, limit: limit ?? 0 }, execution, next };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
