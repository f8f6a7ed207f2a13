import { formatDateTime } from '../../shared/date-time';
import { httpUrl } from '../../shared/html';
import type { DevMailMessage } from '../../shared/page-props';

/** http(s) URLs in running text, up to whitespace or a character that cannot end one. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'()[\]{}]+/g;

/**
 * The plain-text part with its http(s) links made clickable. Everything is React text (escaped),
 * and only what {@link httpUrl} accepts becomes an `<a>`: a `javascript:` "link" stays text.
 */
export function LinkedText({ text }: { text: string }) {
  const parts: (string | { href: string; text: string })[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    // Trailing punctuation ends the sentence, not the URL.
    const raw = match[0].replace(/[.,;:!?]+$/, '');
    const start = match.index;
    const href = httpUrl(raw);
    if (!href) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ href, text: raw });
    last = start + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <pre className="mail-text">
      {parts.map((part, index) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a key={index} href={part.href} rel="noreferrer">
            {part.text}
          </a>
        ),
      )}
    </pre>
  );
}

/**
 * `/dev/mail` (development and tests only): the API's local inbox, newest first, so the
 * verification and reset links can be followed without a mail server. The mails' HTML is
 * never shown: it is untrusted markup.
 */
export function DevMailPage({ messages }: { messages: DevMailMessage[] }) {
  return (
    <div className="dev-mail">
      <h1>Development inbox</h1>
      <p>
        Mails the API sent, newest first. This page does not exist in production. Links open here in
        this browser.
      </p>
      {messages.length === 0 ? <p data-testid="inbox-empty">No mail yet.</p> : null}
      {messages.map((mail) => (
        <article key={mail.id} className="mail" data-testid="mail">
          <h2>{mail.subject || '(no subject)'}</h2>
          <p className="meta">
            To <span data-testid="mail-to">{mail.to.join(', ')}</span> ·{' '}
            <time dateTime={mail.receivedAt}>{formatDateTime(mail.receivedAt)}</time> · from{' '}
            {mail.from}
          </p>
          <LinkedText text={mail.text} />
        </article>
      ))}
    </div>
  );
}
