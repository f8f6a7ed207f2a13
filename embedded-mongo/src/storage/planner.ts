import type { Collation } from '../query/collation';
import { sameCollation } from '../query/collation';
import type { Doc } from '../query/documents';
import { isPlainObject } from '../query/documents';
import { compileFilter } from '../query/filter';
import type { Conjunction, Interval } from './bounds';
import {
  analyzeFilter,
  compareBound,
  fieldIntervals,
  inIntervals,
  isNumber,
  isPoint,
} from './bounds';
import { compareValues } from '../query/sort';
import type { Index } from './indexes';
import { canonicalKey } from './keys';
import type { IndexKey, KeyPosition } from './sorted-keys';

/** What a read asks for: the planner picks how to find it. */
export interface QueryShape {
  filter: Doc;
  /** `{ field: 1 | -1 }` ($meta keys already dropped). */
  sort?: Record<string, 1 | -1>;
  skip?: number;
  /** 0 or absent: no limit. */
  limit?: number;
  /** The query's collation (none: binary), which decides whether an index can compare strings. */
  collation?: Collation;
}

/** The part of a collection the planner reads (kept narrow so tests can build one). */
export interface PlannedCollection {
  readonly docs: Map<string, Doc>;
  readonly idIndex: Index;
  readonly indexes: Map<string, Index>;
}

/** A contiguous run of index entries. */
interface Segment {
  from: KeyPosition;
  to: KeyPosition;
}

/** Reading index entries (then the documents they point to) instead of every document. */
export interface IndexScanPlan {
  kind: 'IXSCAN';
  index: Index;
  /** Per index field: the intervals scanned, undefined for the field's whole range. */
  bounds: Array<Interval[] | undefined>;
  /** 1: in index order; -1: reversed. */
  direction: 1 | -1;
  /** The scan yields documents in the query's sort order (no in-memory sort). */
  servesSort: boolean;
  /** Every field is a point: the key combinations, looked up in the hash map (or `_id` map). */
  points?: unknown[][];
  /** One run per combination of the leading point fields, each in index order. */
  runs: Segment[][];
  /**
   * Set when the sort is served by merging the runs (`$in` on a field before the sort fields):
   * the index positions of the sort fields and their sort directions.
   */
  mergeOn?: Array<[number, 1 | -1]>;
  /** With `mergeOn`: each run's values of the leading point fields (for explain). */
  runValues?: unknown[][];
  /** Bounded fields after those the segments are cut by, checked on each key before fetching. */
  keyChecks: Array<[number, Interval[]]>;
  /** How many index keys lie in the bounds (exact; the planner's cost). */
  keys: number;
}

/**
 * A `$or` answered branch by branch (mongod's OR stage): each branch through its own best
 * index, documents reached by several branches returned once.
 */
export interface OrPlan {
  kind: 'OR';
  branches: IndexScanPlan[];
  keys: number;
}

export type QueryPlan = { kind: 'COLLSCAN' } | { kind: 'EOF' } | IndexScanPlan | OrPlan;

/** The counts `explain` reports as `totalKeysExamined` and `totalDocsExamined`. */
export interface ExecutionStats {
  keysExamined: number;
  docsExamined: number;
}

export interface QueryResult {
  /** Matching documents, from the first (skipped ones included), up to skip+limit when sorted. */
  docs: Doc[];
  /** The documents are in the sort's order already (an index served it). */
  sorted: boolean;
  plan: QueryPlan;
  stats: ExecutionStats;
}

/** Point combinations (`$in` × `$in`) beyond this are checked key by key, not enumerated. */
const MAX_SEGMENTS = 1000;

/**
 * Plans and runs one read. Every index that the filter bounds on its first field, or whose
 * order is the requested sort (after an equality prefix), is a candidate; its cost is the
 * exact number of keys in its bounds, counted by two binary searches per range:
 *
 * - without a sort, the index with the fewest keys wins (a scan only when none applies);
 * - with a sort, an index that serves it wins when it has no more keys than the best other
 *   plan, which must fetch and sort all of its matches. Otherwise, with a limit, it is tried
 *   first with a budget of that many fetched documents: walking the sorted index and stopping
 *   after skip+limit matches is usually far cheaper (the catalog's first page), and when the
 *   filter is too selective for that the other plan runs, at most doubling the work.
 *
 * Every document fetched is tested against the whole filter, so bounds only need to be a
 * superset of the matches; documents reached through several keys of a multikey index are
 * returned once.
 */
