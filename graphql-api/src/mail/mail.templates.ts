import type { ComposedMail } from './mail.types';

/** The account mails the product sends. */
export type AccountMailKind =
  | 'verify-email'
  | 'password-reset'
  | 'email-change-confirm'
  | 'email-change-notice'
  | 'password-changed'
  | 'account-recovered'
  | 'security-notice';

/** What {@link renderAccountMail} fills in. */
export interface AccountMailParams {
  productName: string;
  recipientName: string;
  /** The action link (verify-email, password-reset, email-change-confirm: required) or, for notices, the page to act on. */
  link?: string;
  /** How long the link works, e.g. "24 hours"; defaults to the kind's usual lifetime. */
  expiresIn?: string;
  /** The address being switched to (the e-mail change mails). */
  newEmail?: string;
  /** The security notice's change, as a sentence ("A passkey named "Laptop" was added."). */
  change?: string;
  /** An extra last line, e.g. "Questions? Write to support@example.com." */
  supportHint?: string;
}

/** How long each kind's link works unless the caller says otherwise. */
export const DEFAULT_LINK_LIFETIME: Readonly<Partial<Record<AccountMailKind, string>>> = {
  'verify-email': '24 hours',
  'password-reset': '30 minutes',
  'email-change-confirm': '1 hour',
};

/** The kinds whose whole point is a link: rendering one without it is a bug. */
const NEEDS_LINK: ReadonlySet<AccountMailKind> = new Set([
  'verify-email',
  'password-reset',
  'email-change-confirm',
]);

/** One mail's content before it becomes text and HTML. */
interface MailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  /** The link's button label, and how long the link works when it expires. */
  action: { label: string; lifetime?: string };
  /** What to do if the recipient did not ask for this. */
  warning: string;
  /** Notices: the link is what to do if it wasn't you, so it comes after the warning. */
  linkAfterWarning?: boolean;
}

/**
 * Renders an account mail: a plain-text and an HTML part with the product's name, the link
 * (with how long it lasts) and what to do if it wasn't you. Pure: no I/O, no clock. Everything
 * interpolated into the HTML is escaped, and only an http(s) link is accepted, so neither a
 * user's name nor a bad link can inject markup or a `javascript:` URL.
 */
export function renderAccountMail(kind: AccountMailKind, params: AccountMailParams): ComposedMail {
  const link = params.link === undefined ? undefined : checkedLink(params.link);
  if (NEEDS_LINK.has(kind) && link === undefined) {
    throw new Error(`renderAccountMail: the ${kind} mail needs a link`);
  }
  const content = contentOf(kind, params, link);
  return {
    subject: content.subject.replace(/[\r\n]+/g, ' '),
    text: renderText(content, params, link),
    html: renderHtml(content, params, link),
  };
}

function contentOf(
  kind: AccountMailKind,
  params: AccountMailParams,
  link: string | undefined,
): MailContent {
  const product = params.productName;
  const lifetime = params.expiresIn ?? DEFAULT_LINK_LIFETIME[kind];
  const newAddress = params.newEmail ? params.newEmail : 'a new address';
  const resetNow = link
    ? "If this wasn't you, reset your password at once:"
    : `If this wasn't you, reset your password at once from the ${product} sign-in page ("Forgot your password?").`;
  switch (kind) {
    case 'verify-email':
      return {
        subject: `Confirm your e-mail address for ${product}`,
        heading: 'Confirm your e-mail address',
        paragraphs: [
          `Welcome to ${product}! Please confirm that this address is yours: it lets you reset your password if you ever forget it.`,
        ],
        action: { label: 'Confirm e-mail address', lifetime },
        warning: 'If you did not ask for this, ignore this mail: nothing changes.',
      };
    case 'password-reset':
      return {
        subject: `Reset your ${product} password`,
        heading: 'Reset your password',
        paragraphs: [
          `Someone asked to reset the password of your ${product} account. Open the link to choose a new one.`,
        ],
        action: { label: 'Reset password', lifetime },
        warning: 'If you did not ask for this, ignore this mail: your password stays the same.',
      };
    case 'email-change-confirm':
      return {
        subject: `Confirm your new e-mail address for ${product}`,
        heading: `Confirm your new e-mail address ${newAddress}`,
        paragraphs: [
          `You asked to use ${newAddress} for your ${product} account. Open the link to confirm it; until then your account keeps its current address.`,
        ],
        action: { label: 'Confirm new address', lifetime },
        warning: 'If you did not ask for this, ignore this mail: nothing changes.',
      };
    case 'email-change-notice':
      return {
        subject: `Your ${product} e-mail address is being changed`,
        heading: `Your e-mail address is being changed to ${newAddress}`,
        paragraphs: [
          `Someone signed in to your ${product} account asked to change its e-mail address to ${newAddress}. The change takes effect once the new address is confirmed; after that, mail about your account goes there instead.`,
        ],
        action: { label: 'Reset your password' },
        warning: resetNow,
        linkAfterWarning: true,
      };
    case 'password-changed':
      return {
        subject: `Your ${product} password was changed`,
        heading: 'Your password was changed',
        paragraphs: [`The password of your ${product} account was just changed.`],
        action: { label: 'Reset your password' },
        warning: resetNow,
        linkAfterWarning: true,
      };
    case 'security-notice':
      return {
        subject: `Your ${product} sign-in methods changed`,
        heading: 'Your sign-in methods changed',
        paragraphs: [
          params.change ?? 'A sign-in method of your account changed.',
          'If this was you, there is nothing to do.',
        ],
        action: { label: 'Reset your password' },
        warning: `If this wasn't you, someone is signed in to your account: reset your password at once (every device is then signed out) and check your sign-in methods on the ${product} account page.`,
        linkAfterWarning: true,
      };
    case 'account-recovered':
      return {
        subject: `Your ${product} account now signs in with Google`,
        heading: 'Your account now signs in with Google',
        paragraphs: [
          'Someone used this address to sign in with Google. Because the address had never been verified, the account now belongs to the Google account that proved it: its password was removed and every session was signed out.',
          'If that was you, there is nothing to do: sign in with Google from now on.',
        ],
        warning: `If this wasn't you, someone can sign in to the Google account of this address: secure that Google account first (change its password, check its recovery options), then sign in to ${product}${link ? ' here:' : '.'}`,
        action: { label: 'Sign in' },
        linkAfterWarning: true,
      };
  }
}

