import nodemailer from 'nodemailer';
import type { Mailer } from './mail.types';

/**
 * How long one SMTP step may take. The worker sends one mail at a time and holds a lock while
 * it does, so a server that accepts the connection and then stalls must not hold it for the
 * driver's defaults (minutes).
 */
export const SMTP_TIMEOUT_MS = 10_000;

/** Options of {@link createSmtpMailer}. */
export interface SmtpMailerOptions {
  /** Connection, greeting and socket-inactivity timeout (default {@link SMTP_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/**
 * A {@link Mailer} over SMTP (`smtp://user:pass@host:587`, `smtps://…`); one connection per
 * mail, so a broken connection never outlives the mail that met it. The `messageId` becomes the
 * Message-ID header: the outbox id, so a mail sent twice (a worker that died after the send and
 * before its mark) is recognisable as the same mail.
 */
export function createSmtpMailer(smtpUrl: string, options: SmtpMailerOptions = {}): Mailer {
  const timeout = options.timeoutMs ?? SMTP_TIMEOUT_MS;
  // The URL's own settings win over these (nodemailer merges `url` over the other keys).
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    // Mails are built from our own templates: never let a field make nodemailer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    },
    close() {
      transport.close();
    },
  };
}

/**
 * True when the SMTP server refused the mail for good: a 5xx reply (RFC 5321's permanent
 * negative completion), so sending the same mail again would only be refused again. 503 (bad
 * sequence of commands) is a session-state problem, not a verdict on the mail, and counts as
 * temporary, as nodemailer itself classifies it. Everything without a reply code (connection
 * refused, timeouts, TLS trouble) and 4xx replies are temporary.
 */
export function isPermanentSmtpError(error: unknown): boolean {
  if (error === null || typeof error !== 'object' || !('responseCode' in error)) return false;
  const code = error.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
}
