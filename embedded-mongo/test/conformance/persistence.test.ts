import { MongoClient } from 'mongodb';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EmbeddedMongo, Logger } from '../../src/index';
import {
  DataDirLockedError,
  JournalCorruptError,
  silentLogger,
  startEmbeddedMongo,
} from '../../src/index';

// These tests exercise the embedded server's own data directory, so they always start their
// own embedded instances (also when MONGODB_URI points the rest of the suite at a mongod).
describe('embedded server only: persistence in a data directory', () => {
  const dirs: string[] = [];
  const running: EmbeddedMongo[] = [];

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-'));
    dirs.push(dir);
    return dir;
  }

  async function start(dataDir: string, logger: Logger = silentLogger): Promise<EmbeddedMongo> {
    const server = await startEmbeddedMongo({ dataDir, logger });
    running.push(server);
    return server;
  }

  async function withClient<T>(
    server: EmbeddedMongo,
    use: (client: MongoClient) => Promise<T>,
  ): Promise<T> {
    const client = await MongoClient.connect(server.uri);
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps documents, updates, deletes and indexes across a restart', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await withClient(first, async (client) => {
      const users = client.db('app').collection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertMany([
        { email: 'a@x.io', n: 1 },
        { email: 'b@x.io', n: 2 },
        { email: 'c@x.io', n: 3 },
      ]);
      await users.updateOne({ email: 'a@x.io' }, { $inc: { n: 10 } });
      await users.deleteOne({ email: 'c@x.io' });
      await client.db('app').createCollection('empty');
    });
    await first.stop();
    const second = await start(dir);
    await withClient(second, async (client) => {
      const users = client.db('app').collection('users');
      const docs = await users
        .find({}, { projection: { _id: 0 } })
        .sort({ email: 1 })
        .toArray();
      expect(docs).toEqual([
        { email: 'a@x.io', n: 11 },
        { email: 'b@x.io', n: 2 },
      ]);
      await expect(users.insertOne({ email: 'b@x.io' })).rejects.toMatchObject({ code: 11000 });
      const names = (await client.db('app').listCollections().toArray()).map((c) => c.name).sort();
      expect(names).toEqual(['empty', 'users']);
    });
  });

  it('has every acknowledged write on disk before the reply (crash copy of the files)', async () => {
    const dir = tempDir();
    const server = await start(dir);
    await withClient(server, async (client) => {
      await client.db('app').collection('events').insertOne({ seq: 1 });
      await client
        .db('app')
        .collection('events')
        .updateOne({ seq: 1 }, { $set: { seen: true } });
    });
    // Copy the data directory while the server still runs, as a crash would leave it.
    const crashCopy = tempDir();
    fs.cpSync(dir, crashCopy, { recursive: true });
    // The copy holds this live process's lock; after a real crash that pid would be gone.
    fs.rmSync(path.join(crashCopy, 'embedded-mongo.lock'));
    const recovered = await start(crashCopy);
    await withClient(recovered, async (client) => {
      expect(
        await client
          .db('app')
          .collection('events')
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({
        seq: 1,
        seen: true,
      });
    });
  });

  it('drops a torn last journal record with a warning and keeps everything before it', async () => {
    const dir = tempDir();
    const server = await start(dir);
    await withClient(server, async (client) => {
      await client
        .db('app')
        .collection('notes')
        .insertMany([{ n: 1 }, { n: 2 }]);
    });
    await server.stop();
    const journal = path.join(dir, 'journal.bin');
    // Half a record: a length prefix promising more bytes than follow, as a crash mid-append leaves.
    fs.appendFileSync(journal, Buffer.from([0x40, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x01, 0x02]));
    const warnings: string[] = [];
    const logger: Logger = { warn: (message) => warnings.push(message), info: () => undefined };
    const restarted = await start(dir, logger);
    expect(warnings).toEqual([expect.stringContaining('torn last record')]);
    await withClient(restarted, async (client) => {
      const notes = client.db('app').collection('notes');
      expect(await notes.countDocuments({})).toBe(2);
      await notes.insertOne({ n: 3 });
      expect(await notes.countDocuments({})).toBe(3);
    });
    await restarted.stop();
    // The restart compacted the journal: the torn bytes are gone and nothing more is dropped.
    const quiet: string[] = [];
    const again = await start(dir, {
      warn: (message) => quiet.push(message),
      info: () => undefined,
    });
    expect(quiet).toEqual([]);
    await withClient(again, async (client) => {
      expect(await client.db('app').collection('notes').countDocuments({})).toBe(3);
    });
  });

  it('replays a group commit cut short by a crash not at all, none of its records', async () => {
    const dir = tempDir();
    const server = await start(dir);
    const journal = path.join(dir, 'journal.bin');
    let before = 0;
    let after = 0;
    await withClient(server, async (client) => {
      const notes = client.db('app').collection('notes');
      await notes.insertOne({ n: 0 });
      before = fs.statSync(journal).size; // durable before the reply
      await notes.insertMany([1, 2, 3, 4].map((n) => ({ n, pad: 'x'.repeat(100) })));
      after = fs.statSync(journal).size;
    });
    await server.stop();
    // SIGKILL or a power loss in the middle of the insertMany's one write: its first records
    // are on disk whole, the rest is missing.
    const intact = fs.readFileSync(journal);
    for (const cut of [before + 1, Math.floor((before + after) / 2), after - 1]) {
      fs.writeFileSync(journal, intact.subarray(0, cut));
      const warnings: string[] = [];
      const restarted = await start(dir, {
        warn: (message) => warnings.push(message),
        info: () => undefined,
      });
      expect(warnings).toEqual([expect.stringContaining('torn last group commit')]);
      await withClient(restarted, async (client) => {
        const notes = client.db('app').collection('notes');
        expect(await notes.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ n: 0 }]);
      });
      await restarted.stop();
    }
  });

  it('drops a zero-filled tail (blocks a crash left unwritten) with a warning', async () => {
    const dir = tempDir();
    const server = await start(dir);
    await withClient(server, async (client) => {
      await client.db('app').collection('notes').insertOne({ n: 1 });
    });
    await server.stop();
    const journal = path.join(dir, 'journal.bin');
    const intact = fs.readFileSync(journal);
    // Only zeros, and the start of a record (length 64, checksum, 10 bytes) followed by zeros.
    const partial = Buffer.from([0x40, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const tail of [Buffer.alloc(4096), Buffer.concat([partial, Buffer.alloc(4096)])]) {
      fs.writeFileSync(journal, Buffer.concat([intact, tail]));
      const warnings: string[] = [];
      const restarted = await start(dir, {
        warn: (message) => warnings.push(message),
        info: () => undefined,
      });
      expect(warnings).toEqual([expect.stringContaining('zero-filled tail')]);
      await withClient(restarted, async (client) => {
        expect(await client.db('app').collection('notes').countDocuments({})).toBe(1);
      });
      await restarted.stop();
    }
  });

  it('compacts the journal while running, keeping the latest state', async () => {
    const dir = tempDir();
    const server = await startEmbeddedMongo({
      dataDir: dir,
      logger: silentLogger,
      journalCompactionBytes: 16 * 1024,
    });
    running.push(server);
    const journal = path.join(dir, 'journal.bin');
    await withClient(server, async (client) => {
      const counters = client.db('app').collection('counters');
      await counters.createIndex({ name: 1 }, { unique: true });
      await counters.insertOne({ name: 'hits', n: 0, pad: 'x'.repeat(200) });
      for (let i = 0; i < 400; i += 1)
        await counters.updateOne({ name: 'hits' }, { $inc: { n: 1 } });
    });
    // 400 whole-document records would be ~120 KB; compaction keeps the file near the threshold.
    expect(fs.statSync(journal).size).toBeLessThan(40 * 1024);
    await server.stop();
    const restarted = await start(dir);
    await withClient(restarted, async (client) => {
      const counters = client.db('app').collection('counters');
      expect(await counters.findOne({ name: 'hits' }, { projection: { _id: 0, n: 1 } })).toEqual({
        n: 400,
      });
      await expect(counters.insertOne({ name: 'hits' })).rejects.toMatchObject({ code: 11000 });
    });
  });

  it('refuses to start on corruption in the middle of the journal instead of losing writes', async () => {
    const dir = tempDir();
    const server = await start(dir);
    await withClient(server, async (client) => {
      const c = client.db('app').collection('c');
      await c.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
      await c.insertOne({ n: 4 }); // a second group commit after the damaged one
    });
    await server.stop();
    const journal = path.join(dir, 'journal.bin');
    const bytes = fs.readFileSync(journal);
    bytes[30] ^= 0xff; // inside the first group's first record's body
    fs.writeFileSync(journal, bytes);
    await expect(startEmbeddedMongo({ dataDir: dir, logger: silentLogger })).rejects.toBeInstanceOf(
      JournalCorruptError,
    );
  });
});

