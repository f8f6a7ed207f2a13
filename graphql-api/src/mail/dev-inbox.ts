import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Logger } from '../logger';

/** A mail the development inbox received. */
export interface ReceivedMail {
  /** This inbox's own id of the mail (unique even when the same mail arrives twice). */
  id: string;
  /** The Message-ID header, angle brackets included (the outbox's `<id@movie-catalog>`), or null. */
  messageId: string | null;
  /** The From header as text, e.g. `"Movie catalog" <no-reply@example.com>`. */
  from: string;
  /** The envelope's recipients: the addresses the mail was actually delivered to. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  receivedAt: Date;
  /** The http(s) URLs in the text part, in order, each once. */
  links: string[];
}

/** An SMTP server in this process that keeps what it receives in memory. */
export interface DevInbox {
  port: number;
  /** `smtp://127.0.0.1:<port>`: what SMTP_URL would be for this inbox. */
  url: string;
  /** Every mail kept, newest first. */
  messages(): readonly ReceivedMail[];
  /**
   * The newest mail already received that matches, else the first one to arrive; rejects after
   * `timeoutMs` (default 10 s) with a message listing what was received.
   */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Forgets every mail kept so far. */
  clear(): void;
  /** Stops the server; pending `waitFor` calls reject. */
  stop(): Promise<void>;
}

/** Options of {@link startDevInbox}. */
export interface DevInboxOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1: never reachable from another machine. */
  host?: string;
  /** Mails kept (default 200); the oldest are dropped. */
  maxMessages?: number;
  /** Answer 550 to RCPT TO for these addresses: lets tests provoke a permanent failure. */
  rejectRecipient?: (address: string) => boolean;
  /** Logs each mail received (subject, recipients, links) at info, and server errors. */
  logger?: Logger;
}

/** The largest mail accepted: account mails are a few kB. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** What `waitFor` waits for when no timeout is given. */
const DEFAULT_WAIT_MS = 10_000;

/** http(s) URLs up to whitespace or a character that cannot end one in running text. */
const URL_PATTERN = /https?:\/\/[^\s<>"'()[\]{}]+/g;

/** The http(s) links of a plain-text part, trailing punctuation removed, each once. */
export function extractLinks(text: string): string[] {
  const links = (text.match(URL_PATTERN) ?? []).map((link) => link.replace(/[.,;:!?]+$/, ''));
  return [...new Set(links)];
}

interface Waiter {
  predicate: (mail: ReceivedMail) => boolean;
  resolve: (mail: ReceivedMail) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Starts a local SMTP server for development and tests: no TLS, no authentication, mails
 * parsed with mailparser and kept in memory. The API uses one in development when no SMTP_URL
 * is set; every test uses one as the real server the mailer talks to.
 */
export async function startDevInbox(options: DevInboxOptions = {}): Promise<DevInbox> {
  const host = options.host ?? '127.0.0.1';
  const maxMessages = options.maxMessages ?? 200;
  const logger = options.logger?.child({ component: 'dev-inbox' });
  let received: ReceivedMail[] = [];
  const waiters = new Set<Waiter>();

  const store = (mail: ReceivedMail): void => {
    received.unshift(mail);
    if (received.length > maxMessages) received.length = maxMessages;
    // No links: they hold single-use secrets, and logs travel further than this inbox. The
    // render server's /dev/mail page shows them.
    logger?.info({ to: mail.to, subject: mail.subject }, 'dev inbox: mail received');
    for (const waiter of waiters) {
      if (waiter.predicate(mail)) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(mail);
      }
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MESSAGE_BYTES,
    // No reverse DNS lookup of the client: it only delays every connection (and may hang offline).
    disableReverseLookup: true,
    banner: 'movie-catalog dev inbox',
    logger: false,
    // stop() should not wait 30 s for an idle client to leave.
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        callback(smtpError(550, `Mailbox unavailable: ${address.address}`));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      readMessage(stream, session).then(
        (mail) => {
          if (mail === 'too-large') {
            callback(smtpError(552, 'Message exceeds the maximum size'));
            return;
          }
          store(mail);
          callback();
        },
        (error: unknown) => {
          logger?.warn({ error: String(error) }, 'dev inbox: unreadable mail refused');
          callback(smtpError(451, 'Could not read the message'));
        },
      );
    },
  });
  // A client resetting its connection makes the server emit 'error'; unhandled, that would
  // crash the process.
  const onError = (error: Error): void => {
    logger?.warn({ error: error.message }, 'dev inbox: connection error');
  };

  const port = await new Promise<number>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Dev inbox: port ${options.port ?? 0} on ${host} is already in use`
            : `Dev inbox: cannot listen on ${host}:${options.port ?? 0}: ${error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', failed);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', failed);
      server.on('error', onError);
      const address = server.server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('Dev inbox: the server has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `smtp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    messages: () => received,
    waitFor(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`Dev inbox: no matching mail within ${timeoutMs} ms; ${summary()}`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    clear() {
      received = [];
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const waiter of waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('Dev inbox: stopped'));
        }
        waiters.clear();
        server.close(() => resolve());
      });
      return stopped;
    },
  };

  function summary(): string {
    if (received.length === 0) return 'received nothing';
    const lines = received.map(
      (mail) => `  ${mail.receivedAt.toISOString()} to ${mail.to.join(', ')}: ${mail.subject}`,
    );
    return `received ${received.length} (newest first):\n${lines.join('\n')}`;
  }
}

/** An error smtp-server answers with this reply code. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Reads the DATA stream (keeping at most the size limit in memory) and parses it. */
async function readMessage(
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
): Promise<ReceivedMail | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit the rest is read (the protocol needs it) but not kept.
    if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
  }
  if (stream.sizeExceeded || size > MAX_MESSAGE_BYTES) return 'too-large';
  const parsed = await simpleParser(Buffer.concat(chunks));
  const text = parsed.text ?? '';
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  return {
    id: randomUUID(),
    messageId: parsed.messageId ?? null,
    from: parsed.from?.text ?? envelopeFrom,
    to: session.envelope.rcptTo.map((recipient) => recipient.address),
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    receivedAt: new Date(),
    links: extractLinks(text),
  };
}