export function runQuery(coll: PlannedCollection, shape: QueryShape): QueryResult {
  const skip = Math.max(0, shape.skip ?? 0);
  const limit = Math.max(0, shape.limit ?? 0);
  const wanted = limit > 0 ? skip + limit : 0;
  const sortEntries = shape.sort ? Object.entries(shape.sort) : [];
  const test = matcher(shape.filter, shape.collation);
  const plans = candidatePlans(coll, shape, sortEntries);
  const filtering: Array<IndexScanPlan | OrPlan> = plans.filter(
    (plan) => plan.bounds[0] !== undefined,
  );
  const union = orPlan(coll, shape);
  if (union) filtering.push(union);
  if (sortEntries.length === 0) {
    const best = cheapest(filtering);
    return finish(execute(coll, best ?? COLLSCAN, test, wanted), false);
  }
  const serving = cheapest(plans.filter((plan) => plan.servesSort));
  const other = cheapest(filtering.filter((plan) => plan.kind === 'OR' || !plan.servesSort));
  const otherCost = other ? other.keys : coll.docs.size;
  if (serving && serving.keys <= otherCost) {
    return finish(execute(coll, serving, test, wanted), true);
  }
  if (serving && wanted > 0) {
    const trial = execute(coll, serving, test, wanted, otherCost);
    if (trial.completed) return finish(trial, true);
  }
  return finish(execute(coll, other ?? COLLSCAN, test, 0), false);
}

/** The documents a plan for `filter` (no sort) would fetch, without testing them. */
export function planCandidates(coll: PlannedCollection, filter: Doc): Doc[] {
  const plans = candidatePlans(coll, { filter }, []).filter((plan) => plan.bounds[0] !== undefined);
  const best = cheapest(plans);
  if (!best) return [...coll.docs.values()];
  return execute(coll, best, () => true, 0).docs;
}

/** The plan `runQuery` would pick for a missing collection or none. */
export const EOF_PLAN: QueryPlan = { kind: 'EOF' };
const COLLSCAN: QueryPlan = { kind: 'COLLSCAN' };

function finish(run: Execution, sorted: boolean): QueryResult {
  return { docs: run.docs, sorted, plan: run.plan, stats: run.stats };
}

function matcher(filter: Doc, collation: Collation | undefined): (doc: Doc) => boolean {
  return Object.keys(filter).length === 0 ? () => true : compileFilter(filter, collation);
}

function cheapest<P extends { keys: number }>(plans: P[]): P | undefined {
  let best: P | undefined;
  for (const plan of plans) if (!best || plan.keys < best.keys) best = plan;
  return best;
}

/**
 * A union plan for the filter's top-level `$or` when every branch has an index that bounds
 * it (`{ $or: [{ email }, { username }] }`). Each branch is planned on its own: the rest of
 * the filter only narrows it, and is applied to every document fetched.
 */
function orPlan(coll: PlannedCollection, shape: QueryShape): OrPlan | undefined {
  const branches = topLevelOr(shape.filter);
  if (!branches) return undefined;
  const plans: IndexScanPlan[] = [];
  let keys = 0;
  for (const branch of branches) {
    const best = cheapest(
      candidatePlans(coll, { filter: branch, collation: shape.collation }, []).filter(
        (plan) => plan.bounds[0] !== undefined,
      ),
    );
    if (!best) return undefined;
    plans.push(best);
    keys += best.keys;
  }
  return { kind: 'OR', branches: plans, keys };
}

function topLevelOr(filter: Doc): Doc[] | undefined {
  const or = filter.$or;
  if (Array.isArray(or) && or.length > 0 && or.every(isPlainObject)) return or;
  const and = filter.$and;
  if (!Array.isArray(and)) return undefined;
  for (const item of and) {
    if (!isPlainObject(item)) continue;
    const inner = topLevelOr(item);
    if (inner) return inner;
  }
  return undefined;
}

function candidatePlans(
  coll: PlannedCollection,
  shape: QueryShape,
  sortEntries: Array<[string, 1 | -1]>,
): IndexScanPlan[] {
  if (Object.keys(shape.filter).length === 0 && sortEntries.length === 0) return [];
  const conj = analyzeFilter(shape.filter);
  const plans: IndexScanPlan[] = [];
  for (const index of [coll.idIndex, ...coll.indexes.values()]) {
    const plan = planIndex(coll, index, conj, shape.collation, sortEntries);
    if (plan) plans.push(plan);
  }
  return plans;
}

