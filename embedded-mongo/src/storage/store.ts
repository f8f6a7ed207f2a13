import { BSON } from 'bson';
import type { Binary } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { Collection } from './collection';
import type { IndexSpec } from './indexes';
import type { Journal, JournalRecord, Undo } from './journal';
import { MAX_BSON_OBJECT_SIZE } from '../wire/frames';
import { canonicalKey } from './keys';

/**
 * All databases and collections, and the single place where data changes. Each mutation is
 * applied in memory and, when a journal is open, appended to it together with how to undo it
 * (the previous document or its absence, the dropped collection or index); the command layer
 * awaits `flush(since)` before it acknowledges the write, and when the journal write fails the
 * journal runs those undos, so a failed command leaves nothing behind (see {@link Journal}).
 * Documents over 16 MiB are refused before anything changes: they could be neither returned
 * to a client nor written to the journal.
 */
export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private recorded = 0;
  /** `recorded` when the journal was attached: turns write sequences into journal positions. */
  private journalBase = 0;
  /** Replaying the journal: changes are neither counted nor journaled again. */
  private replaying = false;

  constructor(private journal?: Journal) {
    this.journalBase = -(journal?.position ?? 0);
  }

  attachJournal(journal: Journal): void {
    this.journal = journal;
    this.journalBase = this.recorded - journal.position;
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()].filter((name) => (this.dbs.get(name)?.size ?? 0) > 0);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  allCollections(): Collection[] {
    return [...this.dbs.values()].flatMap((colls) => [...colls.values()]);
  }

  getCollection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** Creates a collection; `create` on an existing one answers 48 NamespaceExists. */
  createCollection(db: string, name: string, options: Doc = {}, uuid?: Binary): Collection {
    validateNamespace(db, name);
    if (this.getCollection(db, name)) {
      throw new MongoCommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    const existing = this.dbs.get(db);
    const colls = existing ?? new Map<string, Collection>();
    if (!existing) this.dbs.set(db, colls);
    const coll = new Collection(db, name, options, uuid);
    colls.set(name, coll);
    this.record({ op: 'create', db, coll: name, options, uuid: coll.uuid }, () => {
      colls.delete(name);
      if (!existing && colls.size === 0 && this.dbs.get(db) === colls) this.dbs.delete(db);
    });
    return coll;
  }

  /** The collection, created implicitly as inserts, upserts and createIndexes do. */
  ensureCollection(db: string, name: string): { coll: Collection; created: boolean } {
    const existing = this.getCollection(db, name);
    if (existing) return { coll: existing, created: false };
    return { coll: this.createCollection(db, name), created: true };
  }

  dropCollection(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.has(name)) return false;
    // The dropped Collection object is untouched from here on (a later create makes a new
    // one), so putting it back restores its documents and indexes as they were.
    const before = [...colls.entries()];
    colls.delete(name);
    this.record({ op: 'drop', db, coll: name }, () => restoreEntries(colls, before));
    return true;
  }

  dropDatabase(db: string): void {
    if (!this.dbs.has(db)) return;
    const before = [...this.dbs.entries()];
    this.dbs.delete(db);
    this.record({ op: 'dropDatabase', db }, () => restoreEntries(this.dbs, before));
  }

  insert(coll: Collection, doc: Doc): void {
    const size = BSON.calculateObjectSize(doc);
    if (size > MAX_BSON_OBJECT_SIZE) {
      throw new MongoCommandError(
        'BSONObjectTooLarge',
        `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
      );
    }
    const idKey = coll.insert(doc);
    this.record({ op: 'put', db: coll.db, coll: coll.name, doc }, () => coll.remove(idKey));
  }

  replace(coll: Collection, idKey: string, doc: Doc): void {
    if (BSON.calculateObjectSize(doc) > MAX_BSON_OBJECT_SIZE) {
      throw new MongoCommandError(
        'Location17419',
        `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`,
      );
    }
    const previous = coll.get(idKey);
    coll.replace(idKey, doc);
    this.record({ op: 'put', db: coll.db, coll: coll.name, doc }, () => {
      if (previous) coll.replace(idKey, previous);
      else coll.remove(idKey);
    });
  }

  remove(coll: Collection, idKey: string): Doc | undefined {
    const removed = coll.remove(idKey);
    if (removed) {
      // Undone, the document comes back at the end of the natural order.
      this.record({ op: 'delete', db: coll.db, coll: coll.name, id: removed._id }, () =>
        coll.insert(removed),
      );
    }
    return removed;
  }

  createIndex(coll: Collection, spec: IndexSpec): void {
    coll.addIndex(spec);
    this.record({ op: 'createIndex', db: coll.db, coll: coll.name, spec }, () =>
      coll.dropIndex(spec.name),
    );
  }

  dropIndex(coll: Collection, name: string): void {
    // As with a dropped collection, the dropped index saw no later change: putting it back
    // (in its listIndexes position) restores its entries, unique ones included.
    const before = [...coll.indexes.entries()];
    coll.dropIndex(name);
    this.record({ op: 'dropIndex', db: coll.db, coll: coll.name, name }, () =>
      restoreEntries(coll.indexes, before),
    );
  }

  /**
   * collMod: replaces the collection's options and/or the spec of one of its indexes (by name),
   * as one journal record, so the change survives a restart.
   */
  modifyCollection(coll: Collection, change: { options?: Doc; index?: IndexSpec }): void {
    // Undo: put back copies of what applyCollMod overwrites in place.
    const previous: { options?: Doc; index?: IndexSpec } = {};
    if (change.options) previous.options = { ...coll.options };
    const index = change.index ? coll.indexes.get(change.index.name) : undefined;
    if (index) previous.index = { ...index.spec };
    applyCollMod(coll, change);
    this.record({ op: 'collMod', db: coll.db, coll: coll.name, ...change }, () =>
      applyCollMod(coll, previous),
    );
  }

  /** Applies a journal record during replay (no re-journaling). */
  apply(record: JournalRecord): void {
    this.replaying = true;
    try {
      switch (record.op) {
        case 'create':
          if (!this.getCollection(record.db, record.coll)) {
            this.createCollection(record.db, record.coll, record.options, record.uuid);
          }
          break;
        case 'drop':
          this.dropCollection(record.db, record.coll);
          break;
        case 'dropDatabase':
          this.dropDatabase(record.db);
          break;
        case 'createIndex': {
          const coll = this.ensureCollection(record.db, record.coll).coll;
          if (!coll.indexes.has(record.spec.name)) coll.addIndex(record.spec);
          break;
        }
        case 'dropIndex':
          this.getCollection(record.db, record.coll)?.dropIndex(record.name);
          break;
        case 'put': {
          const coll = this.ensureCollection(record.db, record.coll).coll;
          const idKey = canonicalKey(record.doc._id);
          if (coll.get(idKey)) coll.replace(idKey, record.doc);
          else coll.insert(record.doc);
          break;
        }
        case 'delete':
          this.getCollection(record.db, record.coll)?.remove(canonicalKey(record.id));
          break;
        case 'collMod': {
          const coll = this.getCollection(record.db, record.coll);
          if (coll) applyCollMod(coll, record);
          break;
        }
      }
    } finally {
      this.replaying = false;
    }
  }

  /** The current state as journal records, used to compact the journal at start-up. */
  *snapshot(): Generator<JournalRecord> {
    for (const coll of this.allCollections()) {
      yield { op: 'create', db: coll.db, coll: coll.name, options: coll.options, uuid: coll.uuid };
      for (const index of coll.indexes.values()) {
        yield { op: 'createIndex', db: coll.db, coll: coll.name, spec: index.spec };
      }
      for (const doc of coll.docs.values()) yield { op: 'put', db: coll.db, coll: coll.name, doc };
    }
  }

  /**
   * Resolves once every write recorded so far is durable (immediately without a journal).
   * With `since` (a {@link writeSequence} read before a command ran), rejects with the journal
   * error exactly when a change recorded after it was rolled back; without, when any change
   * not yet durable at the call was.
   */
  flush(since?: number): Promise<void> {
    if (!this.journal) return Promise.resolve();
    return this.journal.flush(since === undefined ? undefined : since - this.journalBase);
  }

  /** Counts recorded changes, so a command can tell whether it wrote anything. */
  get writeSequence(): number {
    return this.recorded;
  }

  /**
   * Journals a change already made in memory, with the undo that takes it back. Each
   * mutation above captures what it replaced before changing anything, and undos run in
   * exact reverse order, so each one finds the state its change left.
   */
  private record(record: JournalRecord, undo: Undo): void {
    if (this.replaying) return;
    if (this.journal) {
      try {
        this.journal.append(record, undo);
      } catch (error) {
        // Not journaled (closed journal, unencodable record): not done either.
        undo();
        throw error;
      }
    }
    this.recorded += 1;
  }
}

/** Puts a map's entries back as they were, order included (listCollections, listIndexes). */
function restoreEntries<K, V>(map: Map<K, V>, entries: Array<[K, V]>): void {
  map.clear();
  for (const [key, value] of entries) map.set(key, value);
}

/**
 * Applies a collMod change in place: the options and index specs are the objects that
 * listCollections, listIndexes, the validators and the TTL monitor read.
 */
function applyCollMod(coll: Collection, change: { options?: Doc; index?: IndexSpec }): void {
  if (change.options) {
    for (const key of Object.keys(coll.options)) delete coll.options[key];
    Object.assign(coll.options, change.options);
  }
  const index = change.index ? coll.indexes.get(change.index.name) : undefined;
  if (index && change.index) {
    const spec: Doc = index.spec;
    for (const key of Object.keys(spec)) delete spec[key];
    Object.assign(spec, change.index);
  }
}

export function validateNamespace(db: string, name: string): void {
  if (db.length === 0 || /[/\\. "$\0]/.test(db)) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  }
  if (name.length === 0 || name.includes('$') || name.includes('\0') || name.startsWith('.')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: '${name}'`);
  }
}
