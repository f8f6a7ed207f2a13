import { trusted } from 'mongoose';
import type { Types } from 'mongoose';
import { reauthenticationRequired, unauthenticated } from '../shared/errors';
import type { RefreshTokenCodec } from './refresh-token.codec';
import type { Session } from './session.model';
import { SessionModel } from './session.model';

/**
 * How long a sign-in event lets the session make sensitive changes (OWASP ASVS 5.0 7.5.1):
 * changing factors, connecting accounts, signing out every other device.
 */
export const REAUTHENTICATION_WINDOW_MS = 5 * 60 * 1000;

/** How long a refresh token lives: 30 days with "remember me", else 2 hours. */
export const REFRESH_TTL_MS = { rememberMe: 30 * 24 * 3600 * 1000, default: 2 * 3600 * 1000 };

function expiryFor(rememberMe: boolean, now = Date.now()): Date {
  return new Date(now + (rememberMe ? REFRESH_TTL_MS.rememberMe : REFRESH_TTL_MS.default));
}

/** Where a session is being used from (recorded at sign-in and each refresh). */
export interface SessionClient {
  ipAddress?: string | null;
  userAgent?: string | null;
}

/** A session with the refresh token the caller gets (derived from its counter, never stored). */
export interface IssuedSession {
  session: Session;
  refreshToken: string;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
const INVALID_REFRESH = 'Invalid or expired refresh token';
/** Indexes of earlier versions of the `sessions` collection. */
const OBSOLETE_INDEXES = ['refreshTokenHash_1', 'previousTokenHashes_1'];

/** What other domains tell sessions (wired in services.ts, so sessions/ need not know them). */
export interface SessionServiceHooks {
  /** What `reauthenticate` accepts for this user: the `methods` of REAUTHENTICATION_REQUIRED. */
  reauthenticationMethods?: (userId: Types.ObjectId) => Promise<readonly string[]>;
}

/**
 * Sessions and their refresh counters. Every transition is one atomic update conditioned on the
 * session being live (and, for a refresh, on its counter), so sign-out, revoke and refresh are
 * serialised by the database: a refresh can never bring a revoked session back.
 */
export class SessionService {
  constructor(
    private readonly codec: RefreshTokenCodec,
    /** How long the previous counter still gets the same successor (`REFRESH_REUSE_INTERVAL_SECONDS`). */
    private readonly reuseIntervalMs: number,
    private readonly hooks: SessionServiceHooks = {},
  ) {}

  async create(input: {
    userId: Types.ObjectId;
    rememberMe: boolean;
    keyScopes: readonly string[];
    userAgent?: string | null;
    ipAddress?: string | null;
  }): Promise<IssuedSession> {
    const now = new Date();
    const session = await SessionModel.create({
      createdAt: now,
      user: input.userId,
      refreshCounter: 0,
      keyScopes: [...input.keyScopes],
      rememberMe: input.rememberMe,
      expiresAt: expiryFor(input.rememberMe),
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      ipAddress: input.ipAddress?.slice(0, 64) ?? null,
      lastUsedAt: now,
      authenticatedAt: now,
    });
    const created = session.toObject<Session>();
    return { session: created, refreshToken: this.tokenFor(created) };
  }

