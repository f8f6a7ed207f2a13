import type { AccountTokenService } from '../account-tokens';
import { AccountTokenPurpose } from '../account-tokens';
import type {
  AuthPayload,
  PasswordService,
  ReauthenticationMethod,
  SessionIssuer,
  SignInLimiter,
  SignInMeta,
} from '../auth';
import type { CurrentUser } from '../context';
import type { IdTokenVerifier } from '../identity';
import type { OutboxService } from '../mail';
import type { MfaService } from '../mfa';
import type { PasskeyService } from '../passkeys';
import type { SessionService } from '../sessions';
import { GraphQLError } from 'graphql';
import { argumentError, conflict, ErrorCode, unauthenticated } from '../shared/errors';
import type { RequestLimiter } from '../shared/request-limiter';
import type { AuthProvider, User, UserService } from '../users';
import { normalizeEmail } from '../users';
import { AccountMail } from './account-mail.composer';
import type { AccountSecurity } from './account-security.type';

/** The limits account requests count against (MongoDB, shared by every process). */
export interface AccountLimiters {
  /** Checks of the current password (changing it or the e-mail) count as sign-in attempts. */
  signIn: SignInLimiter;
  /** Mails someone asked for (resend verification, reset, e-mail change), per address. */
  mailPerEmail: RequestLimiter;
  /** The same, per client IP. */
  mailPerIp: RequestLimiter;
}

const INVALID_LINK = 'This link is invalid, has expired or was already used; ask for a new one';

function invalidLink(argument = 'token'): Error {
  return argumentError(argument, 'accountToken', INVALID_LINK);
}

function wrongPassword(): Error {
  return argumentError('currentPassword', 'currentPassword', 'The current password is not correct');
}

/**
 * The self-service account flows: e-mail verification, password reset and change, e-mail
 * change, and connecting providers. Each mailed step is a single-use token with its own expiry
 * (account-tokens/); mails go through the outbox, composed when sent (account-mail.composer).
 */
