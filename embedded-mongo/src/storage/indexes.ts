import { Decimal128, Long, ObjectId } from 'bson';
import { Query } from 'mingo';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { collectPathValues, formatObject, isPlainObject } from '../query/documents';
import { MINGO_OPTIONS } from '../query/mingo-options';
import type { Collation } from '../query/collation';
import { parseCollation } from '../query/collation';
import { compareObjectIds, compareValues } from '../query/sort';
import { canonicalKey } from './keys';
import type { IndexKey } from './sorted-keys';
import { SortedKeys } from './sorted-keys';

/** An index as `listIndexes` reports it and as the journal stores it. */
export interface IndexSpec {
  v: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Doc;
  [option: string]: unknown;
}

interface IndexEntry {
  key: string;
  values: unknown[];
}

/** MongoDB's default index name: `email_1`, `userId_1_movieId_1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}

/** Options whose difference makes two specs with the same key "different indexes". */
const COMPARED_OPTIONS = [
  'unique',
  'sparse',
  'expireAfterSeconds',
  'partialFilterExpression',
  'collation',
];

export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  return COMPARED_OPTIONS.every(
    (option) => canonicalKey(a[option] ?? null) === canonicalKey(b[option] ?? null),
  );
}

/** How an index is kept: secondary indexes also hash their keys; `_id_` has the document map. */
export interface IndexOptions {
  /** Keep the key → ids hash map (unique checks, equality lookups). Default true. */
  hashed?: boolean;
}

/**
 * An index: its entries in key order (field by field in MongoDB's order, each field ascending
 * or descending as declared, ties by record id), for range scans and sorted reads, plus a map
 * from the canonical form of each key to the ids holding it, for equality lookups and the
 * unique checks every write makes before anything is committed.
 */
export class Index {
  readonly fields: string[];
  /** Each field's path segments. */
  private readonly paths: string[][];
  /** 1 or -1 per field (meaningful for plain keys only). */
  readonly directions: Array<1 | -1>;
  /**
   * Per field: whether some document ever indexed an array there (mongod's multikey flag, also
   * sticky until the index is rebuilt). A multikey field holds several keys per document.
   */
  readonly multikey: boolean[];
  /**
   * Some key is an int64 beyond 2^53 or a Decimal128: such numbers are ordered through their
   * nearest double, so open numeric bounds must be scanned closed (sticky, like multikey).
   */
  inexactNumbers = false;
  readonly ordered: SortedKeys;
  private readonly entries = new Map<string, Set<string>>();
  private readonly keysById = new Map<string, string[]>();
  private readonly orderedById = new Map<string, IndexKey[]>();
  private readonly partial: Query | undefined;
  private readonly hashed: boolean;
  /** The collation the index orders strings by (its `collation` option; none: binary). */
  readonly orderCollation: Collation | undefined;
  /** False when the index's collation could not be parsed (its strings are never used). */
  readonly collationKnown: boolean = true;