function planIndex(
  coll: PlannedCollection,
  index: Index,
  conj: Conjunction,
  queryCollation: Collation | undefined,
  sortEntries: Array<[string, 1 | -1]>,
): IndexScanPlan | undefined {
  // Partial indexes would need the query to imply their filter; hidden ones are never planned.
  if (!index.isPlainKey || index.isPartial || index.spec.hidden === true) return undefined;
  const collation = index.orderCollation;
  // The index orders strings by its own collation: it can bound or sort strings only for a
  // query under the same one (mongod's rule too).
  const stringsComparable = index.collationKnown && sameCollation(queryCollation, collation);
  const bounds = index.fields.map((field, i) =>
    fieldIntervals(conj, field, { multikey: index.multikey[i], stringsComparable, collation }),
  );
  const filtering = bounds[0] !== undefined;
  const prefix = pointPrefix(index, bounds);
  const order =
    sortEntries.length > 0 && stringsComparable
      ? sortDirection(index, bounds, sortEntries, prefix.length)
      : undefined;
  if (!filtering && order === undefined) return undefined;
  // A sparse index lacks documents without its fields: usable only when the filter requires one.
  if (index.sparse && !filtering) return undefined;
  const plan: IndexScanPlan = {
    kind: 'IXSCAN',
    index,
    bounds,
    direction: order?.direction ?? 1,
    servesSort: order !== undefined,
    runs: [],
    mergeOn: order?.mergeOn,
    keyChecks: [],
    keys: 0,
  };
  cutSegments(coll, plan, prefix);
  return plan;
}

/**
 * Whether scanning `index` within `bounds` yields documents in the sort's order, and in which
 * direction. Index fields bound to a single value are constant and may be skipped; every other
 * sort field must be the next index field, all in the index's directions or all reversed. A
 * multikey field never serves a sort: documents sort by their smallest (or largest) element,
 * which an index scan does not see. Fields bound to several values (`$in`) may be skipped
 * too when they are among the leading point fields (`pointFields`): each combination is then
 * a run in sort order, and the runs are merged (`mergeOn`).
 */
function sortDirection(
  index: Index,
  bounds: Array<Interval[] | undefined>,
  sortEntries: Array<[string, 1 | -1]>,
  pointFields: number,
): { direction: 1 | -1; mergeOn?: Array<[number, 1 | -1]> } | undefined {
  const single = (i: number): boolean => {
    const intervals = bounds[i];
    return (
      intervals !== undefined &&
      intervals.length === 1 &&
      isPoint(intervals[0], index.orderCollation)
    );
  };
  let pos = 0;
  let direction: 1 | -1 | undefined;
  let merge = false;
  const positions: Array<[number, 1 | -1]> = [];
  for (const [field, order] of sortEntries) {
    while (
      pos < index.fields.length &&
      index.fields[pos] !== field &&
      (single(pos) || pos < pointFields)
    ) {
      if (!single(pos)) merge = true;
      pos += 1;
    }
    if (pos < index.fields.length && index.fields[pos] === field) {
      if (index.multikey[pos]) return undefined;
      const wanted: 1 | -1 = order === index.directions[pos] ? 1 : -1;
      if (direction !== undefined && direction !== wanted) return undefined;
      direction = wanted;
      positions.push([pos, order]);
      pos += 1;
      continue;
    }
    const at = index.fields.indexOf(field);
    if (at >= 0 && single(at) && !index.multikey[at]) continue;
    return undefined;
  }
  return { direction: direction ?? 1, mergeOn: merge ? positions : undefined };
}

/**
 * The leading fields bound to points only and their value combinations, in index order
 * (one field's list whatever its size; products of several capped at MAX_SEGMENTS).
 */
function pointPrefix(
  index: Index,
  bounds: Array<Interval[] | undefined>,
): { length: number; combos: unknown[][] } {
  const collation = index.orderCollation;
  let combos: unknown[][] = [[]];
  let p = 0;
  for (; p < index.fields.length; p += 1) {
    const intervals = bounds[p];
    if (!intervals || !intervals.every((interval) => isPoint(interval, collation))) break;
    if (p > 0 && combos.length * intervals.length > MAX_SEGMENTS) break;
    const values = inIndexOrder(index, p, intervals).map((interval) => interval.low);
    combos = combos.flatMap((combo) => values.map((value) => [...combo, value]));
  }
  return { length: p, combos };
}

function inIndexOrder(index: Index, field: number, intervals: Interval[]): Interval[] {
  return index.directions[field] === 1 ? intervals : [...intervals].reverse();
}

