import { trusted } from 'mongoose';
import type { Types } from 'mongoose';
import { hashToken, randomToken } from '../shared/tokens';
import { AccountTokenModel, AccountTokenPurpose } from './account-token.model';

/** How long each kind of link works. */
export const ACCOUNT_TOKEN_TTL_MS: Readonly<Record<AccountTokenPurpose, number>> = {
  [AccountTokenPurpose.VerifyEmail]: 24 * 3600_000,
  [AccountTokenPurpose.ResetPassword]: 30 * 60_000,
  [AccountTokenPurpose.ChangeEmail]: 3600_000,
};

/** The same lifetimes, as a mail says them. */
export const ACCOUNT_TOKEN_TTL_TEXT: Readonly<Record<AccountTokenPurpose, string>> = {
  [AccountTokenPurpose.VerifyEmail]: '24 hours',
  [AccountTokenPurpose.ResetPassword]: '30 minutes',
  [AccountTokenPurpose.ChangeEmail]: '1 hour',
};

/** A token that was just used up: whose it was and the address it was mailed to. */
export interface ConsumedAccountToken {
  userId: Types.ObjectId;
  email: string;
}

/** Tokens are 32 random bytes (256 bits), base64url: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Single-use account tokens (a Kratos-style flow: explicit expiry, single use). Issuing
 * replaces the person's older token of the same purpose; consuming is one atomic
 * find-and-delete, so of two concurrent uses exactly one succeeds.
 */
export class AccountTokenService {
  /** A new token for this purpose (the raw value, to be mailed; only its hash is kept). */
  async issue(
    purpose: AccountTokenPurpose,
    userId: Types.ObjectId,
    email: string,
  ): Promise<string> {
    const token = randomToken();
    await AccountTokenModel.updateOne(
      { user: userId, purpose },
      {
        $set: {
          tokenHash: hashToken(token),
          email,
          expiresAt: new Date(Date.now() + ACCOUNT_TOKEN_TTL_MS[purpose]),
        },
      },
      { upsert: true },
    );
    return token;
  }

  /** Uses the token up; null when it is unknown, expired, already used or for another purpose. */
  async consume(purpose: AccountTokenPurpose, token: string): Promise<ConsumedAccountToken | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const found = await AccountTokenModel.findOneAndDelete({
      tokenHash: hashToken(token),
      purpose,
      // The TTL sweep runs about once a minute: an expired token may still be stored.
      expiresAt: trusted({ $gt: new Date() }),
    }).lean<{ user: Types.ObjectId; email: string }>();
    return found ? { userId: found.user, email: found.email } : null;
  }

  /** Drops every token of a person (their password or address changed hands). */
  async revokeAll(userId: Types.ObjectId): Promise<void> {
    await AccountTokenModel.deleteMany({ user: userId });
  }
}
