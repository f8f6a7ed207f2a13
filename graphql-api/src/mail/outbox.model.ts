import { Severity, getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import { Schema, Types } from 'mongoose';

/** Where a message is in its life: waiting, being sent by one worker, or finished one way or another. */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'skipped', 'failed'] as const;

/** One of {@link OUTBOX_STATUSES}. */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Field limits of the outbox (the model refuses anything larger). */
export const OUTBOX_LIMITS = {
  templateMax: 64,
  /** RFC 5321's longest usable address. */
  toMax: 254,
  lastErrorMax: 500,
  dataKeysMax: 50,
  dataValueMax: 2000,
};

/** How long a finished (sent, skipped or failed) message is kept before MongoDB deletes it. */
export const OUTBOX_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** Cuts an error down to what the outbox stores, so a huge server reply never bloats a document. */
export function truncateError(error: string | null | undefined): string | null {
  return error == null ? null : error.slice(0, OUTBOX_LIMITS.lastErrorMax);
}

function isStringRecord(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= OUTBOX_LIMITS.dataKeysMax &&
    entries.every(
      ([, item]) => typeof item === 'string' && item.length <= OUTBOX_LIMITS.dataValueMax,
    )
  );
}

/**
 * A mail waiting to be sent (or already sent): written in the same request that decides a mail
 * is due, so a crash between that write and the SMTP send loses nothing; workers claim messages
 * atomically, so several API processes never send one twice.
 */
// minimize: false keeps an empty `data` object instead of dropping the field; `data` is Mixed on
// purpose (free keys, string values checked by its validator).
@modelOptions({
  schemaOptions: { timestamps: true, collection: 'outbox', minimize: false },
  options: { allowMixed: Severity.ALLOW },
})
// The claim's query: due pending messages, oldest first.
@index({ status: 1, nextAttemptAt: 1 })
// The claim's other branch: messages whose sender died with the lock held.
@index({ status: 1, lockedUntil: 1 })
// MongoDB deletes finished messages once their retention is over (null = never).
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class OutboxMessage {
  readonly _id!: Types.ObjectId;

  /** Which mail this is; the composer renders it at send time from `data`. */
  @prop({ required: true, trim: true, maxlength: OUTBOX_LIMITS.templateMax })
  template!: string;

  @prop({ required: true, trim: true, maxlength: OUTBOX_LIMITS.toMax })
  to!: string;

  /** The user the mail is about, if any (the composer can re-read them at send time). */
  @prop({ type: () => Types.ObjectId, default: null })
  user!: Types.ObjectId | null;

  /**
   * Template parameters, strings only. Secrets (a link's token) may live here: the outbox is the
   * only copy until the mail is sent, and finished messages expire.
   */
  @prop({
    type: () => Schema.Types.Mixed,
    default: () => ({}),
    validate: {
      validator: isStringRecord,
      message: `data must be an object of at most ${OUTBOX_LIMITS.dataKeysMax} strings`,
    },
  })
  data!: Record<string, string>;

  @prop({ required: true, type: String, enum: OUTBOX_STATUSES, default: 'pending' })
  status!: OutboxStatus;

  /** Claims so far; a claim counts as an attempt before the send, so a crash mid-send counts. */
  @prop({ required: true, default: 0, min: 0 })
  attempts!: number;

  /** When a pending message may be claimed (later after a failure: the backoff). */
  @prop({ required: true, default: () => new Date() })
  nextAttemptAt!: Date;

  /** While `sending`: when the claim lapses, so another worker may take over a dead sender's message. */
  @prop({ type: Date, default: null })
  lockedUntil!: Date | null;

  /** The last failure, truncated (never the mail's body). */
  @prop({ type: String, default: null, set: truncateError })
  lastError!: string | null;

  @prop({ type: Date, default: null })
  sentAt!: Date | null;

  /** Set when the message is finished; the TTL index removes it then. */
  @prop({ type: Date, default: null })
  expiresAt!: Date | null;

  /** Set by `timestamps`. */
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

/** The `outbox` collection. */
export const OutboxMessageModel = getModelForClass(OutboxMessage);
