import type { Logger } from '../logger';
import type { ComposedMail, MailComposer, Mailer, QueuedMessage } from './mail.types';
import { isPermanentSmtpError } from './mailer';
import type { OutboxService } from './outbox.service';

/** Options of {@link OutboxWorker}. */
export interface OutboxWorkerOptions {
  /** The From header of every mail, e.g. `Movie catalog <no-reply@example.com>`. */
  from: string;
  logger: Logger;
  /** How often the outbox is polled when nothing kicks the worker (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * How long a claim holds a message (default 60 s): past it, another worker takes over. Must be
   * well above the longest send (the SMTP mailer's timeouts are 10 s per step).
   */
  lockMs?: number;
  /** Attempts before a message is given up (default 20: about two hours with the default backoff). */
  maxAttempts?: number;
  /** Delay before the next attempt after `attempt` failed ones (default {@link defaultBackoffMs}). */
  backoffMs?: (attempt: number) => number;
}

/** The longest wait between two attempts. */
export const MAX_BACKOFF_MS = 10 * 60 * 1000;

/**
 * 1 s · 2^(attempt − 1), capped at {@link MAX_BACKOFF_MS}, minus up to 20 % jitter so the
 * messages of one outage are not all retried in the same instant.
 */
export function defaultBackoffMs(attempt: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(base * (1 - Math.random() * 0.2));
}

/** What a pass over the outbox ended with. */
type PassOutcome = { kind: 'idle' } | { kind: 'stopped' } | { kind: 'error'; error: unknown };

/**
 * Sends the outbox's messages, one after another. Any number of workers (API processes) may
 * run on one database: a message is claimed atomically before it is sent, so no two workers
 * send it. The loop never throws and never crashes the process: a database error is logged and
 * the next poll tries again.
 */
export class OutboxWorker {
  private readonly pollIntervalMs: number;
  private readonly lockMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly logger: Logger;

  private running = false;
  private stopping = false;
  /** The next poll, while started and between passes. */
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The pass in progress: at most one, which is what keeps sends sequential. */
  private pass: Promise<PassOutcome> | null = null;
  /** Set when a kick arrives during a pass: its message may have missed the pass's last claim. */
  private kickedDuringPass = false;

  constructor(
    private readonly outbox: OutboxService,
    private readonly composer: MailComposer,
    private readonly mailer: Mailer,
    private readonly options: OutboxWorkerOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.lockMs = options.lockMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 20;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.logger = options.logger.child({ component: 'outbox-worker' });
  }

