import { isIP } from 'node:net';
import { GraphQLError } from 'graphql';
import mongoose from 'mongoose';
import type { Connection, mongo, Types } from 'mongoose';
import type { Logger } from '../logger';
import { ErrorCode } from './errors';
import type { RequestBudget } from './request-limiter';

/** The request budgets of `ApiConfig` (see {@link RequestBudgetCounter}). */
export interface RequestBudgetConfig {
  /** Requests per client address (an IPv6 address counts by its /64) without a signed-in user. */
  perIp: RequestBudget;
  /** Requests per signed-in user, wherever they come from. */
  perUser: RequestBudget;
  /** How often each process adds its counts to the shared ones and reads those back. */
  flushIntervalMs: number;
}

/** Who a request is counted for: the context's user, else its client address. */
export interface BudgetedRequest {
  ip: string;
  user: { id: Types.ObjectId } | null;
}

/** One window's count for one key in this process. */
interface Counter {
  storeKey: string;
  windowEnd: number;
  /** The shared total when this process last read it (its own flushed counts included). */
  shared: number;
  /** Counted here, being written. */
  inFlight: number;
  /** Counted here since the last flush. */
  pending: number;
}

/** A budget document, in the shape rate-limiter-flexible keeps in the same collection. */
interface BudgetDocument {
  key: string;
  points: number;
  expire: Date;
}

/** The collection of the sign-in limits: its TTL index on `expire` removes ended windows. */
const COLLECTION = 'signinlimits';

/** Keys counted in memory at once; beyond this (a flood from many addresses) requests pass uncounted. */
const MAX_COUNTERS = 50_000;

/**
 * The key an address is counted under: IPv4 (also IPv4-mapped IPv6) as it is, IPv6 by its /64
 * prefix, since one subscriber gets a whole /64 and could otherwise take a new address per request.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const [address = ''] = ip.split('%');
  if (isIP(address) !== 6) return ip;
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'),
          ...tailGroups,
        ];
  const prefix = groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}

/** RATE_LIMITED with HTTP 429 and `Retry-After`, raised before the document is parsed. */
export function budgetExceeded(
  budget: RequestBudget,
  per: string,
  retryAfterSeconds: number,
): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new GraphQLError(
    `Too many requests: ${budget.points} per ${budget.seconds} seconds per ${per}; ` +
      `retry in ${retryAfter} seconds`,
    {
      extensions: {
        code: ErrorCode.RateLimited,
        retryAfter,
        http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
      },
    },
  );
}

/**
 * Per-key request budgets in fixed windows, shared by every API process through MongoDB
 * without a database command per request: each process counts in memory and, every
 * `flushIntervalMs` while it has traffic, adds its counts to the shared documents (one
 * `bulkWrite` of `$inc` upserts, one operation per key) and reads the totals back (one `find`),
 * so a key over budget is refused by every process.
 *
 * A process refuses once the total it last read plus its own unflushed count reaches the
 * budget. What it cannot see are the requests other processes admitted since their last flush
 * before its last read: with N processes a key can get past the budget by what it sends to the
 * other N − 1 processes within about two flush intervals (never more than N − 1 budgets). As
 * with any fixed window, a client can also spend one window's budget at its end and the next
 * one's at its start. If the database cannot be reached the counts stay in memory and requests
 * are still served: the budget must not turn a database hiccup into an outage.
 */
export class RequestBudgetCounter {
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private warnedFull = false;

  constructor(
    private readonly config: RequestBudgetConfig,
    private readonly logger: Logger,
    private readonly connection: Connection = mongoose.connection,
  ) {}

  /** Counts one request; throws RATE_LIMITED (HTTP 429) when its key's budget is used up. */
  admit(request: BudgetedRequest): void {
    const byUser = request.user !== null;
    const budget = byUser ? this.config.perUser : this.config.perIp;
    const id = request.user
      ? `user:${request.user.id.toHexString()}`
      : `ip:${addressKey(request.ip)}`;
    const windowMs = budget.seconds * 1000;
    const now = Date.now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const storeKey = `budget:${id}:${windowStart}`;
    let counter = this.counters.get(storeKey);
    if (!counter) {
      if (this.counters.size >= MAX_COUNTERS) {
        if (!this.warnedFull) this.logger.warn({ keys: this.counters.size }, 'request budget full');
        this.warnedFull = true;
        return;
      }
      counter = { storeKey, windowEnd: windowStart + windowMs, shared: 0, inFlight: 0, pending: 0 };
      this.counters.set(storeKey, counter);
    }
    if (counter.shared + counter.inFlight + counter.pending >= budget.points) {
      throw budgetExceeded(budget, byUser ? 'user' : 'address', (counter.windowEnd - now) / 1000);
    }
    counter.pending += 1;
    this.schedule();
  }

  /**
   * Adds this process's counts to the shared ones and reads the shared totals back. Runs by
   * itself every `flushIntervalMs` while there are counts; tests call it to skip the wait.
   */
  flush(): Promise<void> {
    this.flushing ??= this.writeAndRead().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Stops the timer after a last flush. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    // Never keeps the process alive by itself.
    this.timer.unref();
  }

  private async writeAndRead(): Promise<void> {
    const now = Date.now();
    for (const [key, counter] of this.counters) {
      if (counter.windowEnd <= now) this.counters.delete(key);
    }
    this.warnedFull = false;
    if (this.counters.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    const db = this.connection.db;
    if (!db) return;
    const collection: mongo.Collection<BudgetDocument> = db.collection<BudgetDocument>(COLLECTION);
    const active = [...this.counters.values()];
    const writes = active.filter((counter) => counter.pending > 0);
    for (const counter of writes) {
      counter.inFlight = counter.pending;
      counter.pending = 0;
    }
    try {
      if (writes.length > 0) await collection.bulkWrite(writes.map(increment), { ordered: false });
    } catch (error) {
      // Keys whose increment failed keep their count for the next flush; the others went in.
      const failed = failedIndexes(error, writes.length);
      for (const index of failed) {
        const counter = writes[index];
        if (!counter) continue;
        counter.pending += counter.inFlight;
        counter.inFlight = 0;
      }
      this.logger.warn({ err: error, failed: failed.size }, 'request budget: flush failed');
    }
    const read = new Set<Counter>();
    try {
      const totals = await collection
        .find(
          { key: { $in: active.map((counter) => counter.storeKey) } },
          { projection: { _id: 0, key: 1, points: 1 } },
        )
        .toArray();
      for (const total of totals) {
        const counter = this.counters.get(total.key);
        if (!counter) continue;
        // The total includes what this flush wrote.
        counter.shared = total.points;
        counter.inFlight = 0;
        read.add(counter);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'request budget: reading the shared counts failed');
    }
    for (const counter of writes) {
      if (read.has(counter)) continue;
      counter.shared += counter.inFlight;
      counter.inFlight = 0;
    }
  }
}

function increment(counter: Counter): mongo.AnyBulkWriteOperation<BudgetDocument> {
  return {
    updateOne: {
      filter: { key: counter.storeKey },
      update: {
        $inc: { points: counter.inFlight },
        $setOnInsert: { expire: new Date(counter.windowEnd) },
      },
      upsert: true,
    },
  };
}

/** The operations of a failed unordered bulkWrite that did not apply (all, when unknown). */
function failedIndexes(error: unknown, count: number): Set<number> {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : null;
  if (!list) return new Set(Array.from({ length: count }, (_, index) => index));
  return new Set(
    list
      .map((writeError: { index?: unknown }) => writeError.index)
      .filter((index): index is number => typeof index === 'number'),
  );
}