export class AccountService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly issuer: SessionIssuer,
    private readonly passwords: PasswordService,
    private readonly tokens: AccountTokenService,
    private readonly outbox: OutboxService,
    private readonly limiters: AccountLimiters,
    private readonly identityVerifiers: Readonly<Record<AuthProvider, IdTokenVerifier>>,
    private readonly factors: { mfa: MfaService; passkeys: PasskeyService },
  ) {}

  /** Every sign-in method of the caller with its last use, and the session's step-up window. */
  async security(current: CurrentUser): Promise<AccountSecurity> {
    const [user, passkeys, twoFactor, reauthenticatedUntil, methods] = await Promise.all([
      this.requireUser(current),
      this.factors.passkeys.list(current.id),
      this.factors.mfa.status(current.id),
      this.sessions.reauthenticatedUntil(current.id, current.sessionId),
      this.sessions.reauthenticationMethods(current.id),
    ]);
    const google = user.providers?.some((linked) => linked.provider === 'GOOGLE') ?? false;
    return {
      passwordLastUsedAt: user.hasPassword ? (user.lastUsed?.password ?? null) : null,
      googleLastUsedAt: google ? (user.lastUsed?.GOOGLE ?? null) : null,
      passkeys,
      twoFactor,
      reauthenticatedUntil,
      // The hook is auth's reauthenticationMethods (services.ts): these are its values.
      reauthenticationMethods: methods as ReauthenticationMethod[],
    };
  }

  /** Queues the verification mail of a new account (its token is made when it is sent). */
  async sendVerification(user: User): Promise<void> {
    await this.outbox.enqueue({
      template: AccountMail.VerifyEmail,
      to: user.email,
      userId: user._id,
    });
  }

  /** Resends the verification mail; false when the address is verified already. */
  async requestEmailVerification(current: CurrentUser, ip: string): Promise<boolean> {
    const user = await this.requireUser(current);
    if (user.emailVerified === true) return false;
    await this.countMailRequest(user.email, ip);
    await this.sendVerification(user);
    return true;
  }

  /** Uses a verification link: the address it was sent to is verified, if still the account's. */
  async verifyEmail(token: string): Promise<User> {
    const consumed = await this.tokens.consume(AccountTokenPurpose.VerifyEmail, token);
    if (!consumed) throw invalidLink();
    const user = await this.users.markEmailVerified(consumed.userId, consumed.email);
    if (!user) throw invalidLink();
    return user;
  }

  /**
   * Always true, whether or not the address has an account, after the same work: the limits
   * and ONE outbox write. Whether a mail goes out is decided when it is sent.
   */
  async requestPasswordReset(email: string, ip: string): Promise<boolean> {
    const address = normalizeEmail(email);
    await this.countMailRequest(address, ip);
    await this.outbox.enqueue({ template: AccountMail.PasswordReset, to: address });
    return true;
  }

  /**
   * Uses a reset link: the new password is set, the address marked verified (the link proved
   * it), and every session and pending link of the account ends.
   */
  async resetPassword(token: string, newPassword: string): Promise<boolean> {
    const consumed = await this.tokens.consume(AccountTokenPurpose.ResetPassword, token);
    if (!consumed) throw invalidLink();
    // The link proves the mailbox. If the account never had (someone may have signed up with
    // another person's address), whatever was set up on it is the other person's: below, their
    // passkeys, two-factor and connected accounts go with their password and sessions.
    const firstProof = (await this.users.findById(consumed.userId))?.emailVerified !== true;
    const passwordHash = await this.passwords.hash(newPassword);
    const set = await this.users.setPassword(consumed.userId, passwordHash, {
      email: consumed.email,
    });
    if (!set) throw invalidLink();
    await Promise.all([
      this.sessions.revokeAll(consumed.userId),
      this.tokens.revokeAll(consumed.userId),
      firstProof
        ? Promise.all([
            this.factors.mfa.removeAll(consumed.userId),
            this.factors.passkeys.removeAll(consumed.userId),
            this.users.removeProviders(consumed.userId),
          ])
        : this.factors.mfa.cancelChallenges(consumed.userId, { unlock: true }),
    ]);
    await this.outbox.enqueue({
      template: AccountMail.PasswordChanged,
      to: consumed.email,
      userId: consumed.userId,
    });
    return true;
  }

  /**
   * A new password for a signed-in person who knows the current one: every session ends, and
   * this one is replaced by a new session (same lifetime), whose tokens are returned.
   */
  async changePassword(
    current: CurrentUser,
    currentPassword: string,
    newPassword: string,
    meta: SignInMeta,
  ): Promise<AuthPayload> {
    const user = await this.checkCurrentPassword(current, currentPassword, meta.ip);
    const session = await this.sessions.findActive(current.id, current.sessionId);
    await this.users.setPassword(user._id, await this.passwords.hash(newPassword));
    await Promise.all([
      this.sessions.revokeAll(user._id),
      this.factors.mfa.cancelChallenges(user._id),
    ]);
    const payload = await this.issuer.start(user, session?.rememberMe ?? false, {
      ...meta,
      keyScopes: session?.keyScopes ?? meta.keyScopes,
    });
    await this.outbox.enqueue({
      template: AccountMail.PasswordChanged,
      to: user.email,
      userId: user._id,
    });
    return payload;
  }

  /**
   * Starts moving the account to a new address: a confirmation link goes to the new address
   * (the change happens only when it is used) and a notice to the current one.
   */
  async changeEmail(
    current: CurrentUser,
    newEmail: string,
    currentPassword: string,
    ip: string,
  ): Promise<boolean> {
    const user = await this.checkCurrentPassword(current, currentPassword, ip);
    const address = normalizeEmail(newEmail);
    if (address === user.email) {
      throw argumentError('newEmail', 'sameEmail', 'This is already your e-mail address');
    }
    if (await this.users.emailTaken(address)) {
      throw conflict('An account with this e-mail already exists');
    }
    await this.countMailRequest(address, ip);
    const data = { newEmail: address };
    await this.outbox.enqueue({
      template: AccountMail.EmailChangeConfirm,
      to: address,
      userId: user._id,
      data,
    });
    await this.outbox.enqueue({
      template: AccountMail.EmailChangeNotice,
      to: user.email,
      userId: user._id,
      data,
    });
    return true;
  }

  /** Uses an e-mail change link: the account moves to the address it was sent to, verified. */
  async confirmEmailChange(token: string): Promise<User> {
    const consumed = await this.tokens.consume(AccountTokenPurpose.ChangeEmail, token);
    if (!consumed) throw invalidLink();
    const user = await this.users.changeEmail(consumed.userId, consumed.email);
    if (!user) throw invalidLink();
    // Links mailed to the old address (a verification, a reset) must not work any more.
    await this.tokens.revokeAll(user._id);
    return user;
  }

  /**
   * Connects a provider identity, proven by its ID token, to the signed-in account (a new way
   * in: needs a recent sign-in).
   */
  async connectProvider(
    current: CurrentUser,
    provider: AuthProvider,
    idToken: string,
  ): Promise<User> {
    await this.sessions.requireRecentAuthentication(current);
    let identity;
    try {
      identity = await this.identityVerifiers[provider].verify(idToken);
    } catch (error) {
      // The caller is signed in: a token that does not verify is a bad argument, not a dead
      // session (UNAUTHENTICATED would sign the person out of the site).
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.Unauthenticated) {
        throw argumentError('input', 'idToken', error.message, 'idToken');
      }
      throw error;
    }
    return this.users.connectProvider(current.id, { provider, ...identity });
  }

  /** Disconnects a provider (needs a recent sign-in), unless it is the last way to sign in. */
  async disconnectProvider(current: CurrentUser, provider: AuthProvider): Promise<User> {
    await this.sessions.requireRecentAuthentication(current);
    // A passkey is a way in too (the last passkey is kept unless another way remains).
    const otherWayIn = (await this.factors.passkeys.count(current.id)) > 0;
    return this.users.disconnectProvider(current.id, provider, { otherWayIn });
  }

  /**
   * A provider's owner took over an account whose address was never verified (see
   * UserService.signInWithProvider): every session, pending link, passkey and two-factor setting
   * of the previous holder ends (a passkey they added would otherwise still let them in), and
   * the address is told why.
   */
  async recoveredByProvider(user: User): Promise<void> {
    await Promise.all([
      this.sessions.revokeAll(user._id),
      this.tokens.revokeAll(user._id),
      this.factors.mfa.removeAll(user._id),
      this.factors.passkeys.removeAll(user._id),
    ]);
    await this.outbox.enqueue({
      template: AccountMail.AccountRecovered,
      to: user.email,
      userId: user._id,
    });
  }

  private async requireUser(current: CurrentUser): Promise<User> {
    const user = await this.users.findById(current.id);
    if (!user) throw unauthenticated('Sign in to use this operation');
    return user;
  }

  /** The account, once its current password checked out (counted like a sign-in attempt). */
  private async checkCurrentPassword(
    current: CurrentUser,
    password: string,
    ip: string,
  ): Promise<User> {
    const user = await this.users.findByIdWithPassword(current.id);
    if (!user) throw unauthenticated('Sign in to use this operation');
    const { passwordHash, ...publicUser } = user;
    if (!passwordHash) {
      throw argumentError(
        'currentPassword',
        'noPassword',
        'This account has no password yet: set one with "Forgot password?" first',
      );
    }
    await this.limiters.signIn.begin(user.email, ip);
    if (!(await this.passwords.verify(passwordHash, password))) throw wrongPassword();
    await this.limiters.signIn.succeeded(user.email, ip);
    return publicUser;
  }

  private async countMailRequest(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.limiters.mailPerEmail.consume(email),
      this.limiters.mailPerIp.consume(ip),
    ]);
  }
}
