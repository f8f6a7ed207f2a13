import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import type { Collation } from './collation';
import type { Doc } from './documents';
import { collectPathValues, isPlainObject } from './documents';

/** MongoDB's cross-type order: MinKey < null < numbers < strings < objects < arrays < ... < MaxKey. */
export function typeRank(value: unknown): number {
  if (value instanceof MinKey) return 0;
  if (value === undefined || value === null) return 1;
  if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    value instanceof Long ||
    value instanceof Decimal128 ||
    value instanceof Int32 ||
    value instanceof Double
  ) {
    return 2;
  }
  if (typeof value === 'string') return 3;
  if (isPlainObject(value)) return 4;
  if (Array.isArray(value)) return 5;
  if (value instanceof Binary) return 6;
  if (value instanceof ObjectId) return 7;
  if (typeof value === 'boolean') return 8;
  if (value instanceof Date) return 9;
  if (value instanceof Timestamp) return 10;
  if (value instanceof RegExp) return 11;
  if (value instanceof MaxKey) return 13;
  return 12;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  return Number.NaN;
}

function compareScalars<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** bson 7 keeps an ObjectId as four 24-bit numbers; its `id` getter builds a new buffer. */
interface ObjectIdWords {
  i0?: unknown;
  i1: number;
  i2: number;
  i3: number;
}

/**
 * Byte order of two ObjectIds, read from bson's internal words when present (index and sort
 * comparisons are hot: `id` allocates two buffers per call), otherwise from their bytes.
 */
export function compareObjectIds(a: ObjectId, b: ObjectId): number {
  const x = a as unknown as ObjectIdWords;
  const y = b as unknown as ObjectIdWords;
  if (typeof x.i0 === 'number' && typeof y.i0 === 'number') {
    return x.i0 - y.i0 || x.i1 - y.i1 || x.i2 - y.i2 || x.i3 - y.i3;
  }
  return Buffer.compare(a.id, b.id);
}

/**
 * Compares two BSON values the way MongoDB sorts them: strings by `collation` when one is
 * given (inside arrays and sub-documents too; field names never), otherwise by code unit.
 * Written here because mingo's general comparator dominated the cost of every sorted query.
 */
export function compareValues(a: unknown, b: unknown, collation?: Collation): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  switch (rankA) {
    case 2: {
      const x = toNumber(a);
      const y = toNumber(b);
      if (Number.isNaN(x) || Number.isNaN(y))
        return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return compareScalars(x, y);
    }
    case 3:
      return collation
        ? collation.compareStrings(a as string, b as string)
        : compareScalars(a as string, b as string);
    case 4: {
      const x = a as Doc;
      const y = b as Doc;
      const keysX = Object.keys(x);
      const keysY = Object.keys(y);
      for (let i = 0; i < Math.min(keysX.length, keysY.length); i += 1) {
        const byType = typeRank(x[keysX[i]]) - typeRank(y[keysY[i]]);
        if (byType !== 0) return byType;
        const byName = compareScalars(keysX[i], keysY[i]);
        if (byName !== 0) return byName;
        const byValue = compareValues(x[keysX[i]], y[keysY[i]], collation);
        if (byValue !== 0) return byValue;
      }
      return keysX.length - keysY.length;
    }
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
        const byValue = compareValues(x[i], y[i], collation);
        if (byValue !== 0) return byValue;
      }
      return x.length - y.length;
    }
    case 6: {
      const x = a as Binary;
      const y = b as Binary;
      if (x.length() !== y.length()) return x.length() - y.length();
      if (x.sub_type !== y.sub_type) return x.sub_type - y.sub_type;
      return Buffer.compare(Buffer.from(x.buffer), Buffer.from(y.buffer));
    }
    case 7:
      return compareObjectIds(a as ObjectId, b as ObjectId);
    case 8:
      return Number(a) - Number(b);
    case 9:
      return compareScalars((a as Date).getTime(), (b as Date).getTime());
    case 10:
      return (a as Timestamp).compare(b as Timestamp);
    case 11:
      return compareScalars(String(a), String(b));
    default:
      return 0;
  }
}

/** The value a document sorts by on one field: arrays sort by their smallest (or largest) element. */
function sortKey(doc: Doc, path: string, direction: 1 | -1, collation?: Collation): unknown {
  // Fast path: a top-level scalar field (the common case) needs no path walking.
  const direct = path.includes('.') ? undefined : doc[path];
  if (direct !== undefined && !Array.isArray(direct)) return direct;
  const values = collectPathValues(doc, path).filter(
    (value) => !(Array.isArray(value) && value.length === 0),
  );
  if (values.length === 0) return null;
  let best = values[0];
  for (let i = 1; i < values.length; i += 1) {
    const order = compareValues(values[i], best, collation);
    if ((direction === 1 && order < 0) || (direction === -1 && order > 0)) best = values[i];
  }
  return best;
}

/** Sorts documents by a `{ field: 1 | -1 }` spec (strings by `collation`); ties keep their natural order. */
export function sortDocuments(
  docs: Doc[],
  spec: Record<string, 1 | -1>,
  collation?: Collation,
): Doc[] {
  const fields = Object.entries(spec);
  const keyed = docs.map((doc, index) => ({
    doc,
    index,
    keys: fields.map(([path, direction]) => sortKey(doc, path, direction, collation)),
  }));
  keyed.sort((x, y) => {
    for (let i = 0; i < fields.length; i += 1) {
      const order = compareValues(x.keys[i], y.keys[i], collation);
      if (order !== 0) return fields[i][1] === 1 ? order : -order;
    }
    return x.index - y.index;
  });
  return keyed.map((entry) => entry.doc);
}
