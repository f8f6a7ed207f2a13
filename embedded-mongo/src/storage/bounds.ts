import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import type { Collation } from '../query/collation';
import type { Doc } from '../query/documents';
import { isOperatorObject, isPlainObject } from '../query/documents';
import { compareValues, typeRank } from '../query/sort';

/**
 * The start (`after: false`) or the end (`after: true`) of one BSON type's values in MongoDB's
 * order: range predicates are type-bracketed (`$gt: 5` only matches numbers), so their open
 * side stops at the edge of the operand's type. Rank -1 and 99 stand for MinKey and MaxKey.
 */
export class TypeEdge {
  constructor(
    readonly rank: number,
    readonly after: boolean,
  ) {}
}

export const MIN_EDGE = new TypeEdge(-1, false);
export const MAX_EDGE = new TypeEdge(99, true);

/** Compares two bound values (BSON values or type edges) in ascending order. */
export function compareBound(a: unknown, b: unknown, collation?: Collation): number {
  const edgeA = a instanceof TypeEdge;
  const edgeB = b instanceof TypeEdge;
  if (!edgeA && !edgeB) return compareValues(a, b, collation);
  const rankA = edgeA ? a.rank : typeRank(a);
  const rankB = edgeB ? b.rank : typeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (edgeA && edgeB) return Number(a.after) - Number(b.after);
  if (edgeA) return a.after ? 1 : -1;
  return (b as TypeEdge).after ? -1 : 1;
}

/** A range of one field's values, ascending: `[low, high]` with each end open or closed. */
export interface Interval {
  low: unknown;
  lowInclusive: boolean;
  high: unknown;
  highInclusive: boolean;
}

export const FULL_INTERVAL: Interval = {
  low: MIN_EDGE,
  lowInclusive: true,
  high: MAX_EDGE,
  highInclusive: true,
};

function point(value: unknown): Interval {
  return { low: value, lowInclusive: true, high: value, highInclusive: true };
}

/** A single value (equality), as opposed to a range. */
export function isPoint(interval: Interval, collation?: Collation): boolean {
  return (
    !(interval.low instanceof TypeEdge) &&
    interval.lowInclusive &&
    interval.highInclusive &&
    compareBound(interval.low, interval.high, collation) === 0
  );
}

function isEmpty(interval: Interval, collation?: Collation): boolean {
  const order = compareBound(interval.low, interval.high, collation);
  return order > 0 || (order === 0 && !(interval.lowInclusive && interval.highInclusive));
}

function byLow(collation?: Collation): (a: Interval, b: Interval) => number {
  return (a, b) => {
    const order = compareBound(a.low, b.low, collation);
    return order !== 0 ? order : Number(b.lowInclusive) - Number(a.lowInclusive);
  };
}

/** Sorted, non-overlapping intervals covering what any of `intervals` covers. */
export function unionIntervals(intervals: Interval[], collation?: Collation): Interval[] {
  const sorted = intervals.filter((i) => !isEmpty(i, collation)).sort(byLow(collation));
  const out: Interval[] = [];
  for (const next of sorted) {
    const last = out[out.length - 1];
    if (last) {
      const gap = compareBound(next.low, last.high, collation);
      if (gap < 0 || (gap === 0 && (last.highInclusive || next.lowInclusive))) {
        const end = compareBound(next.high, last.high, collation);
        if (end > 0 || (end === 0 && next.highInclusive)) {
          out[out.length - 1] = { ...last, high: next.high, highInclusive: next.highInclusive };
        }
        continue;
      }
    }
    out.push(next);
  }
  return out;
}

/**
 * Sorted intervals covering what both lists cover. Both lists must be sorted and disjoint (as
 * {@link unionIntervals} leaves them): one sweep pairs them up, so two `$in` lists of 20,000
 * values on the same field cost 40,000 steps, not 400 million.
 */
