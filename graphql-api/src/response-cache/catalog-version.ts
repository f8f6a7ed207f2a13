import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import mongoose, { Types } from 'mongoose';
import type { Connection } from 'mongoose';

/** The counter document: one per kind of data cached responses are built from. */
interface VersionDocument {
  _id: string;
  /** Made with the document: a counter dropped and made again never repeats an old value. */
  epoch?: Types.ObjectId;
  version: number;
}

/** The collection of the counters (one small document each). */
export const CATALOG_VERSIONS_COLLECTION = 'catalog_versions';

/** The counter the catalog's writes move. */
const CATALOG = 'movies';

/** Options of {@link CatalogVersion}. */
export interface CatalogVersionOptions {
  /**
   * How long (ms, from when it started) a counter read is trusted by requests arriving later,
   * and how long every `bump` waits after the increment before it returns (default 0: only a
   * read that started after the request arrived, and no wait). Either way a write acknowledged
   * before a request arrives is seen by it, in every process: a trusted read started at most
   * N ms before the request arrived, and the write was applied more than N ms before that.
   */
  trustMs?: number;
  connection?: Connection;
}

/**
 * The catalog's change counter, shared by every API process through MongoDB: each movie write
 * increments it (after the write, in the same service call), and a cached response is served
 * only while the counter still has the value it had before the response was computed.
 *
 * Reads are coalesced: one `findOne` in flight at a time; a request waits for the first read
 * that started after it arrived (the one in flight if it started after, else the next, which
 * starts when the one in flight ends and serves everyone who arrived meanwhile). So a burst
 * costs one small read per round trip, not one per request, and a write acknowledged before a
 * request arrived (in any process) is always seen. With `trustMs` = N, a read also serves the
 * requests arriving in the N ms after it started (one read per N ms under load), and each
 * write's `bump` waits N ms before it returns, which keeps that guarantee: the writer's
 * acknowledgement comes after every read another process may still trust was started.
 */
export class CatalogVersion {
  private readonly trustMs: number;
  private readonly connection: Connection;
  private inFlight: Promise<string> | null = null;
  private queued: Promise<string> | null = null;
  /** The last read started (in flight or done) and when, for `trustMs`. */
  private latest: { version: Promise<string>; startedAt: number } | null = null;

  constructor(options: CatalogVersionOptions = {}) {
    this.trustMs = options.trustMs ?? 0;
    this.connection = options.connection ?? mongoose.connection;
  }

  /**
   * The counter (an opaque value: equal means unchanged), from a read that started after this
   * call or at most `trustMs` before it.
   */
  current(): Promise<string> {
    const latest = this.latest;
    if (
      this.trustMs > 0 &&
      latest !== null &&
      latest.startedAt >= performance.now() - this.trustMs
    ) {
      return latest.version;
    }
    // Not started yet, so it starts after this call.
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.start();
    const settled = this.inFlight.then(
      () => undefined,
      () => undefined,
    );
    this.queued = settled.then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  /**
   * Records a change to the catalog: call after the write, before answering it. Every cached
   * catalog response computed before it stops being served, in every process.
   */
  async bump(): Promise<void> {
    await this.collection().updateOne(
      { _id: CATALOG },
      { $inc: { version: 1 }, $setOnInsert: { epoch: new Types.ObjectId() } },
      { upsert: true },
    );
    // This process's next requests read the new value even when older reads would do.
    this.latest = null;
    // Other processes may trust a read started up to `trustMs` before a request arrives: the
    // write is acknowledged only once every such read starts after it.
    // By the same clock as the trust (timers may fire up to a millisecond early by it).
    const until = performance.now() + this.trustMs;
    for (let left = this.trustMs; left > 0; left = until - performance.now()) {
      await delay(Math.ceil(left));
    }
  }

  private start(): Promise<string> {
    const startedAt = performance.now();
    const version = this.collection()
      .findOne({ _id: CATALOG }, { projection: { epoch: 1, version: 1 } })
      .then((document) =>
        document ? `${document.epoch?.toHexString() ?? '-'}:${document.version}` : 'none',
      );
    const read = { version, startedAt };
    this.latest = read;
    const tracked = version.finally(() => {
      if (this.inFlight === tracked) this.inFlight = null;
    });
    this.inFlight = tracked;
    // A failed read is never trusted later; its callers fall back to the uncached path.
    version.catch(() => {
      if (this.latest === read) this.latest = null;
    });
    tracked.catch(() => undefined);
    return version;
  }

  private collection() {
    const db = this.connection.db;
    if (!db) throw new TypeError('catalog version: the database is not connected');
    return db.collection<VersionDocument>(CATALOG_VERSIONS_COLLECTION);
  }
}
