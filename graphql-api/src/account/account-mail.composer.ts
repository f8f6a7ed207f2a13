import type { AccountTokenService } from '../account-tokens';
import { ACCOUNT_TOKEN_TTL_TEXT, AccountTokenPurpose } from '../account-tokens';
import type { ComposedMail, MailComposer, QueuedMessage } from '../mail';
import { renderAccountMail } from '../mail';
import type { AccountMailKind } from '../mail';
import type { User, UserService } from '../users';

/** The outbox templates of the account flows. */
export const AccountMail = {
  VerifyEmail: 'verify-email',
  PasswordReset: 'password-reset',
  EmailChangeConfirm: 'email-change-confirm',
  EmailChangeNotice: 'email-change-notice',
  PasswordChanged: 'password-changed',
  AccountRecovered: 'account-recovered',
  /** A factor changed (passkey, two-factor, recovery codes): `data.change` says which. */
  SecurityNotice: 'security-notice',
} as const satisfies Record<string, AccountMailKind>;

/** The product's name, as every mail says it. */
export const PRODUCT_NAME = 'Movie catalog';

function isAccountMailKind(template: string): template is AccountMailKind {
  return (Object.values(AccountMail) as string[]).includes(template);
}

/**
 * Composes the account mails when the outbox sends them. A linked mail gets its token right
 * then: the mutation wrote only the outbox message (one write), and a retry after a failed or
 * interrupted send issues a new token that replaces the one never delivered, so the newest
 * mail always carries the one working link. A mail that no longer applies (the address changed,
 * is verified already, or never had an account) is skipped, not sent.
 */
export class AccountMailComposer implements MailComposer {
  constructor(
    private readonly users: UserService,
    private readonly tokens: AccountTokenService,
    /** The site's origin, where every link points (`PUBLIC_ORIGIN`). */
    private readonly publicOrigin: string,
  ) {}

  async compose(message: QueuedMessage): Promise<ComposedMail | null> {
    if (!isAccountMailKind(message.template)) return null;
    const kind = message.template;
    const user = message.userId
      ? await this.users.findById(message.userId)
      : await this.users.findByEmail(message.to);
    if (!user) return null;
    const render = (extra: { link?: string; expiresIn?: string } = {}) =>
      renderAccountMail(kind, {
        productName: PRODUCT_NAME,
        recipientName: user.name,
        newEmail: message.data.newEmail,
        change: message.data.change,
        ...extra,
      });
    switch (kind) {
      case AccountMail.VerifyEmail:
        if (user.emailVerified === true || user.email !== message.to) return null;
        return render(
          await this.tokenLink(user, AccountTokenPurpose.VerifyEmail, user.email, '/verify-email'),
        );
      case AccountMail.PasswordReset:
        if (user.email !== message.to) return null;
        return render(
          await this.tokenLink(
            user,
            AccountTokenPurpose.ResetPassword,
            user.email,
            '/reset-password',
          ),
        );
      case AccountMail.EmailChangeConfirm: {
        const newEmail = message.data.newEmail;
        if (!newEmail || newEmail !== message.to) return null;
        return render(
          await this.tokenLink(user, AccountTokenPurpose.ChangeEmail, newEmail, '/confirm-email'),
        );
      }
      case AccountMail.EmailChangeNotice:
      case AccountMail.PasswordChanged:
      case AccountMail.SecurityNotice:
        return render({ link: this.url('/forgot-password') });
      case AccountMail.AccountRecovered:
        return render({ link: this.url('/sign-in') });
    }
  }

  private async tokenLink(
    user: User,
    purpose: AccountTokenPurpose,
    email: string,
    path: string,
  ): Promise<{ link: string; expiresIn: string }> {
    const token = await this.tokens.issue(purpose, user._id, email);
    return { link: this.url(path, token), expiresIn: ACCOUNT_TOKEN_TTL_TEXT[purpose] };
  }

  private url(path: string, token?: string): string {
    const url = new URL(path, this.publicOrigin);
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }
}