export function intersectIntervals(
  a: Interval[],
  b: Interval[],
  collation?: Collation,
): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    const lowOrder = compareBound(x.low, y.low, collation);
    const highOrder = compareBound(x.high, y.high, collation);
    const low = lowOrder > 0 ? x : lowOrder < 0 ? y : x.lowInclusive ? y : x;
    const high = highOrder < 0 ? x : highOrder > 0 ? y : x.highInclusive ? y : x;
    const both: Interval = {
      low: low.low,
      lowInclusive: low.lowInclusive,
      high: high.high,
      highInclusive: high.highInclusive,
    };
    if (!isEmpty(both, collation)) out.push(both);
    // The interval that ends first meets nothing further on in the other list: every later
    // interval there starts at or after the current one's end (disjoint, and touching ends
    // would have been merged).
    if (high === x) i += 1;
    else j += 1;
  }
  return unionIntervals(out, collation);
}

/**
 * Whether `value` (one index key field) lies in one of `intervals`. With `inexact` (see
 * Index.inexactNumbers) an open end on a number counts as closed: such numbers compare through
 * their nearest double, and the filter, applied to every document fetched, drops the equal ones.
 */
export function inIntervals(
  value: unknown,
  intervals: Interval[],
  collation: Collation | undefined,
  inexact: boolean,
): boolean {
  const closed = inexact && isNumber(value);
  // The intervals are sorted and disjoint: only the last one starting at or before `value`
  // (and, for an open start equal to it, the one before) can hold it.
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareBound(intervals[mid].low, value, collation) <= 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= Math.max(0, lo - 2); i -= 1) {
    const interval = intervals[i];
    const low = compareBound(value, interval.low, collation);
    if (low < 0 || (low === 0 && !interval.lowInclusive && !closed)) continue;
    const high = compareBound(value, interval.high, collation);
    if (high > 0 || (high === 0 && !interval.highInclusive && !closed)) continue;
    return true;
  }
  return false;
}

/** int32, int64, double and Decimal128 values (one BSON type bracket). */
export function isNumber(value: unknown): boolean {
  return (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    value instanceof Long ||
    value instanceof Decimal128 ||
    value instanceof Int32 ||
    value instanceof Double
  );
}

/**
 * What a filter says about each field, kept per conjunct so each index can combine them by
 * its own rules: intersected for a field holding scalars, only one of them for a multikey
 * field (`{ tags: { $gt: 'm', $lt: 'n' } }` matches `['a', 'z']` through two different
 * elements). `$or` branches are kept as they are; a field every branch bounds is bounded by
 * the union of the branches' intervals.
 */
export interface Conjunction {
  fields: Map<string, Interval[][]>;
  ors: Conjunction[][];
}

/** What can be read from `filter` for index bounds (a superset: the filter still decides). */
export function analyzeFilter(filter: Doc): Conjunction {
  const conj: Conjunction = { fields: new Map(), ors: [] };
  addFilter(conj, filter);
  return conj;
}

function addFilter(conj: Conjunction, filter: Doc): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const item of value) if (isPlainObject(item)) addFilter(conj, item);
    } else if (key === '$or' && Array.isArray(value) && value.length > 0) {
      if (!value.every(isPlainObject)) continue;
      conj.ors.push(value.map((branch) => analyzeFilter(branch as Doc)));
    } else if (!key.startsWith('$')) {
      const lists = predicateIntervals(value);
      if (lists.length === 0) continue;
      const existing = conj.fields.get(key);
      if (existing) existing.push(...lists);
      else conj.fields.set(key, lists);
    }
  }
}

/**
 * The intervals one field predicate confines the field's index keys to, one list per
 * conjunct; nothing for predicates an index cannot narrow (`$ne`, `$exists`, `$elemMatch`,
 * null, arrays and sub-documents, whose matching rules are wider than key comparison).
 */
