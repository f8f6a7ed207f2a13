import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../logger';
import type { Doc } from '../query/documents';
import { JOURNAL_FILE, Journal, replayJournal } from '../storage/journal';
import type { JournalRecord } from '../storage/journal';
import { Store } from '../storage/store';
import { commandContext } from '../../test/helpers';
import { FailingFileSystem } from '../../test/failing-file-system';
import type { CommandContext } from './context';
import { runCommand } from './index';

const NOT_DURABLE = {
  ok: 0,
  code: 1,
  codeName: 'InternalError',
  errmsg: 'journal write failed (ENOSPC); the write is not durable',
};

/**
 * Embedded server internals: a write whose journal record cannot be written is not done, for
 * every command of the failed group commit, whichever connection sent it. The journal's file
 * layer is a shim that fails writes on demand; the database code is the real one.
 */
describe('embedded server only: a failed journal write is rolled back', () => {
  let dir: string;
  let files: FailingFileSystem;
  let journal: Journal;
  let store: Store;
  let one: CommandContext;
  let two: CommandContext;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-disk-full-'));
    files = new FailingFileSystem();
    store = new Store();
    journal = await Journal.create(dir, {
      snapshot: () => store.snapshot(),
      compactionBytes: 64 * 1024 * 1024,
      logger: silentLogger,
      fileSystem: files,
    });
    store.attachJournal(journal);
    one = commandContext(store);
    two = { ...commandContext(store), connectionId: 2 };
  });

  afterEach(async () => {
    await journal.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (context: CommandContext, command: Doc): Promise<Doc> =>
    runCommand({ ...command, $db: 'app' }, context);

  async function ids(coll: string): Promise<unknown[]> {
    const reply = await run(one, { find: coll, filter: {}, sort: { _id: 1 } });
    return (reply.cursor as { firstBatch: Doc[] }).firstBatch.map((doc) => doc._id);
  }

  function journaled(): JournalRecord[] {
    const records: JournalRecord[] = [];
    replayJournal(path.join(dir, JOURNAL_FILE), (record) => records.push(record), silentLogger);
    return records;
  }

  async function usersWithUniqueEmail(): Promise<void> {
    expect(
      await run(one, {
        createIndexes: 'users',
        indexes: [{ key: { email: 1 }, name: 'email_1', unique: true }],
      }),
    ).toMatchObject({ ok: 1 });
  }

  it('fails both of two concurrent inserts sharing a group, and both succeed on retry', async () => {
    await usersWithUniqueEmail();
    const writesBefore = files.writes.length;
    files.failWrites = 1;
    const insertA = { insert: 'users', documents: [{ _id: 'a', email: 'a@x.io' }] };
    const insertB = { insert: 'users', documents: [{ _id: 'b', email: 'b@x.io' }] };
    const [a, b] = await Promise.all([run(one, insertA), run(two, insertB)]);
    expect(files.writes.length - writesBefore).toBe(1); // one group commit for both
    expect(a).toEqual(NOT_DURABLE);
    expect(b).toEqual(NOT_DURABLE);
    expect(await ids('users')).toEqual([]);
    const byEmail = await run(one, {
      count: 'users',
      query: { email: { $in: ['a@x.io', 'b@x.io'] } },
    });
    expect(byEmail).toMatchObject({ n: 0, ok: 1 });
    // Space is back: the same inserts succeed, no E11000 from the unique indexes.
    const [retryA, retryB] = await Promise.all([run(one, insertA), run(two, insertB)]);
    expect(retryA).toEqual({ n: 1, ok: 1 });
    expect(retryB).toEqual({ n: 1, ok: 1 });
    expect(await ids('users')).toEqual(['a', 'b']);
    const puts = journaled().filter((record) => record.op === 'put');
    expect(puts.map((record) => record.op === 'put' && record.doc._id)).toEqual(['a', 'b']);
  });

  it('also fails writes queued behind the failing group, even one building on it', async () => {
    const release = files.hold();
    files.failWrites = 1;
    const insert = run(one, { insert: 'events', documents: [{ _id: 1, n: 0 }] });
    await files.writesStarted(1);
    // Arrives while that insert's write is in flight, and updates the document it inserted.
    const update = run(two, {
      update: 'events',
      updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }],
    });
    const read = await run(two, { find: 'events', filter: {} });
    expect(read).toMatchObject({ ok: 1 }); // reads never wait for, or fail with, others' writes
    release();
    expect(await insert).toEqual(NOT_DURABLE);
    expect(await update).toEqual(NOT_DURABLE);
    const collections = await run(one, { listCollections: 1, nameOnly: true });
    expect((collections.cursor as { firstBatch: Doc[] }).firstBatch).toEqual([]);
    expect(journaled()).toEqual([]);
    expect(await run(one, { insert: 'events', documents: [{ _id: 1, n: 0 }] })).toEqual({
      n: 1,
      ok: 1,
    });
  });

  it('rolls back the writes of a command that failed after making some', async () => {
    files.failWrites = 1;
    // The first index (and the collection) are created, then the second spec is refused.
    const reply = await run(one, {
      createIndexes: 'things',
      indexes: [
        { key: { a: 1 }, name: 'x', unique: true },
        { key: { b: 1 }, name: 'x' },
      ],
    });
    expect(reply).toEqual(NOT_DURABLE);
    expect(store.getCollection('app', 'things')).toBeUndefined();
    // The same failure with a working disk answers the command's own error.
    expect(
      await run(one, {
        createIndexes: 'things',
        indexes: [
          { key: { a: 1 }, name: 'x', unique: true },
          { key: { b: 1 }, name: 'x' },
        ],
      }),
    ).toMatchObject({ ok: 0, code: 86 });
  });

  it('fails a whole insert batch, the documents before its own write error included', async () => {
    await usersWithUniqueEmail();
    await run(one, { insert: 'users', documents: [{ _id: 'a', email: 'a@x.io' }] });
    files.failWrites = 1;
    const reply = await run(one, {
      insert: 'users',
      documents: [
        { _id: 'b', email: 'b@x.io' },
        { _id: 'c', email: 'a@x.io' },
      ],
      ordered: false,
    });
    expect(reply).toEqual(NOT_DURABLE);
    expect(await ids('users')).toEqual(['a']);
  });

  /** What a restart would see: the journal file as it is now, replayed into a new store. */
  async function afterCrash(coll: string): Promise<unknown[]> {
    const restarted = new Store();
    replayJournal(path.join(dir, JOURNAL_FILE), (record) => restarted.apply(record), silentLogger);
    const reply = await runCommand(
      { find: coll, filter: {}, sort: { _id: 1 }, $db: 'app' },
      commandContext(restarted),
    );
    return (reply.cursor as { firstBatch: Doc[] }).firstBatch.map((doc) => doc._id);
  }

  it('brings back none of a failed insert batch after a crash, its cut-back failed too', async () => {
    await run(one, { insert: 'u', documents: [{ _id: 0, x: 'keep' }] });
    files.failWrites = 1;
    files.partialBytes = 200; // the group header and at least its first record, whole
    files.failTruncates = 5;
    const documents = [1, 2, 3, 4].map((n) => ({ _id: n, x: 'y'.repeat(40) }));
    expect(await run(one, { insert: 'u', documents })).toEqual(NOT_DURABLE);
    expect(files.writes.at(-1)).toBeGreaterThan(200);
    expect(await ids('u')).toEqual([0]);
    expect(await afterCrash('u')).toEqual([0]);
  });

  it('keeps $out all or nothing on disk when its group write is cut short', async () => {
    const seed = async (): Promise<void> => {
      const old = [0, 1, 2, 3, 4].map((n) => ({ _id: n, old: true }));
      const fresh = [5, 6, 7, 8, 9].map((n) => ({ _id: n, fresh: true }));
      expect(await run(one, { insert: 't', documents: old })).toMatchObject({ n: 5 });
      expect(await run(one, { insert: 's', documents: fresh })).toMatchObject({ n: 5 });
    };
    const out = { aggregate: 's', pipeline: [{ $out: 't' }], cursor: {} };
    await seed();
    // The size of $out's one group write (drop, create, five documents): fail it whole once.
    files.failWrites = 1;
    expect(await run(one, out)).toEqual(NOT_DURABLE);
    const size = files.writes.at(-1) as number;
    await journal.close();
    // Cut it after the drop, in the create, among the documents, one byte short.
    for (const partialBytes of [16, 80, 150, Math.floor(size / 2), size - 1]) {
      fs.rmSync(path.join(dir, JOURNAL_FILE));
      store = new Store();
      files = new FailingFileSystem();
      journal = await Journal.create(dir, {
        snapshot: () => store.snapshot(),
        compactionBytes: 64 * 1024 * 1024,
        logger: silentLogger,
        fileSystem: files,
      });
      store.attachJournal(journal);
      one = commandContext(store);
      await seed();
      files.failWrites = 1;
      files.partialBytes = partialBytes;
      files.failTruncates = 5;
      expect(await run(one, out)).toEqual(NOT_DURABLE);
      expect(files.writes.at(-1)).toBe(size);
      expect(await ids('t')).toEqual([0, 1, 2, 3, 4]);
      // The process dies with the partial group in the file: a restart sees t as before.
      expect(await afterCrash('t')).toEqual([0, 1, 2, 3, 4]);
      expect(await afterCrash('s')).toEqual([5, 6, 7, 8, 9]);
      await journal.close();
    }
  });

  it('restores updated, deleted and dropped data, with their unique indexes', async () => {
    await usersWithUniqueEmail();
    await run(one, {
      insert: 'users',
      documents: [
        { _id: 'a', email: 'a@x.io', n: 1 },
        { _id: 'b', email: 'b@x.io', n: 2 },
      ],
    });
    const state = async (): Promise<unknown> =>
      (
        (await run(one, { find: 'users', filter: {}, sort: { _id: 1 } })).cursor as {
          firstBatch: Doc[];
        }
      ).firstBatch;
    const before = await state();
    const failing: Doc[] = [
      { update: 'users', updates: [{ q: { _id: 'a' }, u: { $set: { email: 'c@x.io', n: 9 } } }] },
      { delete: 'users', deletes: [{ q: { _id: 'b' }, limit: 1 }] },
      { dropIndexes: 'users', index: 'email_1' },
      { drop: 'users' },
      { dropDatabase: 1 },
    ];
    for (const command of failing) {
      files.failWrites = 1;
      expect(await run(one, command)).toEqual(NOT_DURABLE);
      expect(await state()).toEqual(before);
      // The unique index is back and enforced: a's old email is still taken, the new one free.
      expect(
        await run(one, { insert: 'users', documents: [{ _id: 'z', email: 'a@x.io' }] }),
      ).toMatchObject({ n: 0, writeErrors: [{ code: 11000 }] });
      expect(await run(one, { count: 'users', query: { email: 'c@x.io' } })).toMatchObject({
        n: 0,
      });
    }
    const indexes = await run(one, { listIndexes: 'users' });
    expect((indexes.cursor as { firstBatch: Doc[] }).firstBatch.map((index) => index.name)).toEqual(
      ['_id_', 'email_1'],
    );
  });
});
