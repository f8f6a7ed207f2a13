import type { Binary } from 'bson';
import { UUID } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { formatValue } from '../query/documents';
import type { IndexSpec } from './indexes';
import { Index } from './indexes';
import { canonicalKey } from './keys';
import type { QueryResult, QueryShape } from './planner';
import { planCandidates, runQuery } from './planner';

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
  /** `_id_` in key order, for `_id` ranges and sorts (equality goes through `docs`). */
  readonly idIndex: Index;
  readonly uuid: Binary;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
    uuid?: Binary,
  ) {
    this.uuid = uuid ?? new UUID();
    this.idIndex = new Index(ID_INDEX_SPEC, this.namespace, { hashed: false });
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
    indexes.forEach((index, i) => index.update(idKey, doc, entries[i]));
    this.idIndex.update(idKey, doc);
    this.docs.set(idKey, doc);
  }

  remove(idKey: string): Doc | undefined {
    const doc = this.docs.get(idKey);
    if (!doc) return undefined;
    for (const index of this.indexes.values()) index.remove(idKey);
    this.idIndex.remove(idKey);
    this.docs.delete(idKey);
    return doc;
  }

  /** Builds an index over the existing documents; throws E11000 and adds nothing on a clash. */
  addIndex(spec: IndexSpec): void {
    const index = new Index(spec, this.namespace);
    for (const [idKey, doc] of this.docs) {
      let entries;
      try {
        entries = index.entriesFor(doc);
      } catch (error) {
        // mongod reports a document it cannot index as a failed index build.
        if (
          !(error instanceof MongoCommandError) ||
          error.codeName !== 'CannotIndexParallelArrays'
        ) {
          throw error;
        }
        throw new MongoCommandError(
          'CannotIndexParallelArrays',
          `Index build failed: ${new UUID().toHexString(true)}: Collection ${this.namespace} ( ${this.uuid.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')} ) :: caused by :: ${error.message}`,
        );
      }
      index.checkUnique(idKey, doc, entries);
      index.add(idKey, doc, entries);
    }
    this.indexes.set(spec.name, index);
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  /**
   * Documents that may match `filter`: those an index narrows it to (see planner.ts),
   * otherwise every document. Callers still test each candidate against the full filter.
   */
  candidates(filter: Doc): Iterable<Doc> {
    return planCandidates(this, filter);
  }

  /**
   * A read planned over the indexes: matching documents in index order when an index served
   * it, otherwise in natural order; see {@link runQuery}.
   */
  query(shape: QueryShape): QueryResult {
    return runQuery(this, shape);
  }

  /**
   * Matching documents (the shared path for update, delete, count and aggregation), in
   * natural order when no index applies, otherwise in the order of the index used.
   */
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
    return runQuery(this, { filter, limit }).docs;
  }
}
