import { BSON } from 'bson';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalCorruptError, JournalWriteError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { crc32c } from '../wire/crc32c';
import { FailingFileSystem } from '../../test/failing-file-system';
import type { JournalRecord } from './journal';
import {
  compactionFile,
  encodeGroup,
  encodeRecord,
  JOURNAL_FILE,
  Journal,
  removeLeftoverCompaction,
  replayJournal,
} from './journal';

function put(n: number): JournalRecord {
  return { op: 'put', db: 'app', coll: 'c', doc: { _id: n, pad: 'x'.repeat(100) } };
}

const NOT_DURABLE = /^journal write failed \(ENOSPC\); the write is not durable$/;

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message), info: () => undefined };
}

describe('Journal write failures (embedded server internals)', () => {
  let dir: string;
  let files: FailingFileSystem;
  let journal: Journal;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-journal-'));
    files = new FailingFileSystem();
    journal = await Journal.create(dir, {
      snapshot: () => [],
      compactionBytes: 64 * 1024 * 1024,
      logger: silentLogger,
      fileSystem: files,
    });
  });

  afterEach(async () => {
    await journal.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function replayed(): number[] {
    const ids: number[] = [];
    const logger = capture();
    replayJournal(
      path.join(dir, JOURNAL_FILE),
      (record) => {
        if (record.op === 'put') ids.push(record.doc._id as number);
      },
      logger,
    );
    expect(logger.warnings).toEqual([]);
    return ids;
  }

  it('rolls a failed write back (its undo runs) and never retries it', async () => {
    const undone: number[] = [];
    files.failWrites = 1;
    journal.append(put(1), () => undone.push(1));
    const failed = journal.flush();
    await expect(failed).rejects.toBeInstanceOf(JournalWriteError);
    await expect(failed).rejects.toMatchObject({
      code: 1,
      message: expect.stringMatching(NOT_DURABLE),
    });
    expect(undone).toEqual([1]);
    journal.append(put(2));
    await journal.flush();
    expect(replayed()).toEqual([2]);
  });

  it('cuts off a partly written group, so no torn record is left mid-file', async () => {
    files.failWrites = 1;
    files.partialBytes = 20;
    journal.append(put(1));
    await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
    journal.append(put(2));
    await journal.flush();
    expect(replayed()).toEqual([2]);
  });

  it('retries a failed cut-back before the next write', async () => {
    files.failWrites = 1;
    files.partialBytes = 20;
    files.failTruncates = 1;
    journal.append(put(1));
    await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
    journal.append(put(2));
    await journal.flush();
    expect(replayed()).toEqual([2]);
  });

  it('rolls back, in reverse order, everything queued behind a failing group', async () => {
    const undone: number[] = [];
    journal.append(put(0));
    await journal.flush();
    const release = files.hold();
    files.failWrites = 1;
    journal.append(put(1), () => undone.push(1));
    const first = journal.flush();
    await files.writesStarted(2);
    // Appended while the failing group is in flight: it may build on it, so it goes too.
    journal.append(put(2), () => undone.push(2));
    journal.append(put(3), () => undone.push(3));
    const second = journal.flush();
    release();
    await expect(first).rejects.toBeInstanceOf(JournalWriteError);
    await expect(second).rejects.toBeInstanceOf(JournalWriteError);
    expect(undone).toEqual([3, 2, 1]);
    expect(files.writes).toHaveLength(2); // the queued records were discarded, not written
    expect(replayed()).toEqual([0]);
  });

  it('fails only the flushes whose records were rolled back', async () => {
    const release = files.hold();
    journal.append(put(1));
    const durable = journal.flush(0);
    await files.writesStarted(1);
    const mark = journal.position;
    journal.append(put(2));
    files.failWrites = 1; // the next group, holding record 2 only
    const failed = journal.flush(mark);
    release();
    await expect(durable).resolves.toBeUndefined();
    await expect(failed).rejects.toBeInstanceOf(JournalWriteError);
    // A command that wrote nothing (its mark is the current position) is never failed.
    await expect(journal.flush(journal.position)).resolves.toBeUndefined();
    expect(replayed()).toEqual([1]);
  });
});

