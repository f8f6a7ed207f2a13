import type { Collection } from '../storage/collection';
import type { ExecutionStats, QueryPlan } from '../storage/planner';
import { EOF_PLAN } from '../storage/planner';
import type { Collation } from './collation';
import type { Doc } from './documents';
import { isPlainObject } from './documents';
import { compileFilter, protoSafeCopies, protoSafeProjection } from './filter';
import { MINGO_OPTIONS, compileQuery } from './mingo-options';
import { sortDocuments } from './sort';

export interface FindOptions {
  filter?: Doc;
  sort?: Doc;
  projection?: Doc;
  skip?: number;
  /** 0 means no limit. */
  limit?: number;
  /** String comparisons of the filter and sort; none means binary (`simple`). */
  collation?: Collation;
}

/** What a find did, for `explain`: the plan, its counts and whether it sorted in memory. */
export interface FindExecution {
  docs: Doc[];
  plan: QueryPlan;
  stats: ExecutionStats;
  /** The sort ran in memory (no index served it). */
  sortedInMemory: boolean;
}

/**
 * The shared read path: the collection's planner picks an index (or a scan) for the filter
 * and sort and stops after skip+limit matches when the index order is the sort; otherwise
 * the matches are sorted here. Then skip, limit and projection. Returned documents may be
 * the stored objects themselves, so nothing here may modify them (updates replace them).
 */
export function findDocuments(coll: Collection | undefined, options: FindOptions): Doc[] {
  return executeFind(coll, options).docs;
}

/** {@link findDocuments} with the plan and counts `explain` reports. */
export function executeFind(coll: Collection | undefined, options: FindOptions): FindExecution {
  const filter = options.filter ?? {};
  if (!coll) {
    // mongod parses the filter before it looks for the collection: a bad one fails either way.
    compileFilter(filter, options.collation);
    return {
      docs: [],
      plan: EOF_PLAN,
      stats: { keysExamined: 0, docsExamined: 0 },
      sortedInMemory: false,
    };
  }
  const skip = Math.max(0, options.skip ?? 0);
  const limit = Math.abs(options.limit ?? 0);
  const spec = options.sort ? sortSpec(options.sort) : {};
  const sort = Object.keys(spec).length > 0 ? spec : undefined;
  const collation = options.collation;
  const result = coll.query({ filter, sort, skip, limit, collation });
  let docs = result.docs;
  const sortedInMemory = sort !== undefined && !result.sorted;
  if (sort && sortedInMemory) docs = sortDocuments(docs, sort, collation);
  if (skip > 0 || limit > 0) docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
  const projection = options.projection;
  if (projection && Object.keys(projection).length > 0) {
    docs = project(docs, projection);
  }
  return { docs, plan: result.plan, stats: result.stats, sortedInMemory };
}

/**
 * A collated filter scans: the `_id` map and the indexes hold binary keys (or another
 * collation's), so their equality lookups could miss documents equal under `collation`.
 */
export function matchCollated(
  coll: Collection,
  filter: Doc,
  collation: Collation,
  limit = 0,
): Doc[] {
  const empty = Object.keys(filter).length === 0;
  const test = empty ? undefined : compileFilter(filter, collation);
  const out: Doc[] = [];
  for (const doc of coll.docs.values()) {
    if (test && !test(doc)) continue;
    out.push(doc);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

/**
 * mingo applies exclusions of nested paths (`{ 'a.secret': 0 }`) by deleting from the objects
 * it is given, so it projects copies: handing it stored documents would change the data.
 */
function project(docs: Doc[], rawProjection: Doc): Doc[] {
  const { copies, restore } = protoSafeCopies(docs);
  const projection = protoSafeProjection(rawProjection);
  const split = splitSlices(projection);
  if (!split) return restore(projectAll(copies, projection));
  const kept =
    Object.keys(split.exclusion).length > 0 ? projectAll(copies, split.exclusion) : copies;
  for (const doc of kept) {
    for (const [path, slice] of split.slices) slicePath(doc, path.split('.'), slice);
  }
  return restore(kept);
}

/** mingo's `find(docs, {}, projection)`, through the context compileQuery shares. */
function projectAll(docs: Doc[], projection: Doc): Doc[] {
  return compileQuery({}, MINGO_OPTIONS).find(docs, projection).all() as Doc[];
}

/** `$slice: n` (first n, or last -n) or `$slice: [skip, limit]` (skip < 0 counts from the end). */
type SliceSpec = number | [number, number];

/**
 * mongod treats `$slice` as part of an exclusion projection: `{ comments: { $slice: 2 } }`
 * and `{ comments: { $slice: 2 }, secret: 0 }` keep every other field. mingo refuses the
 * second (mixing inclusion and exclusion) and reads the first as an inclusion, so those
 * projections are split: mingo applies the exclusions, then the slices are cut here on the
 * copies. Projections with inclusions, odd `$slice` arguments or overlapping paths are left
 * to mingo as before.
 */
function splitSlices(
  projection: Doc,
): { exclusion: Doc; slices: Array<[string, SliceSpec]> } | undefined {
  const exclusion: Doc = {};
  const slices: Array<[string, SliceSpec]> = [];
  for (const [path, value] of Object.entries(projection)) {
    if (isPlainObject(value) && Object.keys(value).join() === '$slice') {
      const spec = value.$slice;
      const valid =
        Number.isInteger(spec) ||
        (Array.isArray(spec) &&
          spec.length === 2 &&
          Number.isInteger(spec[0]) &&
          Number.isInteger(spec[1]) &&
          (spec[1] as number) > 0);
      if (!valid) return undefined;
      slices.push([path, spec as SliceSpec]);
    } else if (value === 0 || value === false) {
      exclusion[path] = value;
    } else {
      return undefined;
    }
  }
  if (slices.length === 0) return undefined;
  const overlaps = (a: string, b: string): boolean =>
    a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  const excluded = Object.keys(exclusion);
  if (slices.some(([a]) => excluded.some((b) => overlaps(a, b)))) return undefined;
  return { exclusion, slices };
}

/** Cuts the array at `path` in place (a copy); arrays on the way apply it to each element. */
function slicePath(value: unknown, segments: string[], slice: SliceSpec): void {
  if (Array.isArray(value)) {
    for (const item of value) slicePath(item, segments, slice);
    return;
  }
  if (!isPlainObject(value) || !Object.hasOwn(value, segments[0])) return;
  const [head, ...rest] = segments;
  if (rest.length > 0) {
    slicePath(value[head], rest, slice);
    return;
  }
  const array = value[head];
  if (!Array.isArray(array)) return;
  Object.defineProperty(value, head, {
    value: sliceArray(array, slice),
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function sliceArray(array: unknown[], slice: SliceSpec): unknown[] {
  if (typeof slice === 'number') return slice >= 0 ? array.slice(0, slice) : array.slice(slice);
  const [skip, limit] = slice;
  const start = skip >= 0 ? Math.min(skip, array.length) : Math.max(0, array.length + skip);
  return array.slice(start, start + limit);
}

/** Drops `$meta` sort keys (text scores do not exist here) and keeps 1/-1 directions. */
export function sortSpec(sort: Doc): Record<string, 1 | -1> {
  const out: Record<string, 1 | -1> = {};
  for (const [field, direction] of Object.entries(sort)) {
    if (typeof direction === 'number') out[field] = direction < 0 ? -1 : 1;
  }
  return out;
}

/** Applies a find-style projection to one document. */
export function projectDocument(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection || Object.keys(projection).length === 0) return doc;
  return project([doc], projection)[0] ?? {};
}