function predicateIntervals(predicate: unknown): Interval[][] {
  if (predicate instanceof RegExp) {
    const intervals = regexIntervals(predicate.source, predicate.flags);
    return intervals ? [intervals] : [];
  }
  if (!isOperatorObject(predicate)) return pointable(predicate) ? [[point(predicate)]] : [];
  const out: Interval[][] = [];
  for (const [operator, operand] of Object.entries(predicate)) {
    switch (operator) {
      case '$eq':
        if (pointable(operand)) out.push([point(operand)]);
        break;
      case '$in':
        if (Array.isArray(operand) && operand.every(pointable)) out.push(operand.map(point));
        break;
      case '$all': {
        // Every element must be there, so any one of them bounds the keys.
        const first = Array.isArray(operand) ? operand[0] : undefined;
        if (pointable(first)) out.push([point(first)]);
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (rangeable(operand)) out.push([rangeInterval(operator, operand)]);
        break;
      case '$regex': {
        const options = typeof predicate.$options === 'string' ? predicate.$options : undefined;
        const intervals =
          operand instanceof RegExp
            ? regexIntervals(operand.source, options ?? operand.flags)
            : typeof operand === 'string'
              ? regexIntervals(operand, options ?? '')
              : undefined;
        if (intervals) out.push(intervals);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Scalars whose equality is key equality. */
function pointable(value: unknown): boolean {
  return (
    value !== null &&
    value !== undefined &&
    !Array.isArray(value) &&
    !(value instanceof RegExp) &&
    !isPlainObject(value)
  );
}

/** Operands whose range an index can bound (type-bracketed to the operand's type). */
function rangeable(value: unknown): boolean {
  if (isNumber(value)) return !Number.isNaN(Number(numberOf(value)));
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value instanceof Date ||
    value instanceof ObjectId ||
    value instanceof Timestamp ||
    value instanceof Binary
  );
}

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return Number(value);
}

function rangeInterval(operator: string, operand: unknown): Interval {
  const rank = typeRank(operand);
  if (operator === '$gt' || operator === '$gte') {
    return {
      low: operand,
      lowInclusive: operator === '$gte',
      high: new TypeEdge(rank, true),
      highInclusive: rank !== 3,
    };
  }
  return {
    low: new TypeEdge(rank, false),
    lowInclusive: true,
    high: operand,
    highInclusive: operator === '$lte',
  };
}

/** Every string: `["", {})`. */
const FULL_STRINGS: Interval = {
  low: new TypeEdge(3, false),
  lowInclusive: true,
  high: new TypeEdge(3, true),
  highInclusive: false,
};

/**
 * A regex's bounds on an index with a collation: every string (and the regex itself), as
 * mongod scans. Strings sharing a binary prefix are not contiguous in collation order
 * (`a10` sorts after `a2` with numericOrdering, `ch` after `h` in Czech, `a-` is ignorable
 * punctuation with alternate: shifted), so the prefix range would miss matches.
 */
const COLLATED_REGEX = new WeakMap<Interval[], Interval[]>();

/**
 * `/^abc/` matches strings starting with `abc`: `["abc", "abd")`, plus the regex itself (a
 * stored regex equal to the pattern matches too). Case-insensitive, multi-line and extended
 * patterns, alternations and anything without a literal anchored prefix are not bounded.
 */
function regexIntervals(source: string, flags: string): Interval[] | undefined {
  if (/[imx]/.test(flags) || !source.startsWith('^') || source.includes('|')) return undefined;
  let prefix = '';
  for (let i = 1; i < source.length; i += 1) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1];
      if (next !== undefined && /[^A-Za-z0-9]/.test(next) && next.charCodeAt(0) < 128) {
        prefix += next;
        i += 1;
        continue;
      }
      break;
    }
    if (ch.charCodeAt(0) >= 128) break;
    if ('.[]()*+?{}^$'.includes(ch)) {
      // A quantifier that allows zero repetitions makes the previous character optional.
      if (ch === '*' || ch === '?' || ch === '{') prefix = prefix.slice(0, -1);
      break;
    }
    prefix += ch;
  }
  const strings: Interval = {
    low: prefix === '' ? new TypeEdge(3, false) : prefix,
    lowInclusive: true,
    high: successor(prefix) ?? new TypeEdge(3, true),
    highInclusive: false,
  };
  const self = new RegExp(source, flags.replace(/[^gimsuy]/g, ''));
  const intervals = [strings, point(self)];
  COLLATED_REGEX.set(intervals, [{ ...FULL_STRINGS }, point(self)]);
  return intervals;
}

