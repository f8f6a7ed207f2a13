import type { IssuedSession, SessionService } from '../sessions';
import { INVALID_CREDENTIALS, unauthenticated } from '../shared/errors';
import { userTokenScopes } from '../shared/scopes';
import type { User, UserService } from '../users';
import { normalizeEmail } from '../users';
import type { AuthPayload } from './auth-payload.type';
import type { SignInInput, SignProviderInput, SignUpInput } from './auth.inputs';
import type { PasswordService } from './password.service';
import type { SignInLimiter } from './sign-in.limiter';
import type { TokenService } from './token.service';

/** Who is signing in, as seen by the API. */
export interface SignInMeta {
  /** Client IP (behind the render server: its X-Forwarded-For, see TRUST_PROXY). */
  ip: string;
  userAgent: string | null;
  /** Scopes of the calling API key; the user's token gets these (minus admin-only ones). */
  keyScopes: readonly string[];
}

export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly passwords: PasswordService,
    private readonly limiter: SignInLimiter,
  ) {}

  async signUp(input: SignUpInput): Promise<User> {
    const passwordHash = await this.passwords.hash(input.password);
    return this.users.createWithPassword({
      name: input.name.trim(),
      email: input.email,
      passwordHash,
    });
  }

  /** Same error for an unknown e-mail and a wrong password; failures are rate-limited. */
  async signIn(input: SignInInput, meta: SignInMeta): Promise<AuthPayload> {
    const email = normalizeEmail(input.email);
    // The attempt is counted (or refused) before any password is checked; reading the user at
    // the same time only saves a round trip: a refused attempt's read is simply dropped.
    const [, user] = await Promise.all([
      this.limiter.begin(email, meta.ip),
      this.users.findByEmailWithPassword(email),
    ]);
    const valid = await this.passwords.verify(user?.passwordHash, input.password);
    if (!user || !valid) throw unauthenticated(INVALID_CREDENTIALS);
    const { passwordHash: _omit, ...publicUser } = user;
    // Forgiving the e-mail's failures and starting the session do not depend on each other.
    const [, payload] = await Promise.all([
      this.limiter.succeeded(email, meta.ip),
      this.startSession(publicUser, input.rememberMe, meta),
    ]);
    return payload;
  }

  async signProvider(input: SignProviderInput, meta: SignInMeta): Promise<AuthPayload> {
    const user = await this.users.findOrCreateByProvider(input);
    return this.startSession(user, input.rememberMe, meta);
  }

  /** New access and refresh tokens; the scopes follow the user's current admin flag. */
  async refreshSession(refreshToken: string): Promise<AuthPayload> {
    const session = await this.sessions.rotate(refreshToken);
    const user = await this.users.findById(String(session.session.user));
    if (!user) throw unauthenticated('Invalid or expired refresh token');
    return this.issue(user, session);
  }

  signOut(refreshToken: string): Promise<boolean> {
    return this.sessions.revokeByRefreshToken(refreshToken);
  }

  /** A new session for a signed-in user (its refresh token stored hashed) and its tokens. */
  private async startSession(
    user: User,
    rememberMe: boolean,
    meta: SignInMeta,
  ): Promise<AuthPayload> {
    const session = await this.sessions.create({
      userId: user._id,
      rememberMe,
      keyScopes: meta.keyScopes,
      userAgent: meta.userAgent,
    });
    return this.issue(user, session);
  }

  private async issue(user: User, { session, refreshToken }: IssuedSession): Promise<AuthPayload> {
    const access = await this.tokens.sign({
      sub: user._id.toHexString(),
      sid: session._id.toHexString(),
      name: user.name,
      email: user.email,
      scopes: userTokenScopes(session.keyScopes, user.isAdmin),
    });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt: session.expiresAt,
      user,
    };
  }
}
