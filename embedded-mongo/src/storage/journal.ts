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
/**
 * First field of a group header. A bare record starts with its body's length, a BSON size far
 * below this (documents are capped at 16 MiB), so the two framings cannot be confused.
 */
const GROUP_MAGIC = 0x52474d45; // "EMGR" as little-endian bytes
/** uint32 magic + uint32 payload length + uint32 record count + uint32 CRC-32C of those 12 bytes. */
const GROUP_HEADER = 16;
/** Records per compaction group are batched up to about this many bytes. */
const SNAPSHOT_GROUP_BYTES = 4 * 1024 * 1024;

/**
 * Frames a record as `[length][crc32c][BSON body]` so a damaged record is detectable. Records
 * are written inside groups ({@link encodeGroup}); journals from before groups hold bare ones.
 */
export function encodeRecord(record: JournalRecord): Buffer {
  const body = BSON.serialize(record as unknown as Doc);
  const out = Buffer.alloc(RECORD_HEADER + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32c(body), 4);
  out.set(body, RECORD_HEADER);
  return out;
}

/**
 * Frames encoded records as one group: `[magic][payload length][record count][header crc32c]`
 * then the records. A group is one write (a group commit, or a batch of a compaction) and is
 * replayed whole or not at all, so a write cut short (a crash, or a failed write whose
 * cut-back failed too) never brings back part of it. The header's CRC guards its length and
 * count; each record inside carries its own CRC, so every byte of the group is checked.
 */
export function encodeGroup(records: readonly Buffer[]): Buffer {
  let payload = 0;
  for (const record of records) payload += record.length;
  const out = Buffer.allocUnsafe(GROUP_HEADER + payload);
  out.writeUInt32LE(GROUP_MAGIC, 0);
  out.writeUInt32LE(payload, 4);
  out.writeUInt32LE(records.length, 8);
  out.writeUInt32LE(crc32c(out.subarray(0, 12)), 12);
  let offset = GROUP_HEADER;
  for (const record of records) {
    out.set(record, offset);
    offset += record.length;
  }
  return out;
}

/** Decodes one framed record at `offset`, or says why it cannot. */
function readRecord(
  data: Buffer,
  offset: number,
  limit: number,
): { record: JournalRecord; end: number } | { error: string; end?: number } {
  if (limit - offset < RECORD_HEADER) return { error: 'incomplete header' };
  const end = offset + RECORD_HEADER + data.readUInt32LE(offset);
  if (end > limit) return { error: 'incomplete body' };
  const body = data.subarray(offset + RECORD_HEADER, end);
  if (crc32c(body) !== data.readUInt32LE(offset + 4)) return { error: 'checksum mismatch', end };
  try {
    return { record: BSON.deserialize(body, DESERIALIZE_OPTIONS) as unknown as JournalRecord, end };
  } catch {
    return { error: 'undecodable record', end };
  }
}

/** The records of the group at `offset`, all checked before any is applied, or why not. */
function readGroup(
  data: Buffer,
  offset: number,
): { records: JournalRecord[]; end: number } | { error: string; end?: number } {
  if (data.length - offset < GROUP_HEADER) return { error: 'incomplete group header' };
  if (crc32c(data.subarray(offset, offset + 12)) !== data.readUInt32LE(offset + 12)) {
    return { error: 'group header checksum mismatch', end: offset + GROUP_HEADER };
  }
  const end = offset + GROUP_HEADER + data.readUInt32LE(offset + 4);
  if (end > data.length) return { error: 'incomplete group' };
  const count = data.readUInt32LE(offset + 8);
  const records: JournalRecord[] = [];
  let at = offset + GROUP_HEADER;
  while (at < end) {
    const read = readRecord(data, at, end);
    if ('error' in read) return { error: `record ${records.length + 1}: ${read.error}`, end };
    records.push(read.record);
    at = read.end;
  }
  if (records.length !== count) {
    return { error: `${records.length} records where the header says ${count}`, end };
  }
  return { records, end };
}

export interface ReplayResult {
  records: number;
  /** Bytes of a torn last group (or record) that were dropped (0 when the file ended cleanly). */
  droppedBytes: number;
  /** Length of the intact part of the file: where appends continue when it is not compacted. */
  validBytes: number;
}