describe('Journal compaction on a tight disk (embedded server internals)', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-compact-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function writeJournal(records: JournalRecord[], tail: Buffer = Buffer.alloc(0)): string {
    const file = path.join(dir, JOURNAL_FILE);
    fs.writeFileSync(file, Buffer.concat([...records.map(encodeRecord), tail]));
    return file;
  }

  function replayIds(file: string): number[] {
    const ids: number[] = [];
    const logger = capture();
    replayJournal(
      file,
      (record) => record.op === 'put' && ids.push(record.doc._id as number),
      logger,
    );
    expect(logger.warnings).toEqual([]);
    return ids;
  }

  it('keeps appending to the existing journal when there is no room to compact', async () => {
    // Five versions of one document: compaction would keep one.
    const file = writeJournal([put(1), put(1), put(1), put(1), put(1)]);
    const before = fs.statSync(file).size;
    const files = new FailingFileSystem();
    files.free = 1000;
    const logger = capture();
    const journal = await Journal.create(dir, {
      snapshot: () => [put(1)],
      compactionBytes: 64 * 1024 * 1024,
      logger,
      fileSystem: files,
    });
    expect(logger.warnings).toEqual([
      expect.stringMatching(
        /not compacted at start-up: it needs about \d+ bytes free .*, 1000 are; replayed in place/,
      ),
    ]);
    expect(fs.existsSync(compactionFile(dir))).toBe(false);
    expect(fs.statSync(file).size).toBe(before);
    journal.append(put(2));
    await journal.close();
    expect(replayIds(file)).toEqual([1, 1, 1, 1, 1, 2]);
  });

  it('cuts a torn tail off before appending in place', async () => {
    const torn = Buffer.from([0x40, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x01]);
    const file = writeJournal([put(1)], torn);
    const logger = capture();
    const replay = replayJournal(file, () => undefined, logger);
    expect(replay.droppedBytes).toBe(torn.length);
    const files = new FailingFileSystem();
    files.free = 0;
    const journal = await Journal.create(
      dir,
      { snapshot: () => [put(1)], compactionBytes: 1 << 26, logger, fileSystem: files },
      replay,
    );
    journal.append(put(2));
    await journal.close();
    expect(replayIds(file)).toEqual([1, 2]);
  });

  it('removes its temporary file when a start-up compaction fails, and goes on in place', async () => {
    const file = writeJournal([put(1), put(1)]);
    const logger = capture();
    let calls = 0;
    function* failingSnapshot(): Generator<JournalRecord> {
      calls += 1;
      yield put(1);
      // The size pass succeeds; the write pass fails half-way, as a disk error would.
      if (calls > 1) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    }
    const journal = await Journal.create(dir, {
      snapshot: failingSnapshot,
      compactionBytes: 1 << 26,
      logger,
    });
    expect(logger.warnings).toEqual([expect.stringContaining('compaction failed (EIO)')]);
    expect(fs.existsSync(compactionFile(dir))).toBe(false);
    journal.append(put(2));
    await journal.close();
    expect(replayIds(file)).toEqual([1, 1, 2]);
  });

  it('skips a running compaction without room, and cleans up after a failed one', async () => {
    const files = new FailingFileSystem();
    const logger = capture();
    let calls = 0;
    let failFromCall = Number.POSITIVE_INFINITY;
    function* snapshot(): Generator<JournalRecord> {
      calls += 1;
      yield put(1);
      if (calls >= failFromCall) throw new Error('snapshot failed');
    }
    const journal = await Journal.create(dir, {
      snapshot,
      compactionBytes: 1024,
      logger,
      fileSystem: files,
    });
    files.free = 10;
    for (let i = 0; i < 12; i += 1) journal.append(put(1));
    await journal.flush();
    expect(logger.warnings).toEqual([expect.stringMatching(/not compacted: it needs about/)]);
    expect(fs.existsSync(compactionFile(dir))).toBe(false);
    // Room now, but the compaction itself fails: the journal stays intact, the file goes.
    files.free = Number.POSITIVE_INFINITY;
    failFromCall = calls + 2; // the size pass works, the write pass fails half-way
    for (let i = 0; i < 40; i += 1) journal.append(put(1));
    await journal.flush();
    expect(logger.warnings[1]).toContain('journal compaction failed');
    expect(fs.existsSync(compactionFile(dir))).toBe(false);
    await journal.close();
    expect(replayIds(path.join(dir, JOURNAL_FILE))).toHaveLength(1 + 12 + 40);
  });

  it('removes a leftover journal.bin.compact with a warning', () => {
    fs.writeFileSync(compactionFile(dir), Buffer.alloc(1024, 7));
    const logger = capture();
    removeLeftoverCompaction(dir, logger);
    expect(fs.existsSync(compactionFile(dir))).toBe(false);
    expect(logger.warnings).toEqual([expect.stringContaining('journal.bin.compact')]);
    removeLeftoverCompaction(dir, logger);
    expect(logger.warnings).toHaveLength(1);
  });
});