/**
 * Cuts the bounds into contiguous runs of the index: one per combination of the leading
 * point fields (in index order), times the intervals of the next field. Later bounded fields
 * are checked key by key. When every field is a point and the index hashes its keys, the
 * combinations are looked up instead.
 */
function cutSegments(
  coll: PlannedCollection,
  plan: IndexScanPlan,
  prefix: { length: number; combos: unknown[][] },
): void {
  const { index, bounds } = plan;
  const collation = index.orderCollation;
  const fieldCount = index.fields.length;
  const { combos } = prefix;
  const p = prefix.length;
  // The hash map keys strings binary: a collated index is looked up through its order.
  const hashable = index === coll.idIndex || (index.isHashed && !collation);
  if (p === fieldCount && hashable && !plan.mergeOn) {
    plan.points = combos;
    plan.keys = combos.reduce((sum, combo) => sum + lookup(coll, index, combo).length, 0);
    return;
  }
  if (plan.mergeOn) plan.runValues = combos;
  const range = p < fieldCount ? bounds[p] : undefined;
  const useRange =
    range !== undefined && (combos.length === 1 || combos.length * range.length <= MAX_SEGMENTS);
  const cutBy = useRange ? p : p - 1;
  for (let i = cutBy + 1; i < fieldCount; i += 1) {
    const intervals = bounds[i];
    if (intervals) plan.keyChecks.push([i, intervals]);
  }
  const keys = index.ordered;
  const compareTo = (entry: IndexKey, tuple: unknown[]): number => {
    for (let i = 0; i < tuple.length; i += 1) {
      const order = compareBound(entry.values[i], tuple[i], collation);
      if (order !== 0) return index.directions[i] === 1 ? order : -order;
    }
    return 0;
  };
  const addSegment = (
    run: Segment[],
    start: unknown[],
    startInclusive: boolean,
    end: unknown[],
    endInclusive: boolean,
  ): void => {
    const from = keys.seek((entry) => {
      const order = compareTo(entry, start);
      return startInclusive ? order >= 0 : order > 0;
    });
    const to = keys.seek((entry) => {
      const order = compareTo(entry, end);
      return endInclusive ? order > 0 : order >= 0;
    });
    const count = keys.countBetween(from, to);
    if (count === 0) return;
    run.push({ from, to });
    plan.keys += count;
  };
  for (const combo of combos) {
    const run: Segment[] = [];
    plan.runs.push(run);
    if (!useRange) {
      addSegment(run, combo, true, combo, true);
      continue;
    }
    for (const interval of inIndexOrder(index, p, range)) {
      const ascending = index.directions[p] === 1;
      const startValue = ascending ? interval.low : interval.high;
      const endValue = ascending ? interval.high : interval.low;
      // Inexact numbers compare through doubles: open ends are scanned closed then.
      const inexact = index.inexactNumbers;
      const startInclusive =
        (ascending ? interval.lowInclusive : interval.highInclusive) ||
        (inexact && isNumber(startValue));
      const endInclusive =
        (ascending ? interval.highInclusive : interval.lowInclusive) ||
        (inexact && isNumber(endValue));
      addSegment(run, [...combo, startValue], startInclusive, [...combo, endValue], endInclusive);
    }
  }
}

function lookup(coll: PlannedCollection, index: Index, values: unknown[]): string[] {
  if (index === coll.idIndex) {
    const idKey = canonicalKey(values[0]);
    return coll.docs.has(idKey) ? [idKey] : [];
  }
  const ids = index.lookup(values);
  return ids ? [...ids] : [];
}

interface Execution {
  docs: Doc[];
  plan: QueryPlan;
  stats: ExecutionStats;
  /** False when the budget ran out before the plan finished. */
  completed: boolean;
}

/**
 * Runs a plan: fetches candidates in plan order, keeps those `test` accepts, stops after
 * `wanted` matches (0: all) or, with a `budget`, gives up after fetching that many documents.
 */
function execute(
  coll: PlannedCollection,
  plan: QueryPlan,
  test: (doc: Doc) => boolean,
  wanted: number,
  budget = Number.POSITIVE_INFINITY,
): Execution {
  const stats: ExecutionStats = { keysExamined: 0, docsExamined: 0 };
  const docs: Doc[] = [];
  const ids =
    plan.kind === 'IXSCAN'
      ? scanIds(coll, plan, stats)
      : plan.kind === 'OR'
        ? unionIds(coll, plan, stats)
        : undefined;
  const source: Iterable<Doc> = ids ? fetch(coll, ids) : coll.docs.values();
  for (const doc of source) {
    if (stats.docsExamined >= budget) return { docs, plan, stats, completed: false };
    stats.docsExamined += 1;
    if (!test(doc)) continue;
    docs.push(doc);
    if (wanted > 0 && docs.length >= wanted) break;
  }
  return { docs, plan, stats, completed: true };
}

