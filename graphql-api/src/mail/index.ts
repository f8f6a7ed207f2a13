export type { ComposedMail, MailComposer, Mailer, OutboxEntry, QueuedMessage } from './mail.types';
export {
  OUTBOX_LIMITS,
  OUTBOX_RETENTION_MS,
  OUTBOX_STATUSES,
  OutboxMessage,
  OutboxMessageModel,
} from './outbox.model';
export type { OutboxStatus } from './outbox.model';
export { OutboxService } from './outbox.service';
export { OutboxWorker, MAX_BACKOFF_MS, defaultBackoffMs } from './outbox.worker';
export type { OutboxWorkerOptions } from './outbox.worker';
export { SMTP_TIMEOUT_MS, createSmtpMailer, isPermanentSmtpError } from './mailer';
export type { SmtpMailerOptions } from './mailer';
export { startDevInbox } from './dev-inbox';
export type { DevInbox, DevInboxOptions, ReceivedMail } from './dev-inbox';
export { DEFAULT_LINK_LIFETIME, escapeHtml, renderAccountMail } from './mail.templates';
export { securityNotice } from './security-notice';
export type { AccountMailKind, AccountMailParams } from './mail.templates';