/** The first string after every string that starts with `prefix`, if there is one. */
function successor(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xffff) end -= 1;
  if (end === 0) return undefined;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}

/** Whether an interval involves strings (which an index may compare under another collation). */
function mentionsStrings(interval: Interval): boolean {
  const isString = (value: unknown): boolean =>
    typeof value === 'string' || (value instanceof TypeEdge && value.rank === 3);
  return isString(interval.low) || isString(interval.high);
}

/** How {@link fieldIntervals} reads a conjunction for one index field. */
export interface FieldRules {
  /** The index holds several keys per document on this field (an array was indexed). */
  multikey: boolean;
  /** The index compares strings under the query's collation (otherwise strings are unbounded). */
  stringsComparable: boolean;
  /** The index's collation (undefined: simple, binary order). */
  collation?: Collation;
}

/**
 * The intervals a conjunction confines `field` to, or undefined when it does not (the index
 * then scans the field's whole range).
 */
export function fieldIntervals(
  conj: Conjunction,
  field: string,
  rules: FieldRules,
): Interval[] | undefined {
  const lists: Interval[][] = [];
  for (const given of conj.fields.get(field) ?? []) {
    const list = rules.collation ? (COLLATED_REGEX.get(given) ?? given) : given;
    if (rules.stringsComparable || !list.some(mentionsStrings)) lists.push(list);
  }
  for (const branches of conj.ors) {
    const union: Interval[] = [];
    let bounded = true;
    for (const branch of branches) {
      const intervals = fieldIntervals(branch, field, rules);
      if (!intervals) {
        bounded = false;
        break;
      }
      union.push(...intervals);
    }
    if (bounded) lists.push(union);
  }
  if (lists.length === 0) return undefined;
  if (rules.multikey) {
    // Predicates may hold through different elements: keep one, preferring equality.
    const chosen = lists.find((list) => list.every((i) => isPoint(i, rules.collation))) ?? lists[0];
    return unionIntervals(chosen, rules.collation);
  }
  return lists
    .map((list) => unionIntervals(list, rules.collation))
    .reduce((a, b) => intersectIntervals(a, b, rules.collation));
}

/** mongod's text for a bound value in `indexBounds`: `"abc"`, `5`, `inf.0`, `MinKey`. */
export function formatBound(value: unknown): string {
  if (value instanceof TypeEdge) return formatEdge(value);
  if (value instanceof MinKey) return 'MinKey';
  if (value instanceof MaxKey) return 'MaxKey';
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (isNumber(value)) {
    const n = numberOf(value);
    if (Number.isNaN(n)) return 'nan.0';
    if (!Number.isFinite(n)) return n > 0 ? 'inf.0' : '-inf.0';
    return String(n);
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value instanceof RegExp) return String(value);
  if (value instanceof Timestamp) return `Timestamp(${value.high}, ${value.low})`;
  if (value instanceof Binary) return `BinData(${value.sub_type}, ${value.toString('hex')})`;
  return String(value);
}

function formatEdge(edge: TypeEdge): string {
  switch (edge.rank) {
    case 2:
      return edge.after ? 'inf.0' : '-inf.0';
    case 3:
      return edge.after ? '{}' : '""';
    case 7:
      return `ObjectId('${(edge.after ? 'f' : '0').repeat(24)}')`;
    case 8:
      return edge.after ? 'true' : 'false';
    case 9:
      return `new Date(${edge.after ? '9223372036854775807' : '-9223372036854775808'})`;
    default:
      return edge.after ? 'MaxKey' : 'MinKey';
  }
}

/** One interval as mongod prints it, `reversed` for a descending scan of that field. */
export function formatInterval(interval: Interval, reversed: boolean): string {
  const low = formatBound(interval.low);
  const high = formatBound(interval.high);
  if (!reversed) {
    return `${interval.lowInclusive ? '[' : '('}${low}, ${high}${interval.highInclusive ? ']' : ')'}`;
  }
  return `${interval.highInclusive ? '[' : '('}${high}, ${low}${interval.lowInclusive ? ']' : ')'}`;
}
