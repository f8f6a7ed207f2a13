import type { Binary } from 'bson';
import { UUID } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { formatValue, isOperatorObject, isPlainObject } from '../query/documents';
import { compileFilter } from '../query/filter';
import type { IndexSpec } from './indexes';
import { Index } from './indexes';
import { canonicalKey } from './keys';

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * One collection in memory: documents by canonical `_id` (a Map, so iteration order is
 * insertion order, MongoDB's natural order for a fresh collection) plus its secondary
 * indexes. Every mutation checks all unique indexes before touching anything, so a
 * failed write leaves the collection exactly as it was.
 */
export class Collection {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();
  readonly uuid: Binary;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
    uuid?: Binary,
  ) {
    this.uuid = uuid ?? new UUID();
  }

  get namespace(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.docs.size;
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX_SPEC, ...[...this.indexes.values()].map((index) => index.spec)];
  }

  get(idKey: string): Doc | undefined {
    return this.docs.get(idKey);
  }

  /** Adds a new document; throws E11000 (on `_id` or a unique index) without changing anything. */
  insert(doc: Doc): string {
    const idKey = canonicalKey(doc._id);
    if (this.docs.has(idKey)) {
      throw new MongoCommandError(
        'DuplicateKey',
        `E11000 duplicate key error collection: ${this.namespace} index: _id_ dup key: { _id: ${formatValue(doc._id)} }`,
        { keyPattern: { _id: 1 }, keyValue: { _id: doc._id } },
      );
    }
    this.store(idKey, doc);
    return idKey;
  }

  /** Replaces the document stored under `idKey` (same `_id`) after the unique checks pass. */
  replace(idKey: string, next: Doc): void {
    this.store(idKey, next);
  }

  /**
   * Checks every unique index first and only then updates the indexes and the document, so a
   * duplicate key anywhere leaves everything as it was.
   */
  private store(idKey: string, doc: Doc): void {
    const indexes = [...this.indexes.values()];
    const entries = indexes.map((index) => {
      const indexEntries = index.entriesFor(doc);
      index.checkUnique(idKey, doc, indexEntries);
      return indexEntries;
    });
    indexes.forEach((index, i) => {
      index.remove(idKey);
      index.add(idKey, doc, entries[i]);
    });
    this.docs.set(idKey, doc);
  }

  remove(idKey: string): Doc | undefined {
    const doc = this.docs.get(idKey);
    if (!doc) return undefined;
    for (const index of this.indexes.values()) index.remove(idKey);
    this.docs.delete(idKey);
    return doc;
  }

  /** Builds an index over the existing documents; throws E11000 and adds nothing on a clash. */
  addIndex(spec: IndexSpec): void {
    const index = new Index(spec, this.namespace);
    for (const [idKey, doc] of this.docs) {
      const entries = index.entriesFor(doc);
      index.checkUnique(idKey, doc, entries);
      index.add(idKey, doc, entries);
    }
    this.indexes.set(spec.name, index);
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  /**
   * Documents that may match `filter`: through the `_id` map or a secondary index when the
   * filter has equality predicates on all of an index's fields, otherwise every document.
   * Callers still test each candidate against the full filter.
   */
  candidates(filter: Doc): Iterable<Doc> {
    const ids = this.plan(filter);
    if (!ids) return this.docs.values();
    const out: Doc[] = [];
    for (const idKey of ids) {
      const doc = this.docs.get(idKey);
      if (doc) out.push(doc);
    }
    return out;
  }

  /**
   * The ids an index can narrow `filter` to: `_id` first, then an index with equality on all
   * of its fields, then a compound index with equality on its first field (`{ userId }` on
   * `{ userId: 1, movieId: 1 }`). Undefined means scan.
   */
  private plan(filter: Doc): Iterable<string> | undefined {
    if ('_id' in filter) {
      const values = equalityValues(filter._id);
      if (values) return values.map(canonicalKey);
    }
    const usable = [...this.indexes.values()].filter((index) => index.answersEquality);
    for (const index of usable) {
      const perField = index.fields.map((field) =>
        field in filter ? equalityValues(filter[field]) : undefined,
      );
      if (perField.some((values) => values === undefined)) continue;
      let combos: unknown[][] = [[]];
      for (const values of perField as unknown[][]) {
        combos = combos.flatMap((combo) => values.map((value) => [...combo, value]));
        if (combos.length > 1000) break;
      }
      if (combos.length > 1000) continue;
      return unionOf(combos.map((combo) => index.lookup(combo)));
    }
    for (const index of usable) {
      if (index.fields.length < 2 || !(index.fields[0] in filter)) continue;
      const values = equalityValues(filter[index.fields[0]]);
      if (values) return unionOf(values.map((value) => index.lookupPrefix(value)));
    }
    return undefined;
  }

  /** Matching documents in natural order (the shared path for find, update, delete, count). */
  match(filter: Doc, limit = 0): Doc[] {
    if (Object.keys(filter).length === 0) {
      if (limit <= 0) return [...this.docs.values()];
      const first: Doc[] = [];
      for (const doc of this.docs.values()) {
        if (first.length >= limit) break;
        first.push(doc);
      }
      return first;
    }
    const test = compileFilter(filter);
    const out: Doc[] = [];
    for (const doc of this.candidates(filter)) {
      if (test(doc)) {
        out.push(doc);
        if (limit > 0 && out.length >= limit) break;
      }
    }
    return out;
  }
}

function unionOf(sets: Array<Set<string> | undefined>): Set<string> {
  const ids = new Set<string>();
  for (const set of sets) if (set) for (const idKey of set) ids.add(idKey);
  return ids;
}

/**
 * The values an equality predicate can take, when an index can answer it: a scalar, `$eq`
 * or `$in` of scalars. Arrays, regexes, null and sub-documents are left to a scan, since their
 * matching rules (array containment, missing fields) are wider than key equality.
 */
function equalityValues(predicate: unknown): unknown[] | undefined {
  if (isOperatorObject(predicate)) {
    const keys = Object.keys(predicate);
    if (keys.length !== 1) return undefined;
    if (keys[0] === '$eq') return indexable(predicate.$eq) ? [predicate.$eq] : undefined;
    if (keys[0] === '$in' && Array.isArray(predicate.$in)) {
      return predicate.$in.every(indexable) ? predicate.$in : undefined;
    }
    return undefined;
  }
  return indexable(predicate) ? [predicate] : undefined;
}

function indexable(value: unknown): boolean {
  return (
    value !== null &&
    value !== undefined &&
    !Array.isArray(value) &&
    !(value instanceof RegExp) &&
    !isPlainObject(value)
  );
}
