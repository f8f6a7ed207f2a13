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
  | { op: 'delete'; db: string; coll: string; id: unknown }
  /** collMod: the collection's new options and/or the new spec of one index (same name). */
  | { op: 'collMod'; db: string; coll: string; options?: Doc; index?: IndexSpec };

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
  /** Length of the intact part of the file: where appends continue when it is not compacted. */
  validBytes: number;
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
  if (!fs.existsSync(file)) return { records: 0, droppedBytes: 0, validBytes: 0 };
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
      return { records, droppedBytes: remaining, validBytes: offset };
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
  return { records, droppedBytes: 0, validBytes: offset };
}

/**
 * The file operations behind the journal's appends and its free-space check. The default is
 * Node's `fs`; unit tests pass a shim that fails a write on demand (a full disk) without
 * touching the database code.
 */
export interface JournalFileSystem {
  /** Opens `file` for appending, creating it if missing. */
  openForAppend(file: string): Promise<JournalFileHandle>;
  /** Bytes this process may still write on the filesystem holding `dir`. */
  freeBytes(dir: string): number;
}

/** The subset of `fs.promises.FileHandle` the journal uses. */
export interface JournalFileHandle {
  writeFile(data: Buffer): Promise<void>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Node's file system: `fs.promises` handles, free space from `statfs`. */
export const nodeJournalFileSystem: JournalFileSystem = {
  openForAppend: (file) => fs.promises.open(file, 'a'),
  freeBytes: (dir) => {
    try {
      const stats = fs.statfsSync(dir);
      return stats.bavail * stats.bsize;
    } catch {
      // No statfs here (or not for this filesystem): try to compact; a failure is cleaned up.
      return Number.POSITIVE_INFINITY;
    }
  },
};

/** How a {@link Journal} gets the state to compact into and when it compacts while running. */
export interface JournalOptions {
  /** The current state as records: what a compaction writes. */
  snapshot: () => Iterable<JournalRecord>;
  /**
   * Compact while running once the file passes this size and has doubled since the last
   * compaction (updates append whole documents, so a busy counter grows the file fast).
   */
  compactionBytes: number;
  /** Told when a compaction is skipped or fails, and when an undo fails (the journal stays intact). */
  logger: Logger;
  /** The file layer; default {@link nodeJournalFileSystem}. */
  fileSystem?: JournalFileSystem;
}

/**
 * Undoes one in-memory change. Every appended record carries one, built by the store from
 * what the change replaced (the previous document or its absence, the dropped collection or
 * index), so a record that never became durable can be taken back.
 */
export type Undo = () => void;

/** The temporary file a compaction writes before renaming it over the journal. */
export function compactionFile(dir: string): string {
  return path.join(dir, `${JOURNAL_FILE}.compact`);
}

/**
 * Removes a `journal.bin.compact` left by a compaction that died half-way (a crash, a full
 * disk in an older version): it is never part of the data, and on a tight disk it holds the
 * very space the next compaction needs. Call it once the data directory is locked.
 */
export function removeLeftoverCompaction(dir: string, logger: Logger): void {
  const tmp = compactionFile(dir);
  if (!fs.existsSync(tmp)) return;
  fs.rmSync(tmp, { force: true });
  logger.warn(`removed ${tmp} left by an earlier compaction that did not finish`);
}

/** Extra free space a compaction wants beyond its file: block rounding, metadata, other writers. */
function compactionMargin(expected: number): number {
  return 64 * 1024 + Math.ceil(expected / 16);
}

/** Size of the file {@link writeSnapshot} would write, without serializing anything. */
function snapshotSize(records: Iterable<JournalRecord>): number {
  let total = 0;
  for (const record of records) total += RECORD_HEADER + BSON.calculateObjectSize(record as Doc);
  return total;
}

/** Writes `records` to `tmp` and fsyncs it; returns its size. */
function writeSnapshot(tmp: string, records: Iterable<JournalRecord>): number {
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
        writeAll(fd, Buffer.concat(batch));
        total += batchBytes;
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) writeAll(fd, Buffer.concat(batch));
    total += batchBytes;
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return total;
}

/**
 * `write(2)` may write less than asked, as when a disk fills up (the next call then fails):
 * ignoring the count would rename a silently truncated snapshot over the journal.
 */
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += fs.writeSync(fd, data, offset);
}

type Compaction =
  | { done: true; handle: JournalFileHandle; size: number }
  | { done: false; reason: string; liveBytes: number };