/**
 * A record exactly as journals written before group commits hold it, built here byte by byte
 * (`[body length][CRC-32C of the body][BSON body]`, no group around it) rather than with the
 * current encoder, so the test keeps describing the files on developers' disks.
 */
function oldFormatRecord(record: JournalRecord): Buffer {
  const body = BSON.serialize(record as unknown as Record<string, unknown>);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32c(body), 4);
  return Buffer.concat([header, body]);
}

describe('Journal group commits are replayed whole (embedded server internals)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-groups-'));
    file = path.join(dir, JOURNAL_FILE);
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function replay(logger: Logger = silentLogger): number[] {
    const ids: number[] = [];
    replayJournal(
      file,
      (record) => record.op === 'put' && ids.push(record.doc._id as number),
      logger,
    );
    return ids;
  }

  async function open(files: FailingFileSystem, logger: Logger = silentLogger): Promise<Journal> {
    return Journal.create(dir, {
      snapshot: () => [],
      compactionBytes: 64 * 1024 * 1024,
      logger,
      fileSystem: files,
    });
  }

  it('replays none of a group cut short at any byte, zero-filled or not', () => {
    const durable = encodeGroup([encodeRecord(put(0))]);
    const group = encodeGroup([put(1), put(2), put(3)].map(encodeRecord));
    for (let cut = 1; cut < group.length; cut += 1) {
      const prefix = group.subarray(0, cut);
      // As a crash leaves it; and with the rest of the group's blocks read back as zeros.
      for (const tail of [prefix, Buffer.concat([prefix, Buffer.alloc(group.length - cut)])]) {
        if (tail.equals(group)) continue; // the group's own last bytes are zeros (BSON ends so)
        fs.writeFileSync(file, Buffer.concat([durable, tail]));
        const logger = capture();
        const result = replayJournal(file, () => undefined, logger);
        expect(result).toEqual({
          records: 1,
          droppedBytes: tail.length,
          validBytes: durable.length,
        });
        // Under 4 bytes followed by zeros, not even the group's magic is there to name it.
        const what = cut < 4 ? /dropped a torn last/ : /dropped a torn last group commit/;
        expect(logger.warnings).toEqual([expect.stringMatching(what)]);
      }
    }
  });

  it('replays none of a failed group write whose cut-back failed too (then a crash)', async () => {
    for (const partialBytes of [1, 15, 16, 40, 200, 300]) {
      const files = new FailingFileSystem();
      const journal = await open(files);
      journal.append(put(0));
      await journal.flush();
      files.failWrites = 1;
      files.partialBytes = partialBytes;
      files.failTruncates = 100;
      for (const n of [1, 2, 3]) journal.append(put(n));
      await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
      expect(files.writes[1]).toBeGreaterThan(partialBytes); // the write really was cut short
      // The process dies here: the file still holds the partial group.
      const logger = capture();
      expect(replay(logger)).toEqual([0]);
      expect(logger.warnings).toEqual([expect.stringContaining('torn last group commit')]);
      await journal.close();
      fs.rmSync(file);
    }
  });

  it('cuts a failed write back at close even when nothing is queued', async () => {
    const files = new FailingFileSystem();
    const journal = await open(files);
    journal.append(put(0));
    await journal.flush();
    const durableSize = fs.statSync(file).size;
    files.failWrites = 1;
    files.partialBytes = 40;
    files.failTruncates = 1; // the cut-back right after the failed write fails
    journal.append(put(1));
    await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
    expect(fs.statSync(file).size).toBe(durableSize + 40);
    await journal.close();
    expect(fs.statSync(file).size).toBe(durableSize);
    const logger = capture();
    expect(replay(logger)).toEqual([0]);
    expect(logger.warnings).toEqual([]);
  });

  it('warns when the cut-back fails at close as well', async () => {
    const files = new FailingFileSystem();
    const logger = capture();
    const journal = await open(files, logger);
    files.failWrites = 1;
    files.partialBytes = 40;
    files.failTruncates = 100;
    journal.append(put(1));
    await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
    await journal.close();
    expect(logger.warnings).toEqual([
      expect.stringMatching(/could not cut off the bytes of a failed write at close \(EIO\)/),
    ]);
    expect(replay()).toEqual([]);
  });

  it('still replays a journal written before group commits, and appends groups to it', async () => {
    const old = [put(1), put(2), { op: 'delete', db: 'app', coll: 'c', id: 1 } as JournalRecord];
    fs.writeFileSync(file, Buffer.concat(old.map(oldFormatRecord)));
    const ops: string[] = [];
    const logger = capture();
    const result = replayJournal(file, (record) => ops.push(record.op), logger);
    expect(ops).toEqual(['put', 'put', 'delete']);
    expect(logger.warnings).toEqual([]);
    // No room to compact: the old records stay and new groups follow them in the same file.
    const files = new FailingFileSystem();
    files.free = 0;
    const journal = await Journal.create(
      dir,
      {
        snapshot: () => [put(2)],
        compactionBytes: 1 << 26,
        logger: silentLogger,
        fileSystem: files,
      },
      result,
    );
    journal.append(put(3));
    journal.append(put(4));
    await journal.close();
    expect(replay(logger)).toEqual([1, 2, 3, 4]);
    expect(logger.warnings).toEqual([]);
    // With room, start-up rewrites it in the new format; the same state replays.
    const compacted = await Journal.create(dir, {
      snapshot: () => [put(2), put(3), put(4)],
      compactionBytes: 1 << 26,
      logger: silentLogger,
    });
    await compacted.close();
    expect(fs.readFileSync(file).readUInt32LE(0)).not.toBe(oldFormatRecord(put(2)).readUInt32LE(0));
    expect(replay(logger)).toEqual([2, 3, 4]);
    expect(logger.warnings).toEqual([]);
  });

  it('drops a torn last record of an old-format journal, and refuses one damaged mid-file', () => {
    const records = [put(1), put(2)].map(oldFormatRecord);
    const torn = records[1].subarray(0, 30);
    fs.writeFileSync(file, Buffer.concat([records[0], torn]));
    const logger = capture();
    expect(replay(logger)).toEqual([1]);
    expect(logger.warnings).toEqual([expect.stringContaining('torn last record')]);
    const damaged = Buffer.concat(records);
    damaged[12] ^= 0xff;
    fs.writeFileSync(file, damaged);
    expect(() => replay()).toThrow(JournalCorruptError);
  });

  it('refuses to start on a damaged group followed by more data', () => {
    const first = encodeGroup([put(1), put(2)].map(encodeRecord));
    const second = encodeGroup([encodeRecord(put(3))]);
    // A byte of a record inside the group, a byte of the group's length, its record count.
    for (const at of [16 + 8 + 20, 5, 8]) {
      const damaged = Buffer.concat([first, second]);
      damaged[at] ^= 0x01;
      fs.writeFileSync(file, damaged);
      const applied: number[] = [];
      expect(() =>
        replayJournal(file, (record) => record.op === 'put' && applied.push(1), silentLogger),
      ).toThrow(JournalCorruptError);
      expect(applied).toEqual([]); // nothing of a damaged group is applied
    }
  });
});
