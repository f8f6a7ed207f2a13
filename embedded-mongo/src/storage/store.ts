import { BSON } from 'bson';
import type { Binary } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { Collection } from './collection';
import type { IndexSpec } from './indexes';
import type { Journal, JournalRecord } from './journal';
import { MAX_BSON_OBJECT_SIZE } from '../wire/frames';
import { canonicalKey } from './keys';

/**
 * All databases and collections, and the single place where data changes. Each mutation is
 * applied in memory and, when a journal is open, appended to it; the command layer awaits
 * `flush()` before it acknowledges the write. Documents over 16 MiB are refused before anything
 * changes: they could be neither returned to a client nor written to the journal.
 */
export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private recorded = 0;

  constructor(private journal?: Journal) {}

  attachJournal(journal: Journal): void {
    this.journal = journal;
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
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const coll = new Collection(db, name, options, uuid);
    colls.set(name, coll);
    this.record({ op: 'create', db, coll: name, options, uuid: coll.uuid });
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
    if (!colls?.delete(name)) return false;
    this.record({ op: 'drop', db, coll: name });
    return true;
  }

  dropDatabase(db: string): void {
    if (this.dbs.delete(db)) this.record({ op: 'dropDatabase', db });
  }

  insert(coll: Collection, doc: Doc): void {
    const size = BSON.calculateObjectSize(doc);
    if (size > MAX_BSON_OBJECT_SIZE) {
      throw new MongoCommandError(
        'BSONObjectTooLarge',
        `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
      );
    }
    coll.insert(doc);
    this.record({ op: 'put', db: coll.db, coll: coll.name, doc });
  }

  replace(coll: Collection, idKey: string, doc: Doc): void {
    if (BSON.calculateObjectSize(doc) > MAX_BSON_OBJECT_SIZE) {
      throw new MongoCommandError(
        'Location17419',
        `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`,
      );
    }
    coll.replace(idKey, doc);
    this.record({ op: 'put', db: coll.db, coll: coll.name, doc });
  }

  remove(coll: Collection, idKey: string): Doc | undefined {
    const removed = coll.remove(idKey);
    if (removed) this.record({ op: 'delete', db: coll.db, coll: coll.name, id: removed._id });
    return removed;
  }

  createIndex(coll: Collection, spec: IndexSpec): void {
    coll.addIndex(spec);
    this.record({ op: 'createIndex', db: coll.db, coll: coll.name, spec });
  }

  dropIndex(coll: Collection, name: string): void {
    coll.dropIndex(name);
    this.record({ op: 'dropIndex', db: coll.db, coll: coll.name, name });
  }

  /** Applies a journal record during replay (no re-journaling). */
  apply(record: JournalRecord): void {
    const journal = this.journal;
    this.journal = undefined;
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
      }
    } finally {
      this.journal = journal;
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

  /** Resolves once every write recorded so far is durable (immediately without a journal). */
  flush(): Promise<void> {
    return this.journal ? this.journal.flush() : Promise.resolve();
  }

  /** Counts recorded changes, so a command can tell whether it wrote anything. */
  get writeSequence(): number {
    return this.recorded;
  }

  private record(record: JournalRecord): void {
    this.recorded += 1;
    this.journal?.append(record);
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