  constructor(
    readonly spec: IndexSpec,
    private readonly namespace: string,
    options: IndexOptions = {},
  ) {
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((field) => field.split('.'));
    this.directions = this.fields.map((field) => (spec.key[field] === -1 ? -1 : 1));
    this.multikey = this.fields.map(() => false);
    this.hashed = options.hashed ?? true;
    this.partial = spec.partialFilterExpression
      ? new Query(spec.partialFilterExpression, MINGO_OPTIONS)
      : undefined;
    try {
      this.orderCollation = isPlainObject(spec.collation)
        ? parseCollation(spec.collation)
        : undefined;
    } catch {
      // A collation this server cannot parse: strings are never looked up through the index.
      this.orderCollation = undefined;
      this.collationKnown = false;
    }
    const directions = this.directions;
    const collation = this.orderCollation;
    this.ordered = new SortedKeys((a, b) => {
      for (let i = 0; i < directions.length; i += 1) {
        const order = compareKeyValues(a.values[i], b.values[i], collation);
        if (order !== 0) return directions[i] === 1 ? order : -order;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  get sparse(): boolean {
    return this.spec.sparse === true;
  }

  get isPartial(): boolean {
    return this.partial !== undefined;
  }

  /** Whether any field is multikey. */
  get isMultikey(): boolean {
    return this.multikey.includes(true);
  }

  /** Whether equality lookups can go through the hash map (secondary indexes keep one). */
  get isHashed(): boolean {
    return this.hashed;
  }

  /**
   * Whether equality lookups (on non-null values) can use this index. A sparse index can: a
   * document equal to a value on the key holds that field, so it is indexed. A partial index
   * cannot, unless the query implied its filter, which is not worked out here.
   */
  get answersEquality(): boolean {
    return !this.partial && this.isPlainKey;
  }

  /** Text/hashed/2d key types: kept for listIndexes, not used for lookups or uniqueness. */
  get isPlainKey(): boolean {
    return Object.values(this.spec.key).every((dir) => dir === 1 || dir === -1);
  }

  /** The index entries of a document, or none when sparse/partial rules leave it out. */
  entriesFor(doc: Doc): IndexEntry[] {
    if (this.partial && !this.partial.test(doc)) return [];
    const perField = this.fields.map((field) => collectPathValues(doc, field));
    if (this.spec.sparse && perField.every((values) => values.length === 0)) return [];
    if (this.fields.length > 1) {
      // One key per combination of elements would be a cartesian product (two arrays of 2,000
      // make 4 million keys): mongod refuses such documents, and so does this server.
      const parallel = parallelArrays(doc, this.paths);
      if (parallel) {
        throw new MongoCommandError(
          'CannotIndexParallelArrays',
          `cannot index parallel arrays [${parallel[0]}] [${parallel[1]}]`,
        );
      }
    }
    // A missing field is indexed as null; arrays make one entry per element (multikey).
    let combos: unknown[][] = [[]];
    for (const values of perField) {
      const options = values.length === 0 ? [null] : values;
      const next: unknown[][] = [];
      for (const combo of combos) for (const value of options) next.push([...combo, value]);
      combos = next;
    }
    const seen = new Set<string>();
    const out: IndexEntry[] = [];
    for (const values of combos) {
      const key = this.keyOf(values);
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ key, values });
      }
    }
    return out;
  }

  keyOf(values: unknown[], lookup = false): string {
    // Under a collation, strings equal by it share a key: 'cafe' and 'Café' clash at strength 1.
    // A lookup (query values) must not add its strings to the collation's table of classes.
    const collation = this.orderCollation;
    if (collation) {
      // This index's own table of string classes (not the shared collation's): freed with it.
      const keyer = collation.keyerFor(this);
      const keyFor = (value: unknown): string =>
        lookup ? keyer.lookupKey(value) : keyer.key(value);
      return values.length === 1 ? keyFor(values[0]) : values.map(keyFor).join('|');
    }
    return values.length === 1 ? canonicalKey(values[0]) : values.map(canonicalKey).join('|');
  }

  /** Throws E11000 if another document already holds one of `doc`'s keys. */
  checkUnique(idKey: string, doc: Doc, entries = this.entriesFor(doc)): void {
    if (!this.unique) return;
    for (const entry of entries) {
      const holders = this.entries.get(entry.key);
      if (!holders) continue;
      for (const holder of holders) {
        if (holder !== idKey) throw this.duplicateError(entry.values);
      }
    }
  }

  duplicateError(values: unknown[]): MongoCommandError {
    const keyValue: Doc = {};
    this.fields.forEach((field, i) => {
      keyValue[field] = values[i];
    });
    const keyPattern: Doc = { ...this.spec.key };
    return new MongoCommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.namespace} index: ${this.name} dup key: ${formatObject(keyValue)}`,
      { keyPattern, keyValue },
    );
  }

  add(idKey: string, doc: Doc, entries = this.entriesFor(doc)): void {
    if (entries.length === 0) return;
    if (this.hashed) {
      addKeys(this.entries, this.keysById, idKey, [...new Set(entries.map((entry) => entry.key))]);
    }
    const keys = entries.map((entry) => ({ values: entry.values, id: idKey }));
    for (const key of keys) this.ordered.insert(key);
    this.orderedById.set(idKey, keys);
    this.markMultikey(doc);
    if (!this.inexactNumbers) {
      this.inexactNumbers = entries.some((entry) =>
        entry.values.some((value) => value instanceof Long || value instanceof Decimal128),
      );
    }
  }

  private markMultikey(doc: Doc): void {
    for (let i = 0; i < this.fields.length; i += 1) {
      if (!this.multikey[i] && hasArray(doc, this.fields[i])) this.multikey[i] = true;
    }
  }

  remove(idKey: string): void {
    removeKeys(this.entries, this.keysById, idKey);
    const keys = this.orderedById.get(idKey);
    if (!keys) return;
    for (const key of keys) this.ordered.delete(key);
    this.orderedById.delete(idKey);
  }

  /**
   * Replaces `idKey`'s entries: nothing moves when the document's keys did not change (an
   * update of unindexed fields), which spares every index two ordered splices.
   */
  update(idKey: string, doc: Doc, entries = this.entriesFor(doc)): void {
    const previous = this.orderedById.get(idKey);
    if (
      previous &&
      previous.length === entries.length &&
      previous.every((key, i) => sameValues(key.values, entries[i].values))
    ) {
      this.markMultikey(doc);
      return;
    }
    this.remove(idKey);
    this.add(idKey, doc, entries);
  }

  /** Ids of documents whose key equals `values` (one value per index field). */
  lookup(values: unknown[]): Set<string> | undefined {
    return this.entries.get(this.keyOf(values, true));
  }
}

/**
 * compareValues with fast paths for the usual key types (the comparison every index insert,
 * removal and seek makes a few dozen times).
 */
function compareKeyValues(a: unknown, b: unknown, collation: Collation | undefined): number {
  if (typeof a === 'string' && typeof b === 'string' && !collation) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof ObjectId && b instanceof ObjectId) return compareObjectIds(a, b);
  return compareValues(a, b, collation);
}

/**
 * The two array field names mongod's CannotIndexParallelArrays message shows (the later
 * field's first, then the earlier one's), when two of an index's paths run through different
 * arrays of `value`. Paths through the same array are fine ({ 'a.b': 1, 'a.c': 1 } over
 * `a: [{ b, c }]`) and are checked again inside each of its elements. A numeric segment
 * after an array picks one element (a position), as key generation reads it.
 */
function parallelArrays(value: unknown, paths: string[][]): [string, string] | undefined {
  let found: { array: unknown[]; name: string } | undefined;
  const inside: string[][] = [];
  for (const path of paths) {
    let current: unknown = value;
    for (let i = 0; i < path.length && isPlainObject(current); i += 1) {
      // Own fields only: `__proto__` is an ordinary field name to MongoDB.
      let next: unknown = Object.prototype.hasOwnProperty.call(current, path[i])
        ? current[path[i]]
        : undefined;
      while (Array.isArray(next) && i + 1 < path.length && /^\d+$/.test(path[i + 1])) {
        i += 1;
        next = next[Number(path[i])];
      }
      if (Array.isArray(next)) {
        if (found && found.array !== next) return [path[i], found.name];
        found = { array: next, name: path[i] };
        if (i + 1 < path.length) inside.push(path.slice(i + 1));
        break;
      }
      current = next;
    }
  }
  if (!found || inside.length < 2) return undefined;
  for (const element of found.array) {
    const parallel = parallelArrays(element, inside);
    if (parallel) return parallel;
  }
  return undefined;
}

/** Whether the path reaches an array anywhere (the document makes the index multikey). */
function hasArray(doc: unknown, path: string): boolean {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) return true;
    if (!isPlainObject(current)) return false;
    current = current[segment];
  }
  return Array.isArray(current);
}

/** Same key values (numbers by value: 1 and 1.0 sit at the same place in the order). */
function sameValues(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => canonicalKey(value) === canonicalKey(b[i]));
}

/** Records that `idKey` holds `keys` in a key → ids map and its id → keys reverse map. */
function addKeys(
  byKey: Map<string, Set<string>>,
  byId: Map<string, string[]>,
  idKey: string,
  keys: string[],
): void {
  for (const key of keys) {
    let holders = byKey.get(key);
    if (!holders) {
      holders = new Set();
      byKey.set(key, holders);
    }
    holders.add(idKey);
  }
  if (keys.length > 0) byId.set(idKey, keys);
}

function removeKeys(
  byKey: Map<string, Set<string>>,
  byId: Map<string, string[]>,
  idKey: string,
): void {
  const keys = byId.get(idKey);
  if (!keys) return;
  for (const key of keys) {
    const holders = byKey.get(key);
    if (!holders) continue;
    holders.delete(idKey);
    if (holders.size === 0) byKey.delete(key);
  }
  byId.delete(idKey);
}

/** Validates a `createIndexes` entry and fills in MongoDB's defaults. */
export function normalizeIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw new MongoCommandError('BadValue', 'Index spec must have a non-empty key document');
  }
  for (const [field, direction] of Object.entries(raw.key)) {
    const ok =
      direction === 1 ||
      direction === -1 ||
      ['text', 'hashed', '2d', '2dsphere'].includes(direction as string);
    if (!ok) {
      throw new MongoCommandError(
        'BadValue',
        `Values in the index key pattern must be 1, -1 or a special index type; got ${String(direction)} for '${field}'`,
      );
    }
  }
  const name = typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key);
  const spec: IndexSpec = { v: 2, key: raw.key, name };
  for (const [option, value] of Object.entries(raw)) {
    if (option === 'key' || option === 'name' || option === 'v' || option === 'background') {
      continue;
    }
    spec[option] = value;
  }
  if (spec.unique === false) delete spec.unique;
  if (spec.sparse === false) delete spec.sparse;
  if (spec.expireAfterSeconds !== undefined) {
    const ttl = spec.expireAfterSeconds;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new MongoCommandError(
        'InvalidOptions',
        `TTL index 'expireAfterSeconds' option must be a non-negative number, got ${String(ttl)}`,
      );
    }
  }
  if (spec.partialFilterExpression !== undefined && !isPlainObject(spec.partialFilterExpression)) {
    throw new MongoCommandError('BadValue', 'partialFilterExpression must be an object');
  }
  return spec;
}
