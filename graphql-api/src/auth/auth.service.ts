import type { AccountService } from '../account';
import type { IdTokenVerifier } from '../identity';
import type { SessionService } from '../sessions';
import { INVALID_CREDENTIALS, unauthenticated } from '../shared/errors';
import type { RequestLimiter } from '../shared/request-limiter';
import type { User, UserService, AuthProvider } from '../users';
import { normalizeEmail } from '../users';
import type { AuthPayload } from './auth-payload.type';
import type { SignInInput, SignProviderInput, SignUpInput } from './auth.inputs';
import type { PasswordService } from './password.service';
import type { SessionIssuer, SignInMeta } from './session-issuer';
import type { SignInLimiter } from './sign-in.limiter';

/** The limits the sign-in flows count against (all in MongoDB, shared by every process). */
export interface AuthLimiters {
  signIn: SignInLimiter;
  signUpPerIp: RequestLimiter;
}

/** Sign-up, sign-in (password or a provider's ID token), refresh and sign-out. */
export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly issuer: SessionIssuer,
    private readonly passwords: PasswordService,
    private readonly limiters: AuthLimiters,
    private readonly identityVerifiers: Readonly<Record<AuthProvider, IdTokenVerifier>>,
    private readonly account: AccountService,
  ) {}

  /** A new password account with an unverified e-mail; the verification mail is queued. */
  async signUp(input: SignUpInput, meta: Pick<SignInMeta, 'ip'>): Promise<User> {
    await this.limiters.signUpPerIp.consume(meta.ip);
    const passwordHash = await this.passwords.hash(input.password);
    const user = await this.users.createWithPassword({
      name: input.name.trim(),
      email: input.email,
      passwordHash,
    });
    await this.account.sendVerification(user);
    return user;
  }

  /** Same error for an unknown e-mail and a wrong password; failures are rate-limited. */
  async signIn(input: SignInInput, meta: SignInMeta): Promise<AuthPayload> {
    const email = normalizeEmail(input.email);
    // The attempt is counted (or refused) before any password is checked; reading the user at
    // the same time only saves a round trip: a refused attempt's read is simply dropped.
    const [, user] = await Promise.all([
      this.limiters.signIn.begin(email, meta.ip),
      this.users.findByEmailWithPassword(email),
    ]);
    const valid = await this.passwords.verify(user?.passwordHash, input.password);
    if (!user?.passwordHash || !valid) throw unauthenticated(INVALID_CREDENTIALS);
    const { passwordHash, ...publicUser } = user;
    const payload = await this.issuer.start(publicUser, input.rememberMe, meta);
    // A reset, a password change or a Google recovery may have replaced this password while it
    // was being checked: they end every session *after* changing it, so a session started with
    // the old password is ended here, after its insert. Either way it cannot outlive them.
    const [, stillValid] = await Promise.all([
      this.limiters.signIn.succeeded(email, meta.ip),
      this.users.hasPasswordHash(user._id, passwordHash),
    ]);
    if (!stillValid) {
      await this.sessions.revokeByRefreshToken(payload.refreshToken);
      throw unauthenticated(INVALID_CREDENTIALS);
    }
    return payload;
  }

  /**
   * Sign-in with a provider's ID token, verified here (signature, issuer, audience, expiry):
   * the identity comes only from the token. See UserService.signInWithProvider for linking.
   */
  async signProvider(input: SignProviderInput, meta: SignInMeta): Promise<AuthPayload> {
    const identity = await this.identityVerifiers[input.provider].verify(input.idToken);
    const { user, outcome } = await this.users.signInWithProvider({
      provider: input.provider,
      ...identity,
    });
    // The unverified password setter loses the account: their sessions end before the
    // provider's owner gets one.
    if (outcome === 'recovered') await this.account.recoveredByProvider(user);
    return this.issuer.start(user, input.rememberMe, meta);
  }

  /** New access and refresh tokens; the scopes follow the user's current admin flag. */
  async refreshSession(
    refreshToken: string,
    meta: Pick<SignInMeta, 'ip' | 'userAgent'>,
  ): Promise<AuthPayload> {
    const session = await this.sessions.rotate(refreshToken, {
      ipAddress: meta.ip,
      userAgent: meta.userAgent,
    });
    const user = await this.users.findById(String(session.session.user));
    if (!user) throw unauthenticated('Invalid or expired refresh token');
    return this.issuer.issue(user, session);
  }

  signOut(refreshToken: string): Promise<boolean> {
    return this.sessions.revokeByRefreshToken(refreshToken);
  }
}
