import { Query } from 'mingo';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { collectPathValues, formatObject, isPlainObject } from '../query/documents';
import { MINGO_OPTIONS } from '../query/mingo-options';
import { canonicalKey } from './keys';

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
const COMPARED_OPTIONS = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression'];

export function sameIndexOptions(a: IndexSpec, b: IndexSpec): boolean {
  return COMPARED_OPTIONS.every(
    (option) => canonicalKey(a[option] ?? null) === canonicalKey(b[option] ?? null),
  );
}

/**
 * A secondary index: a map from the canonical form of a document's key values to the ids of
 * the documents holding them. Equality lookups use it instead of scanning; unique indexes
 * check it before any write is committed.
 */
export class Index {
  readonly fields: string[];
  private readonly entries = new Map<string, Set<string>>();
  private readonly keysById = new Map<string, string[]>();
  /** Compound indexes only: ids by their first field's value, for equality on that prefix. */
  private readonly prefixEntries = new Map<string, Set<string>>();
  private readonly prefixKeysById = new Map<string, string[]>();
  private readonly partial: Query | undefined;

  constructor(
    readonly spec: IndexSpec,
    private readonly namespace: string,
  ) {
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression
      ? new Query(spec.partialFilterExpression, MINGO_OPTIONS)
      : undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true;
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

  keyOf(values: unknown[]): string {
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
    addKeys(this.entries, this.keysById, idKey, [...new Set(entries.map((entry) => entry.key))]);
    if (this.fields.length > 1) {
      const prefixes = new Set(entries.map((entry) => canonicalKey(entry.values[0])));
      addKeys(this.prefixEntries, this.prefixKeysById, idKey, [...prefixes]);
    }
  }

  remove(idKey: string): void {
    removeKeys(this.entries, this.keysById, idKey);
    removeKeys(this.prefixEntries, this.prefixKeysById, idKey);
  }

  /** Ids of documents whose key equals `values` (one value per index field). */
  lookup(values: unknown[]): Set<string> | undefined {
    return this.entries.get(this.keyOf(values));
  }

  /** Compound indexes: ids of documents whose first key field equals `value`. */
  lookupPrefix(value: unknown): Set<string> | undefined {
    return this.prefixEntries.get(canonicalKey(value));
  }
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