function* fetch(coll: PlannedCollection, ids: Iterable<string>): Generator<Doc> {
  for (const idKey of ids) {
    const doc = coll.docs.get(idKey);
    if (doc) yield doc;
  }
}

/** The ids an index plan reaches, in scan order, each once. */
function* scanIds(
  coll: PlannedCollection,
  plan: IndexScanPlan,
  stats: ExecutionStats,
): Generator<string> {
  const { index } = plan;
  const seen = index.isMultikey ? new Set<string>() : undefined;
  if (plan.points) {
    const combos = plan.direction === 1 ? plan.points : [...plan.points].reverse();
    for (const combo of combos) {
      for (const idKey of lookup(coll, index, combo)) {
        stats.keysExamined += 1;
        if (seen) {
          if (seen.has(idKey)) continue;
          seen.add(idKey);
        }
        yield idKey;
      }
    }
    return;
  }
  const backward = plan.direction === -1;
  const runs = (backward ? [...plan.runs].reverse() : plan.runs).map((run) =>
    runEntries(plan, backward ? [...run].reverse() : run, backward, stats),
  );
  const entries = plan.mergeOn ? mergeRuns(runs, plan.mergeOn, index) : concat(runs);
  for (const entry of entries) {
    if (seen) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
    }
    yield entry.id;
  }
}

/** The ids every branch of an OR plan reaches, each once. */
function* unionIds(
  coll: PlannedCollection,
  plan: OrPlan,
  stats: ExecutionStats,
): Generator<string> {
  const seen = new Set<string>();
  for (const branch of plan.branches) {
    for (const idKey of scanIds(coll, branch, stats)) {
      if (seen.has(idKey)) continue;
      seen.add(idKey);
      yield idKey;
    }
  }
}

/** One run's entries in scan order, those outside the later fields' bounds skipped. */
function* runEntries(
  plan: IndexScanPlan,
  segments: Segment[],
  backward: boolean,
  stats: ExecutionStats,
): Generator<IndexKey> {
  const { index, keyChecks } = plan;
  const collation = index.orderCollation;
  for (const segment of segments) {
    for (const entry of index.ordered.range(segment.from, segment.to, backward)) {
      stats.keysExamined += 1;
      let inBounds = true;
      for (const [field, intervals] of keyChecks) {
        if (!inIntervals(entry.values[field], intervals, collation, index.inexactNumbers)) {
          inBounds = false;
          break;
        }
      }
      if (inBounds) yield entry;
    }
  }
}

function* concat(runs: Array<Iterator<IndexKey>>): Generator<IndexKey> {
  for (const run of runs) {
    for (let next = run.next(); !next.done; next = run.next()) yield next.value;
  }
}

/**
 * Merges runs that are each in sort order into one (mongod's SORT_MERGE): a binary heap of
 * the runs' current entries, compared on the sort fields, then by record id.
 */
function* mergeRuns(
  runs: Array<Iterator<IndexKey>>,
  on: Array<[number, 1 | -1]>,
  index: Index,
): Generator<IndexKey> {
  const collation = index.orderCollation;
  const before = (a: IndexKey, b: IndexKey): boolean => {
    for (const [field, order] of on) {
      const c = compareValues(a.values[field], b.values[field], collation);
      if (c !== 0) return order === 1 ? c < 0 : c > 0;
    }
    return a.id < b.id;
  };
  const heap: Array<{ entry: IndexKey; run: Iterator<IndexKey> }> = [];
  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i].entry, heap[parent].entry)) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < heap.length && before(heap[left].entry, heap[best].entry)) best = left;
      if (right < heap.length && before(heap[right].entry, heap[best].entry)) best = right;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best], heap[i]];
      i = best;
    }
  };
  for (const run of runs) {
    const first = run.next();
    if (!first.done) {
      heap.push({ entry: first.value, run });
      up(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const top = heap[0];
    yield top.entry;
    const next = top.run.next();
    if (next.done) {
      const last = heap.pop();
      if (heap.length > 0 && last) {
        heap[0] = last;
        down(0);
      }
    } else {
      top.entry = next.value;
      down(0);
    }
  }
}