  /** Starts polling, and sending at once whatever this process enqueues. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.unsubscribe = this.outbox.onEnqueued(() => this.kick());
    this.kick();
  }

  /** Looks at the outbox now instead of at the next poll (no-op unless started). */
  kick(): void {
    if (!this.running || this.stopping) return;
    if (this.pass) {
      this.kickedDuringPass = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.runPass();
  }

  /** Stops claiming; resolves once the send in progress (if any) is settled. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.pass;
  }

  /**
   * Resolves once no message is due right now, sending those that are (whether or not the
   * worker was started); rejects with the database's error if the outbox cannot be read. For
   * tests and scripts.
   */
  async drain(): Promise<void> {
    for (;;) {
      if (!this.pass && this.stopping) return;
      const outcome = await (this.pass ?? this.runPass());
      if (outcome.kind === 'error') throw outcome.error;
      if (outcome.kind === 'stopped') return;
      // A kick during that pass started another one (see afterPass): wait for it too.
      if (!this.pass) return;
    }
  }

  private runPass(): Promise<PassOutcome> {
    const pass = this.claimAndSendAll().finally(() => {
      this.pass = null;
      this.afterPass();
    });
    this.pass = pass;
    return pass;
  }

  /** Keeps the loop going after any pass (a kick's, a poll's or drain's). */
  private afterPass(): void {
    if (!this.running || this.stopping) return;
    if (this.kickedDuringPass) {
      // Its message may have been inserted after the pass's last (empty) claim.
      this.kickedDuringPass = false;
      this.kick();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.pollIntervalMs);
    // A worker must never keep the process alive on its own (graceful shutdown, jest).
    this.timer.unref();
  }

  /** Claims and sends until nothing is due; never throws. */
  private async claimAndSendAll(): Promise<PassOutcome> {
    try {
      for (;;) {
        if (this.stopping) return { kind: 'stopped' };
        const message = await this.outbox.claimNext(this.lockMs);
        if (!message) return { kind: 'idle' };
        await this.process(message);
      }
    } catch (error) {
      // Claims and marks (the database) get here; compose and send errors are handled per
      // message. The pass ends; the poll timer starts the next one.
      this.logger.error(
        { error: describeError(error) },
        'outbox: pass aborted (database error?), retrying at the next poll',
      );
      return { kind: 'error', error };
    }
  }

  private async process(message: QueuedMessage): Promise<void> {
    const { id, attempts } = message;
    const context = { outboxId: id, template: message.template, attempts };
    if (attempts > this.maxAttempts) {
      // Claimed more often than allowed without a verdict: its senders died mid-send each time
      // (a mail that crashes the process?). Giving up stops that loop.
      await this.settle(
        this.outbox.markFailed(id, 'Too many attempts without an outcome', attempts),
        context,
      );
      this.logger.error(context, 'mail given up: too many interrupted attempts');
      return;
    }
    let mail: ComposedMail | null;
    try {
      mail = await this.composer.compose(message);
    } catch (error) {
      // Not an SMTP verdict (a template bug, the database): retried like a temporary failure.
      await this.handleFailure(message, error);
      return;
    }
    if (mail === null) {
      await this.settle(this.outbox.markSkipped(id, attempts), context);
      this.logger.info(context, 'mail skipped: nothing to send');
      return;
    }
    try {
      await this.mailer.send({
        from: this.options.from,
        to: message.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${id}@movie-catalog>`,
      });
    } catch (error) {
      await this.handleFailure(message, error);
      return;
    }
    await this.settle(this.outbox.markSent(id, attempts), context);
    this.logger.info(context, 'mail sent');
  }

  private async handleFailure(message: QueuedMessage, failure: unknown): Promise<void> {
    const { id, attempts } = message;
    const reason = describeError(failure);
    // Only the error's summary: the mail's body (with its links and tokens) is never logged.
    const context = { outboxId: id, template: message.template, attempts, error: reason };
    const permanent = isPermanentSmtpError(failure);
    if (permanent || attempts >= this.maxAttempts) {
      await this.settle(this.outbox.markFailed(id, reason, attempts), context);
      this.logger.error(
        { ...context, permanent },
        permanent ? 'mail refused by the SMTP server' : 'mail given up after too many attempts',
      );
      return;
    }
    const delay = this.backoffMs(attempts);
    await this.settle(
      this.outbox.markRetry(id, reason, new Date(Date.now() + delay), attempts),
      context,
    );
    this.logger.warn({ ...context, retryInMs: delay }, 'mail not sent, will retry');
  }

  /** Awaits a mark; one that did not apply means another worker took the message over. */
  private async settle(mark: Promise<boolean>, context: Record<string, unknown>): Promise<void> {
    if (!(await mark)) {
      this.logger.warn(context, 'outbox: message was taken over by another worker (lock expired)');
    }
  }
}

/** A one-line summary of an error for the log and `lastError`: code, reply code, message. */
function describeError(error: unknown): string {
  // Duck-typed, not `instanceof Error`: errors from another realm (a vm, jest) count too.
  if (error === null || typeof error !== 'object' || !('message' in error)) {
    return String(error).slice(0, 500);
  }
  const details = error as { message: unknown; code?: unknown; responseCode?: unknown };
  const prefix = [details.code, details.responseCode]
    .filter((part) => typeof part === 'string' || typeof part === 'number')
    .join(' ');
  const message = String(details.message);
  return (prefix ? `${prefix}: ${message}` : message).slice(0, 500);
}
