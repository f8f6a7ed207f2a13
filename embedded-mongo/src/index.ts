import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from './logger';
import { defaultLogger } from './logger';
import type { WireServerStats } from './server';
import { WireServer } from './server';
import { Journal, JOURNAL_FILE, removeLeftoverCompaction, replayJournal } from './storage/journal';
import { lockDataDir } from './storage/lock';
import { Store } from './storage/store';
import { sweepExpired } from './storage/ttl';

export { MongoCommandError, ErrorCodes, JournalCorruptError, JournalWriteError } from './errors';
export { DataDirLockedError } from './storage/lock';
export type { Logger } from './logger';
export { consoleLogger, defaultLogger, silentLogger } from './logger';

/** Options of {@link startEmbeddedMongo}. */
export interface EmbeddedMongoOptions {
  /** TCP port; 0 (the default) picks a free one, reported in the result. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1` (never exposed beyond the machine by default). */
  host?: string;
  /**
   * Directory for the journal. With it, every acknowledged write survives restarts;
   * without it, everything stays in memory (tests).
   */
  dataDir?: string;
  /** Where warnings go; default: warnings on stderr, nothing else. */
  logger?: Logger;
  /** How often expired TTL documents are removed; default 1000 ms (mongod: 60 s). */
  ttlMonitorIntervalMs?: number;
  /** Idle time after which an open cursor is closed; default 10 minutes, like mongod. */
  cursorTimeoutMs?: number;
  /**
   * With `dataDir`: compact the journal while running once it exceeds this many bytes and has
   * doubled since the last compaction (start-up compacts too), in both cases only when the disk
   * has room for the compacted copy (otherwise a warning, and the journal grows). Default 64 MiB.
   */
  journalCompactionBytes?: number;
  /** Largest accepted wire message; a bigger frame closes its connection. Default 48,000,000. */
  maxMessageSizeBytes?: number;
  /**
   * Longest silence, in ms, allowed in the middle of a message: a connection that has sent part
   * of a frame and then nothing for this long is closed, with a warning naming the peer. It
   * measures stalls, not total time, so a large insert arriving slowly but steadily is never cut
   * off. Default 30,000: drivers write each message in one go, so on a working link a frame
   * never pauses for seconds, while a debugger breakpoint or a loaded CI machine stays well
   * inside it; mongod has no such limit, but it does not hold half-sent frames in a JS heap
   * either. 0 turns it off.
   */
  frameTimeoutMs?: number;
  /**
   * Closes a connection after this many ms with no message in progress and no command running.
   * Default 0 (off), like mongod, which never closes idle client connections: driver pools keep
   * connections idle for as long as the application lives (`maxIdleTimeMS` defaults to 0), and
   * although the driver replaces a pooled connection it sees closed, a close that races an
   * operation would surface as a network error. Set it in tests to exercise reconnection.
   */
  idleTimeoutMs?: number;
  /**
   * Cap on the bytes held for incomplete messages across all connections; the connection whose
   * data takes the total over it is closed with a warning, so stalled half-sent frames cannot
   * exhaust memory. Default 64 MiB: above the 48 MB `maxMessageSizeBytes`, so one maximal
   * message always fits, and a fair margin for concurrent large inserts in tests. A value below
   * `maxMessageSizeBytes` refuses messages larger than itself.
   */
  maxPendingBytes?: number;
}

/** What {@link EmbeddedMongo.stats} reports. */
export type { WireServerStats as EmbeddedMongoStats } from './server';

export interface EmbeddedMongo {
  /** `mongodb://127.0.0.1:<port>/`, with no database name. */
  uri: string;
  /** The port it listens on (the one picked when `port` was 0). */
  port: number;
  /** Open connections and the bytes held for incomplete messages (tests, diagnostics). */
  stats(): WireServerStats;
  /** Closes all connections, stops the monitors and flushes and closes the journal. */
  stop(): Promise<void>;
}

/** Starts a MongoDB wire-protocol server (development and tests; not for production). */
export async function startEmbeddedMongo(
  options: EmbeddedMongoOptions = {},
): Promise<EmbeddedMongo> {
  const logger = options.logger ?? defaultLogger;
  const host = options.host ?? '127.0.0.1';
  for (const key of ['frameTimeoutMs', 'idleTimeoutMs', 'maxPendingBytes'] as const) {
    const value = options[key];
    if (value !== undefined && !(value >= 0)) {
      throw new RangeError(`${key} must be a number >= 0, got ${String(value)}`);
    }
  }
  const store = new Store();
  let journal: Journal | undefined;
  let unlock = (): void => undefined;
  if (options.dataDir) {
    const dir = path.resolve(options.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    unlock = await lockDataDir(dir);
    try {
      // First of all: a compaction that died half-way must not keep holding disk space.
      removeLeftoverCompaction(dir, logger);
      const file = path.join(dir, JOURNAL_FILE);
      const replay = replayJournal(file, (record) => store.apply(record), logger);
      const { records } = replay;
      // Compaction: the replayed state becomes the new journal (written aside, then renamed)
      // when the disk has room for it; otherwise the journal is kept and appended to.
      journal = await Journal.create(
        dir,
        {
          snapshot: () => store.snapshot(),
          compactionBytes: options.journalCompactionBytes ?? 64 * 1024 * 1024,
          logger,
        },
        replay,
      );
      store.attachJournal(journal);
      logger.info(`data directory ${dir}: replayed ${records} journal records`);
    } catch (error) {
      unlock();
      throw error;
    }
  }
  const server = new WireServer({
    store,
    logger,
    host,
    maxMessageSizeBytes: options.maxMessageSizeBytes,
    frameTimeoutMs: options.frameTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    maxPendingBytes: options.maxPendingBytes,
  });
  let port: number;
  try {
    port = await server.listen(options.port ?? 0);
  } catch (error) {
    await journal?.close();
    unlock();
    throw error;
  }
  const cursorTimeoutMs = options.cursorTimeoutMs ?? 10 * 60 * 1000;
  const monitor = setInterval(
    () => {
      server.cursors.sweep(cursorTimeoutMs);
      if (sweepExpired(store) > 0) {
        store.flush().catch((error: unknown) => {
          logger.warn(`journal write failed after TTL sweep: ${String(error)}`);
        });
      }
    },
    Math.max(10, options.ttlMonitorIntervalMs ?? 1000),
  );
  monitor.unref();
  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    stats: () => server.stats(),
    stop: () => {
      stopped ??= (async () => {
        clearInterval(monitor);
        try {
          await server.close();
          // A final write failing (full disk) rolls back what nobody was answered for yet.
          await journal?.close();
        } finally {
          unlock();
        }
      })();
      return stopped;
    },
  };
}
