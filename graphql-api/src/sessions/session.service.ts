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

/** Where a session is being used from (recorded at sign-in and each refresh). */
export interface SessionClient {
  ipAddress?: string | null;
  userAgent?: string | null;
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
    ipAddress?: string | null;
  }): Promise<IssuedSession> {
    const refreshToken = newRefreshToken();
    const now = new Date();
    const session = await SessionModel.create({
      createdAt: now,
      user: input.userId,
      refreshTokenHash: hashToken(refreshToken),
      keyScopes: [...input.keyScopes],
      rememberMe: input.rememberMe,
      expiresAt: expiryFor(input.rememberMe),
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      ipAddress: input.ipAddress?.slice(0, 64) ?? null,
      lastUsedAt: now,
    });
    return { session: session.toObject<Session>(), refreshToken };
  }

  /**
   * Swaps a live refresh token for a new one (atomically: of two concurrent uses one wins).
   * A token that was already rotated away means it leaked: the whole session is revoked.
   */
  async rotate(refreshToken: string, client: SessionClient = {}): Promise<IssuedSession> {
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
          $set: {
            refreshTokenHash: hashToken(next),
            expiresAt: expiryFor(current.rememberMe),
            lastUsedAt: now,
            ...(client.ipAddress ? { ipAddress: client.ipAddress.slice(0, 64) } : {}),
            ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 512) } : {}),
          },
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

  /** The user's live sessions, most recently used first. */
  listActive(userId: Types.ObjectId): Promise<Session[]> {
    return SessionModel.find({
      user: userId,
      revokedAt: null,
      expiresAt: trusted({ $gt: new Date() }),
    })
      .sort({ lastUsedAt: -1, _id: -1 })
      .limit(100)
      .lean<Session[]>()
      .exec();
  }

  /** A live session of this user, or null (never someone else's). */
  findActive(userId: Types.ObjectId, sessionId: string): Promise<Session | null> {
    if (!OBJECT_ID.test(sessionId)) return Promise.resolve(null);
    return SessionModel.findOne({
      _id: sessionId,
      user: userId,
      revokedAt: null,
      expiresAt: trusted({ $gt: new Date() }),
    })
      .lean<Session>()
      .exec();
  }

  /** Ends one of the user's own sessions; false when the user has no live session with that id. */
  async revoke(userId: Types.ObjectId, sessionId: string): Promise<boolean> {
    if (!OBJECT_ID.test(sessionId)) return false;
    const result = await SessionModel.updateOne(
      { _id: sessionId, user: userId, revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount > 0;
  }

  /** Ends every session of the user except `keepSessionId` (or all, without one); how many ended. */
  async revokeAll(userId: Types.ObjectId, keepSessionId?: string): Promise<number> {
    const result = await SessionModel.updateMany(
      {
        user: userId,
        revokedAt: null,
        ...(keepSessionId ? { _id: trusted({ $ne: keepSessionId }) } : {}),
      },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount;
  }
}
