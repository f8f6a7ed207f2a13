import { BSON } from 'bson';
import type { Binary } from 'bson';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JournalCorruptError, JournalWriteError } from '../errors';
import type { Logger } from '../logger';
import type { Doc } from '../query/documents';
import { crc32c } from '../wire/crc32c';
import { DESERIALIZE_OPTIONS } from '../wire/bson-codec';
import type { IndexSpec } from './indexes';

/** One logical change. `put` carries the whole document after an insert or an update. */
export type JournalRecord =
  | { op: 'create'; db: string; coll: string; options: Doc; uuid: Binary }
  | { op: 'drop'; db: string; coll: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; coll: string; name: string }
  | { op: 'put'; db: string; coll: string; doc: Doc }
  | { op: 'delete'; db: string; coll: string; id: unknown };

export const JOURNAL_FILE = 'journal.bin';
const RECORD_HEADER = 8; // uint32 body length + uint32 CRC-32C of the body

/** Frames a record as `[length][crc32c][BSON body]` so a torn tail is detectable. */
export function encodeRecord(record: JournalRecord): Buffer {
  const body = BSON.serialize(record as unknown as Doc);
  const out = Buffer.alloc(RECORD_HEADER + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32c(body), 4);
  out.set(body, RECORD_HEADER);
  return out;
}

export interface ReplayResult {
  records: number;
  /** Bytes of a torn last record that were dropped (0 when the file ended cleanly). */
  droppedBytes: number;
}

/**
 * Reads every record of a journal file. A damaged *last* record is what a crash in the
 * middle of an append leaves behind: that write was never acknowledged, so it is dropped
 * with a warning. Damage followed by more records is real corruption and stops start-up,
 * because continuing would silently lose acknowledged writes.
 */
export function replayJournal(
  file: string,
  apply: (record: JournalRecord) => void,
  logger: Logger,
): ReplayResult {
  if (!fs.existsSync(file)) return { records: 0, droppedBytes: 0 };
  const data = fs.readFileSync(file);
  let offset = 0;
  let records = 0;
  while (offset < data.length) {
    const remaining = data.length - offset;
    const torn = (reason: string): ReplayResult => {
      logger.warn(
        `journal ${file}: dropped a torn last record (${remaining} bytes at offset ${offset}: ${reason}); ` +
          'it was never acknowledged',
      );
      return { records, droppedBytes: remaining };
    };
    if (remaining < RECORD_HEADER) return torn('incomplete header');
    const length = data.readUInt32LE(offset);
    const end = offset + RECORD_HEADER + length;
    if (end > data.length) return torn('incomplete body');
    const body = data.subarray(offset + RECORD_HEADER, end);
    const isLast = end === data.length;
    let record: JournalRecord | undefined;
    if (crc32c(body) === data.readUInt32LE(offset + 4)) {
      try {
        record = BSON.deserialize(body, DESERIALIZE_OPTIONS) as unknown as JournalRecord;
      } catch {
        record = undefined;
      }
    }
    if (!record) {
      if (isLast) return torn('checksum mismatch');
      // A crash can leave the file extended over blocks whose data never reached the disk,
      // which read back as zeros: a bad record followed only by zeros is an unacknowledged
      // tail too, not corruption.
      if (isAllZero(data.subarray(end))) return torn('bad record followed by a zero-filled tail');
      throw new JournalCorruptError(
        `journal ${file} is corrupt at offset ${offset} with ${data.length - end} bytes of records after it; ` +
          'refusing to start rather than lose acknowledged writes (restore the file or move it away)',
      );
    }
    apply(record);
    records += 1;
    offset = end;
  }
  return { records, droppedBytes: 0 };
}

/** How a {@link Journal} gets the state to compact into and when it compacts while running. */
export interface JournalOptions {
  /** The current state as records: what a compaction writes. */
  snapshot: () => Iterable<JournalRecord>;
  /**
   * Compact while running once the file passes this size and has doubled since the last
   * compaction (updates append whole documents, so a busy counter grows the file fast).
   */
  compactionBytes: number;
  /** Told when a compaction while running fails (the journal itself stays intact). */
  logger: Logger;
}

/** Writes `records` atomically as `file` (aside, fsync, rename, fsync the directory); returns its size. */
function writeSnapshot(file: string, records: Iterable<JournalRecord>): number {
  const tmp = `${file}.compact`;
  const fd = fs.openSync(tmp, 'w');
  let total = 0;
  try {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (const record of records) {
      const encoded = encodeRecord(record);
      batch.push(encoded);
      batchBytes += encoded.length;
      if (batchBytes > 4 * 1024 * 1024) {
        fs.writeSync(fd, Buffer.concat(batch));
        total += batchBytes;
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) fs.writeSync(fd, Buffer.concat(batch));
    total += batchBytes;
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDirectory(path.dirname(file));
  return total;
}

function isAllZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

/**
 * The append-only journal of a data directory. Writes are grouped: records appended while a
 * write+fdatasync is in flight go out together in the next one, and `flush()` resolves when
 * everything appended before the call is on disk.
 */
export class Journal {
  private pending: Buffer[] = [];
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private bytes: number;
  private snapshotBytes: number;

  private constructor(
    private handle: fs.promises.FileHandle,
    readonly file: string,
    size: number,
    private readonly options: JournalOptions,
  ) {
    this.bytes = size;
    this.snapshotBytes = size;
  }

  /** Writes the current state as the new journal (start-up compaction) and opens it. */
  static async create(dir: string, options: JournalOptions): Promise<Journal> {
    const file = path.join(dir, JOURNAL_FILE);
    const size = writeSnapshot(file, options.snapshot());
    const handle = await fs.promises.open(file, 'a');
    return new Journal(handle, file, size, options);
  }

  append(record: JournalRecord): void {
    if (this.closed) throw new JournalWriteError(`journal ${this.file} is closed`);
    this.pending.push(encodeRecord(record));
  }

  flush(): Promise<void> {
    const next = this.tail.then(() => this.writePending());
    // A failed write must not poison later flushes; the caller of this one sees the error.
    this.tail = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.handle.close();
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    try {
      await this.handle.writeFile(data);
      await this.handle.datasync();
    } catch (error) {
      // These records are already applied in memory: keep them for the next flush, and cut
      // off whatever part of them reached the file first, so that a retry cannot leave a torn
      // record in the middle of the journal (which would stop the next start-up).
      this.pending.unshift(data);
      await this.handle.truncate(this.bytes).catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new JournalWriteError(`journal write failed (${reason}); the write is not durable`);
    }
    this.bytes += data.length;
    try {
      await this.maybeCompact();
    } catch (error) {
      // The appended records are durable; a failed compaction only leaves the file larger.
      this.options.logger.warn(
        `journal compaction failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async maybeCompact(): Promise<void> {
    const { compactionBytes } = this.options;
    if (this.bytes < compactionBytes || this.bytes < 2 * this.snapshotBytes) return;
    // Only when nothing is pending: the snapshot then equals "file contents", so records
    // appended from here on follow it in order (replaying older records on top of a newer
    // snapshot could trip unique indexes on states that never coexisted).
    if (this.pending.length > 0) return;
    const size = writeSnapshot(this.file, this.options.snapshot());
    const old = this.handle;
    this.handle = await fs.promises.open(this.file, 'a');
    await old.close();
    this.bytes = size;
    this.snapshotBytes = size;
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}
