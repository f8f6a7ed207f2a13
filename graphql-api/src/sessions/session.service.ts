import { trusted } from 'mongoose';
import type { Types } from 'mongoose';
import { unauthenticated } from '../shared/errors';
import { hashToken, randomToken } from '../shared/tokens';
import type { Session } from './session.model';
import { SessionModel } from './session.model';

/** How long a refresh token lives: 30 days with "remember me", else 2 hours. */
export const REFRESH_TTL_MS = { rememberMe: 30 * 24 * 3600 * 1000, default: 2 * 3600 * 1000 };

const newRefreshToken = randomToken;

function expiryFor(rememberMe: boolean, now = Date.now()): Date {
  return new Date(now + (rememberMe ? REFRESH_TTL_MS.rememberMe : REFRESH_TTL_MS.default));
}

/** A session with the refresh token the caller gets (only its hash is stored). */
export interface IssuedSession {
  session: Session;
  refreshToken: string;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
const INVALID_REFRESH = 'Invalid or expired refresh token';

export class SessionService {
  async create(input: {
    userId: Types.ObjectId;
    rememberMe: boolean;
    keyScopes: readonly string[];
    userAgent?: string | null;
  }): Promise<IssuedSession> {
    const refreshToken = newRefreshToken();
    const session = await SessionModel.create({
      user: input.userId,
      refreshTokenHash: hashToken(refreshToken),
      keyScopes: [...input.keyScopes],
      rememberMe: input.rememberMe,
      expiresAt: expiryFor(input.rememberMe),
      userAgent: input.userAgent?.slice(0, 512) ?? null,
    });
    return { session: session.toObject<Session>(), refreshToken };
  }

  /**
   * Swaps a live refresh token for a new one (atomically: of two concurrent uses one wins).
   * A token that was already rotated away means it leaked: the whole session is revoked.
   */
  async rotate(refreshToken: string): Promise<IssuedSession> {
    const hash = hashToken(refreshToken);
    const next = newRefreshToken();
    const now = new Date();
    const current = await SessionModel.findOne({ refreshTokenHash: hash })
      .select({ rememberMe: 1 })
      .lean<Pick<Session, '_id' | 'rememberMe'>>();
    if (current) {
      const session = await SessionModel.findOneAndUpdate(
        {
          _id: current._id,
          refreshTokenHash: hash,
          revokedAt: null,
          expiresAt: trusted({ $gt: now }),
        },
        {
          $set: { refreshTokenHash: hashToken(next), expiresAt: expiryFor(current.rememberMe) },
          // The last 100 rotated tokens are remembered for reuse detection (a bounded array).
          $push: { previousTokenHashes: { $each: [hash], $slice: -100 } },
        },
        { returnDocument: 'after' },
      ).lean<Session>();
      if (session) return { session, refreshToken: next };
    }
    // Not current: either unknown, expired, revoked, or a rotated (stolen?) token.
    await SessionModel.updateOne(
      { previousTokenHashes: hash, revokedAt: null },
      { $set: { revokedAt: now } },
    );
    throw unauthenticated(INVALID_REFRESH);
  }

  /** Revokes the session of this refresh token; false when no live session has it. */
  async revokeByRefreshToken(refreshToken: string): Promise<boolean> {
    const result = await SessionModel.updateOne(
      { refreshTokenHash: hashToken(refreshToken), revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount > 0;
  }

  /** Whether an access token's session is still live (checked on every request with a token). */
  async isActive(sessionId: string, userId: string): Promise<boolean> {
    if (!OBJECT_ID.test(sessionId) || !OBJECT_ID.test(userId)) return false;
    const found = await SessionModel.exists({
      _id: sessionId,
      user: userId,
      revokedAt: null,
      expiresAt: trusted({ $gt: new Date() }),
    });
    return found !== null;
  }
}
