import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalWriteError } from '../errors';
import { silentLogger } from '../logger';
import type { JournalRecord } from './journal';
import { JOURNAL_FILE, Journal, replayJournal } from './journal';

/** What a full disk reports. */
class DiskFullError extends Error {
  readonly code = 'ENOSPC';
}

function put(n: number): JournalRecord {
  return { op: 'put', db: 'app', coll: 'c', doc: { _id: n, pad: 'x'.repeat(100) } };
}

describe('Journal write failures (embedded server internals)', () => {
  let dir: string;
  let journal: Journal;
  let fileHandleProto: { writeFile: (data: Buffer) => Promise<void> };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-journal-'));
    journal = await Journal.create(dir, {
      snapshot: () => [],
      compactionBytes: 64 * 1024 * 1024,
      logger: silentLogger,
    });
    const probe = await fs.promises.open(path.join(dir, JOURNAL_FILE), 'r');
    fileHandleProto = Object.getPrototypeOf(probe) as typeof fileHandleProto;
    await probe.close();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await journal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function replayed(): number[] {
    const ids: number[] = [];
    const warnings: string[] = [];
    replayJournal(
      path.join(dir, JOURNAL_FILE),
      (record) => {
        if (record.op === 'put') ids.push(record.doc._id as number);
      },
      { warn: (message) => warnings.push(message), info: () => undefined },
    );
    expect(warnings).toEqual([]);
    return ids;
  }

  it('reports a failed write as JournalWriteError and writes those records on the next flush', async () => {
    jest.spyOn(fileHandleProto, 'writeFile').mockRejectedValueOnce(new DiskFullError('no space'));
    journal.append(put(1));
    await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
    journal.append(put(2));
    await journal.flush();
    expect(replayed()).toEqual([1, 2]);
  });

  it('cuts off a partly written batch before retrying, so no torn record is left mid-file', async () => {
    const original = fileHandleProto.writeFile;
    jest.spyOn(fileHandleProto, 'writeFile').mockImplementationOnce(async function (
      this: typeof fileHandleProto,
      data: Buffer,
    ) {
      await original.call(this, data.subarray(0, 20));
      throw new DiskFullError('no space after 20 bytes');
    });
    journal.append(put(1));
    await expect(journal.flush()).rejects.toBeInstanceOf(JournalWriteError);
    journal.append(put(2));
    await journal.flush();
    expect(replayed()).toEqual([1, 2]);
  });
});