/**
 * Rewrites the journal as `snapshot()` (aside, fsync, rename, fsync the directory) when the
 * disk has room for it, and returns the new file opened for appending. The new file is opened
 * before the rename, so the handle never points at the replaced file. Any failure removes the
 * temporary file and leaves the journal as it was; not enough room is not a failure (`done:
 * false`), since the existing journal stays valid, only larger.
 */
async function compact(
  file: string,
  snapshot: () => Iterable<JournalRecord>,
  files: JournalFileSystem,
): Promise<Compaction> {
  const dir = path.dirname(file);
  const tmp = compactionFile(dir);
  // The size pass and the write pass below run in the same tick as the caller's snapshot
  // decision, so both see the same state.
  const liveBytes = snapshotSize(snapshot());
  const free = files.freeBytes(dir);
  const wanted = liveBytes + compactionMargin(liveBytes);
  if (free < wanted) {
    return {
      done: false,
      liveBytes,
      reason: `it needs about ${wanted} bytes free (${liveBytes} of data), ${free} are`,
    };
  }
  let handle: JournalFileHandle | undefined;
  try {
    const size = writeSnapshot(tmp, snapshot());
    handle = await files.openForAppend(tmp);
    fs.renameSync(tmp, file);
    syncDirectory(dir);
    return { done: true, handle, size };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

function isAllZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

interface PendingRecord {
  data: Buffer;
  undo: Undo;
}

/** A `flush()` in progress: it fails if any record numbered in (after, through] is rolled back. */
interface Waiter {
  after: number;
  through: number;
  error?: JournalWriteError;
}

/**
 * The append-only journal of a data directory.
 *
 * Group commit: records appended while a write+fdatasync is in flight go out together in the
 * next one, so concurrent commands share one fdatasync.
 *
 * Atomicity: a change is applied in memory first (the unique-index checks and the update
 * itself decide whether there is anything to write) and appended here with its {@link Undo}.
 * A command is acknowledged only once its records are durable. When a group's write or
 * fdatasync fails, that group and every record queued after it are rolled back: undone in
 * memory in reverse order (later changes may build on earlier ones: an update of a document
 * inserted in the failed group, a second insert into a collection the group created) and
 * discarded, never retried. The file is cut back to its last good size before anything else
 * is written, and every `flush()` waiting on one of those records rejects with the error, so
 * each command in the group, from whichever connection, answers "not done". Records are
 * numbered from 1 in append order; a waiter names the range it depends on, which is how
 * concurrent commands of one group all learn about the failure.
 *
 * Nothing runs between a command's in-memory change and its `append` (both are synchronous),
 * and a rollback runs between commands, never inside one.
 */
export class Journal {
  private pending: PendingRecord[] = [];
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** Size of the durable part of the file: where a failed write is cut back to. */
  private bytes: number;
  private snapshotBytes: number;
  /** Number of the last record appended. */
  private appended = 0;
  /** Every record up to this number is settled: durable, or rolled back. */
  private settled = 0;
  private readonly waiters = new Set<Waiter>();
  /** A failed write may have left bytes past `bytes`: cut them off before the next write. */
  private needsRepair = false;
  private readonly files: JournalFileSystem;

  private constructor(
    private handle: JournalFileHandle,
    readonly file: string,
    size: number,
    snapshotBytes: number,
    private readonly options: JournalOptions,
  ) {
    this.bytes = size;
    this.snapshotBytes = snapshotBytes;
    this.files = options.fileSystem ?? nodeJournalFileSystem;
  }

  /**
   * Opens the journal of `dir` after its replay. Start-up compaction: the replayed state
   * becomes the new journal when the disk has room for it; otherwise (or if compaction fails)
   * the existing file is kept, cut back to its intact part (`replay.validBytes`, dropping a
   * torn tail), appended to, and a warning says so.
   */
  static async create(
    dir: string,
    options: JournalOptions,
    replay?: Pick<ReplayResult, 'validBytes'>,
  ): Promise<Journal> {
    const file = path.join(dir, JOURNAL_FILE);
    const files = options.fileSystem ?? nodeJournalFileSystem;
    let liveBytes = 0;
    try {
      const result = await compact(file, options.snapshot, files);
      if (result.done) return new Journal(result.handle, file, result.size, result.size, options);
      liveBytes = result.liveBytes;
      options.logger.warn(
        `journal ${file} not compacted at start-up: ${result.reason}; replayed in place, ` +
          'appending to the existing journal',
      );
    } catch (error) {
      options.logger.warn(
        `journal ${file} not compacted at start-up: compaction failed (${describeError(error)}); ` +
          'replayed in place, appending to the existing journal',
      );
    }
    const onDisk = fs.existsSync(file) ? fs.statSync(file).size : 0;
    const validBytes = Math.min(replay?.validBytes ?? onDisk, onDisk);
    const handle = await files.openForAppend(file);
    try {
      if (onDisk > validBytes) {
        // Appending after a torn tail would put damage in the middle of the journal.
        await handle.truncate(validBytes);
        await handle.datasync();
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    // The live data's size stands in for the last compaction's, so a running compaction is
    // tried once the file is twice the data (and past compactionBytes).
    return new Journal(handle, file, validBytes, liveBytes, options);
  }

  /** Number of records appended so far; `flush(after)` takes such a number. */
  get position(): number {
    return this.appended;
  }

  /** Queues a record for the next group write; `undo` takes its change back if that write fails. */
  append(record: JournalRecord, undo: Undo = () => undefined): void {
    if (this.closed) throw new JournalWriteError(`journal ${this.file} is closed`);
    this.pending.push({ data: encodeRecord(record), undo });
    this.appended += 1;
  }

  /**
   * Resolves once every record appended so far is durable. Rejects with a
   * {@link JournalWriteError} if any record numbered above `after` (default: every record not
   * yet settled at the call) was rolled back instead; a command passes the {@link position} it
   * started at, so it fails exactly when one of its own records did.
   */
  async flush(after: number = this.settled): Promise<void> {
    const waiter: Waiter = { after, through: this.appended };
    this.waiters.add(waiter);
    const step = this.tail.then(() => this.writePending());
    this.tail = step.catch(() => undefined);
    try {
      await step;
    } finally {
      this.waiters.delete(waiter);
    }
    if (waiter.error) throw waiter.error;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.tail; // a compaction may be swapping the handle
      await this.handle.close();
    }
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const group = this.pending;
    const through = this.appended;
    this.pending = [];
    const data = Buffer.concat(group.map((record) => record.data));
    try {
      if (this.needsRepair) await this.repair();
      await this.handle.writeFile(data);
      await this.handle.datasync();
    } catch (error) {
      this.rollBack(group, error);
      // Best effort now; if the cut fails too, the next write retries it before writing.
      await this.repair().catch(() => undefined);
      return;
    }
    this.bytes += data.length;
    this.settled = through;
    try {
      await this.maybeCompact();
    } catch (error) {
      // The appended records are durable; a failed compaction only leaves the file larger.
      this.options.logger.warn(`journal compaction failed: ${describeError(error)}`);
    }
  }

  /**
   * Takes back the failed group and everything queued after it (synchronously, so no command
   * sees a half-undone state) and fails every waiter depending on one of those records.
   */
  private rollBack(group: PendingRecord[], cause: unknown): void {
    const victims = [...group, ...this.pending];
    this.pending = [];
    const from = this.settled;
    const to = this.appended;
    this.settled = to;
    for (let i = victims.length - 1; i >= 0; i -= 1) {
      try {
        victims[i].undo();
      } catch (error) {
        // Cannot happen when undos run in exact reverse order; said loudly if it ever does.
        this.options.logger.warn(
          `journal rollback: undoing a change failed (${describeError(error)}); ` +
            'the in-memory state may differ from the journal until a restart',
        );
      }
    }
    const error = new JournalWriteError(
      `journal write failed (${describeError(cause)}); the write is not durable`,
    );
    for (const waiter of this.waiters) {
      if (waiter.after < to && waiter.through > from) waiter.error = error;
    }
  }

  /** Cuts the file back to its durable size, so a failed write leaves no bytes behind. */
  private async repair(): Promise<void> {
    this.needsRepair = true;
    await this.handle.truncate(this.bytes);
    await this.handle.datasync();
    this.needsRepair = false;
  }

  private async maybeCompact(): Promise<void> {
    const { compactionBytes } = this.options;
    if (this.bytes < compactionBytes || this.bytes < 2 * this.snapshotBytes) return;
    // Only when nothing is pending: the snapshot then equals "file contents", so records
    // appended from here on follow it in order (replaying older records on top of a newer
    // snapshot could trip unique indexes on states that never coexisted). For the same
    // reason no rolled-back change can be in it: those are undone before anything else runs.
    if (this.pending.length > 0) return;
    const result = await compact(this.file, this.options.snapshot, this.files);
    if (!result.done) {
      // Try again once the file has doubled once more, rather than on every write.
      this.snapshotBytes = this.bytes;
      this.options.logger.warn(
        `journal ${this.file} not compacted: ${result.reason}; appending to the existing journal`,
      );
      return;
    }
    const old = this.handle;
    this.handle = result.handle;
    await old.close();
    this.bytes = result.size;
    this.snapshotBytes = result.size;
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