  /**
   * Swaps the refresh token for its successor. The current counter advances atomically; the
   * previous one, within the reuse interval, gets the same successor again (concurrent
   * refreshes of one person from any number of processes all succeed alike). Anything older,
   * or the previous counter after the interval, means the token leaked: the session is revoked.
   */
  async rotate(refreshToken: string, client: SessionClient = {}): Promise<IssuedSession> {
    const parts = this.codec.decode(refreshToken);
    if (!parts) throw unauthenticated(INVALID_REFRESH);
    const now = new Date();
    const live = { _id: parts.sessionId, revokedAt: null, expiresAt: trusted({ $gt: now }) };
    let latest = await SessionModel.findOne(live).lean<Session>();
    if (!latest) throw unauthenticated(INVALID_REFRESH);
    if (latest.refreshCounter === parts.counter) {
      const advanced = await SessionModel.findOneAndUpdate(
        { ...live, refreshCounter: parts.counter },
        {
          $inc: { refreshCounter: 1 },
          $set: {
            counterAdvancedAt: now,
            expiresAt: expiryFor(latest.rememberMe),
            lastUsedAt: now,
            ...(client.ipAddress ? { ipAddress: client.ipAddress.slice(0, 64) } : {}),
            ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 512) } : {}),
          },
        },
        { returnDocument: 'after' },
      ).lean<Session>();
      if (advanced) return { session: advanced, refreshToken: this.tokenFor(advanced) };
      // Another refresh advanced it (or a sign-out ended it) between the read and the update.
      latest = await SessionModel.findOne(live).lean<Session>();
      if (!latest) throw unauthenticated(INVALID_REFRESH);
    }
    const advancedAt = latest.counterAdvancedAt?.getTime() ?? 0;
    if (
      latest.refreshCounter === parts.counter + 1 &&
      now.getTime() - advancedAt <= this.reuseIntervalMs
    ) {
      return { session: latest, refreshToken: this.tokenFor(latest) };
    }
    // Reuse of a token rotated away long enough ago: someone else holds this session.
    await SessionModel.updateOne(
      { _id: latest._id, revokedAt: null },
      { $set: { revokedAt: now } },
    );
    throw unauthenticated(INVALID_REFRESH);
  }

  /**
   * Ends the session a refresh token of it names (any of its steps: ending a session is never a
   * privilege); false when no live session has it.
   */
  async revokeByRefreshToken(refreshToken: string): Promise<boolean> {
    const parts = this.codec.decode(refreshToken);
    if (!parts) return false;
    const result = await SessionModel.updateOne(
      { _id: parts.sessionId, revokedAt: null, refreshCounter: trusted({ $gte: parts.counter }) },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount > 0;
  }

  private tokenFor(session: Pick<Session, '_id' | 'refreshCounter'>): string {
    return this.codec.encode({
      sessionId: session._id.toHexString(),
      counter: session.refreshCounter ?? 0,
    });
  }

  /**
   * Drops the unique index on `refreshTokenHash` that sessions had before refresh counters: left
   * in an existing database, every session after the first (none has the field) would collide
   * on it. Idempotent; a missing index is fine.
   */
  async dropObsoleteIndexes(): Promise<void> {
    const indexes = await SessionModel.collection.indexes().catch(() => []);
    for (const name of OBSOLETE_INDEXES) {
      if (indexes.some((index) => index.name === name)) {
        await SessionModel.collection.dropIndex(name);
      }
    }
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

  /**
   * Records a sign-in event on one of the user's live sessions (a `reauthenticate`): sensitive
   * changes are allowed for the next {@link REAUTHENTICATION_WINDOW_MS}. Returns when that ends.
   */
  async markAuthenticated(userId: Types.ObjectId, sessionId: string): Promise<Date> {
    const now = new Date();
    const result = OBJECT_ID.test(sessionId)
      ? await SessionModel.updateOne(
          { _id: sessionId, user: userId, revokedAt: null, expiresAt: trusted({ $gt: now }) },
          { $set: { authenticatedAt: now } },
        )
      : { matchedCount: 0 };
    if (result.matchedCount === 0) throw unauthenticated('Session ended; sign in again');
    return new Date(now.getTime() + REAUTHENTICATION_WINDOW_MS);
  }

  /**
   * Until when the session may make sensitive changes, or null when its last sign-in event is
   * older than {@link REAUTHENTICATION_WINDOW_MS} (or the session is not the user's, or ended).
   */
  async reauthenticatedUntil(userId: Types.ObjectId, sessionId: string): Promise<Date | null> {
    const session = await this.findActive(userId, sessionId);
    const at = session?.authenticatedAt?.getTime();
    if (at === undefined) return null;
    const until = at + REAUTHENTICATION_WINDOW_MS;
    return until > Date.now() ? new Date(until) : null;
  }

  /**
   * REAUTHENTICATION_REQUIRED unless the caller's session had a sign-in event in the last
   * {@link REAUTHENTICATION_WINDOW_MS}: what a stolen session (a copied cookie, an unlocked
   * device) must not be able to do without the person's factors. `methods` says what
   * `reauthenticate` accepts for this account.
   */
  async requireRecentAuthentication(current: {
    id: Types.ObjectId;
    sessionId: string;
  }): Promise<void> {
    if ((await this.reauthenticatedUntil(current.id, current.sessionId)) !== null) return;
    throw reauthenticationRequired(await this.reauthenticationMethods(current.id));
  }

  /** What `reauthenticate` accepts for this user (from the hook services.ts wires). */
  async reauthenticationMethods(userId: Types.ObjectId): Promise<readonly string[]> {
    return (await this.hooks.reauthenticationMethods?.(userId)) ?? [];
  }

  /**
   * Ends one of the caller's sessions. Its own ends freely (signing out is never a privilege);
   * another one is a sensitive change, like ending all others: a stolen session must not be
   * able to sign the owner out.
   */
  async revokeOne(
    current: { id: Types.ObjectId; sessionId: string },
    sessionId: string,
  ): Promise<boolean> {
    if (sessionId !== current.sessionId) await this.requireRecentAuthentication(current);
    return this.revoke(current.id, sessionId);
  }

  /** Ends every other session of the caller (a sensitive change: needs a recent sign-in). */
  async revokeOthers(current: { id: Types.ObjectId; sessionId: string }): Promise<number> {
    await this.requireRecentAuthentication(current);
    return this.revokeAll(current.id, current.sessionId);
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