function renderText(
  content: MailContent,
  params: AccountMailParams,
  link: string | undefined,
): string {
  const blocks = [content.heading, `Hello ${params.recipientName},`, ...content.paragraphs];
  if (link && !content.linkAfterWarning) {
    blocks.push(`${content.action.label}:\n${link}`);
    if (content.action.lifetime) blocks.push(`The link works for ${content.action.lifetime}.`);
  }
  blocks.push(link && content.linkAfterWarning ? `${content.warning}\n${link}` : content.warning);
  if (params.supportHint) blocks.push(params.supportHint);
  blocks.push(`\u2014 ${params.productName}`);
  return `${blocks.join('\n\n')}\n`;
}

const STYLE = {
  body: 'margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b;',
  card: 'max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px;',
  brand: 'margin:0 0 16px;font-size:14px;font-weight:600;color:#71717a;',
  heading: 'margin:0 0 16px;font-size:20px;line-height:1.3;',
  paragraph: 'margin:0 0 16px;font-size:16px;line-height:1.5;',
  button:
    'display:inline-block;background:#2563eb;color:#ffffff;padding:12px 20px;border-radius:6px;font-weight:600;text-decoration:none;',
  small: 'margin:0 0 16px;font-size:13px;line-height:1.5;color:#52525b;word-break:break-all;',
};

function renderHtml(
  content: MailContent,
  params: AccountMailParams,
  link: string | undefined,
): string {
  const p = (html: string, style = STYLE.paragraph): string => `<p style="${style}">${html}</p>`;
  const parts = [
    p(escapeHtml(params.productName), STYLE.brand),
    `<h1 style="${STYLE.heading}">${escapeHtml(content.heading)}</h1>`,
    p(`Hello ${escapeHtml(params.recipientName)},`),
    ...content.paragraphs.map((paragraph) => p(escapeHtml(paragraph))),
  ];
  // The link as a button, and as text for clients that hide buttons.
  const linkParts = (target: string): string[] => [
    p(
      `<a href="${escapeHtml(target)}" style="${STYLE.button}">${escapeHtml(content.action.label)}</a>`,
    ),
    p(
      `If the button does not work, paste this link into your browser:<br>${linkHtml(target)}`,
      STYLE.small,
    ),
  ];
  if (link && !content.linkAfterWarning) {
    parts.push(...linkParts(link));
    if (content.action.lifetime) {
      parts.push(p(`The link works for ${escapeHtml(content.action.lifetime)}.`));
    }
  }
  parts.push(p(escapeHtml(content.warning)));
  if (link && content.linkAfterWarning) parts.push(...linkParts(link));
  if (params.supportHint) parts.push(p(escapeHtml(params.supportHint), STYLE.small));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    `<body style="${STYLE.body}">`,
    `<div style="${STYLE.card}">`,
    ...parts,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The URL as a link whose visible text is the URL itself. */
function linkHtml(link: string): string {
  const escaped = escapeHtml(link);
  return `<a href="${escaped}" style="color:#2563eb;">${escaped}</a>`;
}

/** Escapes text for HTML element content and double-quoted attributes (the only kind used here). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Accepts only absolute http(s) URLs: a mail link is never `javascript:` or relative. */
function checkedLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    // The link is not repeated: it may carry a token.
    throw new Error('renderAccountMail: the link is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('renderAccountMail: the link must be http(s)');
  }
  // The caller's exact string: the URL was only parsed to check it.
  return link;
}