describe('embedded server only: one server per data directory', () => {
  it('refuses a second server on a directory in use, and frees it on stop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-lock-'));
    try {
      const first = await startEmbeddedMongo({ dataDir: dir, logger: silentLogger });
      await expect(
        startEmbeddedMongo({ dataDir: dir, logger: silentLogger }),
      ).rejects.toBeInstanceOf(DataDirLockedError);
      await first.stop();
      const second = await startEmbeddedMongo({ dataDir: dir, logger: silentLogger });
      await second.stop();
      // A lock naming a process that no longer exists (a crash) is taken over.
      fs.writeFileSync(path.join(dir, 'embedded-mongo.lock'), '2147483646');
      const third = await startEmbeddedMongo({ dataDir: dir, logger: silentLogger });
      await third.stop();
      // A lock naming this very pid that this process does not hold is a previous run's (a
      // restarted container reuses pids): taken over too, not refused as "in use by itself".
      fs.writeFileSync(path.join(dir, 'embedded-mongo.lock'), String(process.pid));
      const fourth = await startEmbeddedMongo({ dataDir: dir, logger: silentLogger });
      await expect(
        startEmbeddedMongo({ dataDir: dir, logger: silentLogger }),
      ).rejects.toBeInstanceOf(DataDirLockedError);
      await fourth.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded server only: restarting while the previous server is still stopping', () => {
  it('waits for a live lock holder to exit instead of refusing at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-wait-'));
    // Stands in for a server that is still flushing after Ctrl-C: alive briefly, then gone.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 700)']);
    try {
      fs.writeFileSync(path.join(dir, 'embedded-mongo.lock'), String(holder.pid));
      const server = await startEmbeddedMongo({ dataDir: dir, logger: silentLogger });
      expect(holder.exitCode ?? holder.signalCode).not.toBeNull();
      expect(fs.readFileSync(path.join(dir, 'embedded-mongo.lock'), 'utf8')).toBe(
        String(process.pid),
      );
      await server.stop();
    } finally {
      holder.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded server only: idle cursors time out', () => {
  it('closes a cursor left idle longer than cursorTimeoutMs', async () => {
    const server = await startEmbeddedMongo({
      logger: silentLogger,
      cursorTimeoutMs: 100,
      ttlMonitorIntervalMs: 20,
    });
    const client = await MongoClient.connect(server.uri);
    try {
      const db = client.db('app');
      await db.collection('c').insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
      const first = await db.command({ find: 'c', filter: {}, batchSize: 2 });
      const live = await db.command({ getMore: first.cursor.id, collection: 'c', batchSize: 2 });
      expect(live.cursor.nextBatch).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expect(db.command({ getMore: first.cursor.id, collection: 'c' })).rejects.toMatchObject(
        {
          code: 43,
        },
      );
      const kept = await db.command({ find: 'c', filter: {}, batchSize: 2, noCursorTimeout: true });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const more = await db.command({ getMore: kept.cursor.id, collection: 'c' });
      expect(more.cursor.nextBatch).toHaveLength(8);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