/**
 * Reads every record of a journal file, group by group ({@link encodeGroup}); bare records
 * outside any group, as journals written before groups hold, are read one by one as before.
 * A damaged *last* group (or bare record) is what a crash in the middle of an append leaves
 * behind: that write was never acknowledged, so all of it is dropped with a warning, and so is
 * damage followed only by zeros. Damage followed by more data is real corruption and stops
 * start-up, because continuing would silently lose acknowledged writes.
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
    const grouped = startsGroup(data.subarray(offset, offset + 4));
    const read = grouped ? readGroup(data, offset) : readRecord(data, offset, data.length);
    if ('error' in read) {
      const what = grouped ? 'group commit' : 'record';
      const remaining = data.length - offset;
      const torn = (reason: string): ReplayResult => {
        logger.warn(
          `journal ${file}: dropped a torn last ${what} (${remaining} bytes at offset ${offset}: ${reason}); ` +
            'it was never acknowledged',
        );
        return { records, droppedBytes: remaining, validBytes: offset };
      };
      // Without an end the length itself runs past the file: a write cut short.
      if (read.end === undefined || read.end >= data.length) return torn(read.error);
      // A crash can leave the file extended over blocks whose data never reached the disk,
      // which read back as zeros: damage followed only by zeros is an unacknowledged tail too.
      if (isAllZero(data.subarray(read.end))) {
        return torn(`${read.error}, followed by a zero-filled tail`);
      }
      throw new JournalCorruptError(
        `journal ${file} is corrupt at offset ${offset} (${what}: ${read.error}) with ` +
          `${data.length - read.end} bytes of records after it; ` +
          'refusing to start rather than lose acknowledged writes (restore the file or move it away)',
      );
    }
    if ('records' in read) {
      for (const record of read.records) apply(record);
      records += read.records.length;
    } else {
      apply(read.record);
      records += 1;
    }
    offset = read.end;
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
  let batchBytes = 0;
  for (const record of records) {
    batchBytes += RECORD_HEADER + BSON.calculateObjectSize(record as Doc);
    if (batchBytes > SNAPSHOT_GROUP_BYTES) {
      total += GROUP_HEADER + batchBytes;
      batchBytes = 0;
    }
  }
  if (batchBytes > 0) total += GROUP_HEADER + batchBytes;
  return total;
}

/**
 * Writes `records` to `tmp` as groups of about {@link SNAPSHOT_GROUP_BYTES} and fsyncs it;
 * returns its size. The file is renamed over the journal only once complete, so how its
 * records are grouped does not matter for atomicity.
 */
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
      if (batchBytes > SNAPSHOT_GROUP_BYTES) {
        const group = encodeGroup(batch);
        writeAll(fd, group);
        total += group.length;
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) {
      const group = encodeGroup(batch);
      writeAll(fd, group);
      total += group.length;
    }
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

/** Whether `head` (up to 4 bytes, fewer at the end of the file) is the magic of a group. */
function startsGroup(head: Buffer): boolean {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(GROUP_MAGIC, 0);
  return head.length > 0 && magic.subarray(0, head.length).equals(head);
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
 * next one, so concurrent commands share one fdatasync. Each such write is one group
 * ({@link encodeGroup}), replayed whole or not at all. A write always takes every pending
 * record, and a command appends all of its records synchronously, so one command's records
 * (an insert batch, `$out`'s drop, create and documents) never span two groups.
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

  /**
   * Writes what is pending, then closes the file. A cut-back still owed after a failed write
   * is made first even when nothing is pending, so a clean stop leaves no bytes of a failed
   * write behind; if it fails again, a warning says so.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.tail; // a compaction may be swapping the handle
      if (this.needsRepair) {
        await this.repair().catch((error: unknown) => {
          this.options.logger.warn(
            `journal ${this.file}: could not cut off the bytes of a failed write at close ` +
              `(${describeError(error)}); a restart drops them if they are an incomplete group, ` +
              'but replays a group written whole before its fdatasync failed',
          );
        });
      }
      await this.handle.close();
    }
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) {
      // Nothing to write, but a failed cut-back is retried now rather than left for later.
      if (this.needsRepair) await this.repair().catch(() => undefined);
      return;
    }
    const group = this.pending;
    const through = this.appended;
    this.pending = [];
    let data: Buffer;
    try {
      // One group for the whole batch: every command's records, each command's all together.
      // Built inside the try: a batch too large for one buffer is rolled back like a failed write.
      data = encodeGroup(group.map((record) => record.data));
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
