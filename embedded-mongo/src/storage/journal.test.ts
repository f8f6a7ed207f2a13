import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalWriteError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { FailingFileSystem } from '../../test/failing-file-system';
import type { JournalRecord } from './journal';
import {
  compactionFile,
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
