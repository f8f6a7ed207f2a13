import assert from 'node:assert/strict';
import type { ReceivedMail } from '../src/mail';
import type { TestApi } from '../src/testing';

/** The next mail to `to` whose subject matches (waits for the outbox worker and the SMTP server). */
export function mailTo(api: TestApi, to: string, subject?: RegExp): Promise<ReceivedMail> {
  return api.mailbox.waitFor(
    (mail) => mail.to.includes(to) && (subject === undefined || subject.test(mail.subject)),
  );
}

/** Every mail received so far for `to`. */
export function mailsTo(api: TestApi, to: string): ReceivedMail[] {
  return api.mailbox.messages().filter((mail) => mail.to.includes(to));
}

/** The token of the mail's link to `path` (e.g. `/verify-email`), checking where the link goes. */
export function linkToken(api: TestApi, mail: ReceivedMail, path: string): string {
  const link = mail.links.find((url) => new URL(url).pathname === path);
  assert.ok(link, `no ${path} link in ${JSON.stringify(mail.links)}`);
  const url = new URL(link);
  assert.equal(url.origin, api.config.publicOrigin);
  const token = url.searchParams.get('token');
  assert.ok(token, `no token in ${link}`);
  return token;
}

/** Waits until the outbox has nothing due (every queued mail sent, skipped or failed). */
export async function outboxSettled(api: TestApi): Promise<void> {
  await api.api.mailWorker.drain();
}
