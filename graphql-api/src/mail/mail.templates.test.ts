import { renderAccountMail } from './mail.templates';
import type { AccountMailKind } from './mail.templates';

const base = { productName: 'Movie catalog', recipientName: 'Ada' };
const tokenLink = 'https://movies.example.test/verify-email?token=abc&x=1';
const forgotPage = 'https://movies.example.test/forgot-password';

/** Each kind with the link it is sent with and the lines it must carry. */
const cases: Array<{
  kind: AccountMailKind;
  link: string;
  lines: string[];
  lifetime?: string;
}> = [
  {
    kind: 'verify-email',
    link: tokenLink,
    lifetime: '24 hours',
    lines: [
      'Confirm your e-mail address',
      'If you did not ask for this, ignore this mail: nothing changes.',
    ],
  },
  {
    kind: 'password-reset',
    link: tokenLink,
    lifetime: '30 minutes',
    lines: [
      'Reset your password',
      'If you did not ask for this, ignore this mail: your password stays the same.',
    ],
  },
  {
    kind: 'email-change-confirm',
    link: tokenLink,
    lifetime: '1 hour',
    lines: [
      'Confirm your new e-mail address new@example.test',
      'If you did not ask for this, ignore this mail: nothing changes.',
    ],
  },
  {
    kind: 'email-change-notice',
    link: forgotPage,
    lines: [
      'Your e-mail address is being changed to new@example.test',
      `If this wasn't you, reset your password at once:\n${forgotPage}`,
    ],
  },
  {
    kind: 'password-changed',
    link: forgotPage,
    lines: [
      'Your password was changed',
      `If this wasn't you, reset your password at once:\n${forgotPage}`,
    ],
  },
  {
    kind: 'account-recovered',
    link: 'https://movies.example.test/sign-in',
    lines: [
      'Someone used this address to sign in with Google. Because the address had never been verified, the account now belongs to the Google account that proved it: its password was removed and every session was signed out.',
      "If this wasn't you",
      'https://movies.example.test/sign-in',
    ],
  },
];

describe('renderAccountMail', () => {
  it.each(cases)(
    '$kind has a subject, text and HTML with the product, link, lifetime and "not you" line',
    ({ kind, link, lines, lifetime }) => {
      const mail = renderAccountMail(kind, { ...base, link, newEmail: 'new@example.test' });
      expect(mail.subject).toContain('Movie catalog');
      expect(mail.subject).not.toMatch(/[\r\n]/);
      for (const part of [mail.text, mail.html]) {
        expect(part).toContain('Movie catalog');
        expect(part).toContain('Ada');
      }
      for (const line of lines) expect(mail.text).toContain(line);
      // The HTML has the same lines (escaped) and the link as a button-like anchor and as text.
      const escapedLink = link.replace(/&/g, '&amp;');
      expect(mail.html).toContain(`href="${escapedLink}"`);
      expect(mail.html).toContain(`>${escapedLink}</a>`);
      expect(mail.html).toContain(lines[0]?.split('\n')[0]);
      if (lifetime) {
        expect(mail.text).toContain(`The link works for ${lifetime}.`);
        expect(mail.html).toContain(`The link works for ${lifetime}.`);
        expect(mail.html).toMatch(/<a href="[^"]+" style="display:inline-block;/);
      }
    },
  );

  it('uses the lifetime it is given instead of the default', () => {
    const mail = renderAccountMail('verify-email', {
      ...base,
      link: tokenLink,
      expiresIn: '2 days',
    });
    expect(mail.text).toContain('The link works for 2 days.');
    expect(mail.text).not.toContain('24 hours');
  });

  it('escapes everything it interpolates into the HTML', () => {
    const hostile = '<script>alert("x")</script> & co';
    const mail = renderAccountMail('email-change-notice', {
      productName: 'Movies <b>',
      recipientName: hostile,
      newEmail: '"><img src=x onerror=alert(1)>@example.test',
      link: 'https://movies.example.test/forgot-password?a="b"&c=<d>',
      supportHint: '<i>support</i>',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).not.toContain('<i>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(mail.html).toContain('&lt;i&gt;support&lt;/i&gt;');
    // The text part is plain text: the name appears as typed.
    expect(mail.text).toContain(hostile);
    expect(mail.text).toContain('<i>support</i>');
  });

  it('refuses a missing link where the mail is the link, and a link that is not http(s)', () => {
    expect(() => renderAccountMail('password-reset', base)).toThrow('needs a link');
    expect(() =>
      renderAccountMail('verify-email', { ...base, link: 'javascript:alert(1)' }),
    ).toThrow('must be http(s)');
    expect(() => renderAccountMail('verify-email', { ...base, link: '/relative' })).toThrow(
      'not an absolute URL',
    );
  });

  it('still tells a notice recipient what to do without a link', () => {
    const mail = renderAccountMail('password-changed', base);
    expect(mail.text).toContain("If this wasn't you, reset your password at once from the");
    expect(mail.html).not.toContain('<a ');
  });
});
