import type { IssuedSession, SessionService } from '../sessions';
import { userTokenScopes } from '../shared/scopes';
import type { User } from '../users';
import type { AuthPayload } from './auth-payload.type';
import type { TokenService } from './token.service';

/** Who is signing in, as seen by the API. */
export interface SignInMeta {
  /** Client IP: the render server's forwarded one, or the connection's (see context.ts). */
  ip: string;
  userAgent: string | null;
  /** Scopes of the calling API key; the user's token gets these (minus admin-only ones). */
  keyScopes: readonly string[];
}

/**
 * Starts sessions and signs their tokens: the one place a sign-in of any kind (password,
 * provider, a changed password) ends up, shared by auth/ and account/.
 */
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
  ) {}

  /** A new session for a signed-in user (its refresh token stored hashed) and its tokens. */
  async start(user: User, rememberMe: boolean, meta: SignInMeta): Promise<AuthPayload> {
    const session = await this.sessions.create({
      userId: user._id,
      rememberMe,
      keyScopes: meta.keyScopes,
      userAgent: meta.userAgent,
      ipAddress: meta.ip,
    });
    return this.issue(user, session);
  }

  /** Access and refresh tokens for a session; the scopes follow the user's current admin flag. */
  async issue(user: User, { session, refreshToken }: IssuedSession): Promise<AuthPayload> {
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
