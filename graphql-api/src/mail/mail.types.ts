import type { Types } from 'mongoose';

/** A rendered mail: both parts are always present. */
export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/** What a caller puts in the outbox: a template name and its recipient; the mail is composed at send time. */
export interface OutboxEntry {
  template: string;
  to: string;
  userId?: Types.ObjectId | null;
  data?: Record<string, string>;
}

/** A claimed outbox message, as the composer sees it. */
export interface QueuedMessage {
  id: string;
  template: string;
  to: string;
  userId: Types.ObjectId | null;
  data: Record<string, string>;
  /** Attempts so far, the current one included (the claim counts it). */
  attempts: number;
}

/**
 * Turns a queued message into a mail right before it is sent; null means there is nothing to
 * send (the message is marked skipped). Throwing counts as a failed attempt (retried).
 */
export interface MailComposer {
  compose(message: QueuedMessage): Promise<ComposedMail | null>;
}

/** Sends one mail. */
export interface Mailer {
  send(mail: {
    from: string;
    to: string;
    subject: string;
    text: string;
    html: string;
    messageId: string;
  }): Promise<void>;
  close(): void;
}
