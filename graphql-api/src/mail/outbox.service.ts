import { trusted } from 'mongoose';
import type { OutboxEntry, QueuedMessage } from './mail.types';
import type { OutboxMessage, OutboxStatus } from './outbox.model';
import {
  OUTBOX_RETENTION_MS,
  OUTBOX_STATUSES,
  OutboxMessageModel,
  truncateError,
} from './outbox.model';

type ClaimedDocument = Pick<
  OutboxMessage,
  '_id' | 'template' | 'to' | 'user' | 'data' | 'attempts'
>;

/**
 * The outbox in MongoDB: callers enqueue mails, workers claim and settle them. Every method is
 * one database command, so the guarantees come from MongoDB's single-document atomicity and hold
 * across processes.
 */
export class OutboxService {
  private readonly listeners = new Set<() => void>();

  /**
   * Stores a mail to send: ONE insert. Once it resolves the mail will be sent even if this
   * process dies right after; then the in-process listeners (workers) are told, so it goes out
   * at once instead of at the next poll.
   */
  async enqueue(entry: OutboxEntry): Promise<void> {
    await OutboxMessageModel.create({
      template: entry.template,
      to: entry.to,
      user: entry.userId ?? null,
      data: { ...entry.data },
    });
    for (const listener of this.listeners) {
      // The insert has happened: a failing listener must not make the caller think it did not
      // (a caller retrying would queue the mail twice). The poll sends it anyway.
      try {
        listener();
      } catch {
        // ignored, see above
      }
    }
  }

  /** Calls `listener` after every enqueue of this instance; returns the unsubscribe function. */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Claims the message due first, with ONE atomic `findOneAndUpdate`: a pending message whose
   * time has come, or a `sending` one whose lock lapsed (its sender died mid-send). The claim
   * counts as an attempt. Of several workers racing for a message exactly one gets it.
   */
  async claimNext(lockMs: number): Promise<QueuedMessage | null> {
    const now = new Date();
    const claimed = await OutboxMessageModel.findOneAndUpdate(
      {
        $or: [
          { status: 'pending', nextAttemptAt: trusted({ $lte: now }) },
          { status: 'sending', lockedUntil: trusted({ $lt: now }) },
        ],
      },
      {
        $set: { status: 'sending', lockedUntil: new Date(now.getTime() + lockMs) },
        $inc: { attempts: 1 },
      },
      { sort: { nextAttemptAt: 1, _id: 1 }, returnDocument: 'after' },
    )
      .select({ template: 1, to: 1, user: 1, data: 1, attempts: 1 })
      .lean<ClaimedDocument>();
    if (!claimed) return null;
    return {
      id: claimed._id.toHexString(),
      template: claimed.template,
      to: claimed.to,
      userId: claimed.user ?? null,
      data: claimed.data ?? {},
      attempts: claimed.attempts,
    };
  }

  /**
   * The mail went out. Like every mark, it applies only while the message is `sending` (and,
   * given `attempt`, still held by that claim): a worker whose lock lapsed and whose message
   * was taken over cannot overwrite the newer state. True when the mark applied.
   */
  async markSent(id: string, attempt?: number): Promise<boolean> {
    const now = new Date();
    return this.settle(id, attempt, {
      status: 'sent',
      sentAt: now,
      lockedUntil: null,
      expiresAt: new Date(now.getTime() + OUTBOX_RETENTION_MS),
    });
  }

  /** There was nothing to send (the composer returned null). True when the mark applied. */
  async markSkipped(id: string, attempt?: number): Promise<boolean> {
    return this.settle(id, attempt, {
      status: 'skipped',
      lockedUntil: null,
      expiresAt: new Date(Date.now() + OUTBOX_RETENTION_MS),
    });
  }

  /** A temporary failure: back to pending, due again at `nextAttemptAt`. True when applied. */
  async markRetry(
    id: string,
    error: string,
    nextAttemptAt: Date,
    attempt?: number,
  ): Promise<boolean> {
    return this.settle(id, attempt, {
      status: 'pending',
      nextAttemptAt,
      lockedUntil: null,
      lastError: truncateError(error),
    });
  }

  /** Given up for good (permanent refusal or too many attempts). True when the mark applied. */
  async markFailed(id: string, error: string, attempt?: number): Promise<boolean> {
    return this.settle(id, attempt, {
      status: 'failed',
      lockedUntil: null,
      lastError: truncateError(error),
      expiresAt: new Date(Date.now() + OUTBOX_RETENTION_MS),
    });
  }

  /** How many messages are in each status, optionally only those to one address (tests, health). */
  async countByStatus(to?: string): Promise<Record<OutboxStatus, number>> {
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((status) => [status, 0])) as Record<
      OutboxStatus,
      number
    >;
    const groups = await OutboxMessageModel.aggregate<{ _id: OutboxStatus; count: number }>([
      ...(to === undefined ? [] : [{ $match: { to } }]),
      { $group: { _id: '$status', count: { $sum: 1 } } },
    ]);
    for (const group of groups) counts[group._id] = group.count;
    return counts;
  }

  private async settle(
    id: string,
    attempt: number | undefined,
    update: Partial<Omit<OutboxMessage, '_id' | 'createdAt' | 'updatedAt'>>,
  ): Promise<boolean> {
    const filter: { _id: string; status: 'sending'; attempts?: number } = {
      _id: id,
      status: 'sending',
    };
    if (attempt !== undefined) filter.attempts = attempt;
    const result = await OutboxMessageModel.updateOne(filter, { $set: update });
    return result.modifiedCount > 0;
  }
}
