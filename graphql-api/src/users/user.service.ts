import { trusted } from 'mongoose';
import type { Types } from 'mongoose';
import { conflict, isDuplicateKeyError, notFound, unexpected } from '../shared/errors';
import type { AuthProvider, User } from './user.model';
import { UserModel } from './user.model';

/** A user with the password hash selected, for sign-in only. */
export type UserWithPassword = User & { passwordHash?: string };

/** An identity a provider proved (from a verified ID token, see identity/). */
export interface ProviderIdentity {
  provider: AuthProvider;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

/**
 * What signing in with a provider did: found the identity's account, linked it to the verified
 * account with its e-mail, recovered an unverified account with its e-mail for the provider's
 * owner (its password removed: the caller ends its sessions and tells the address), or created
 * a new account.
 */
export type ProviderSignInOutcome = 'existing' | 'linked' | 'recovered' | 'created';

/** E-mails are compared lower-cased and trimmed everywhere. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_TAKEN = 'An account with this e-mail already exists';
const IDENTITY_TAKEN = 'This provider account is connected to another account';

export class UserService {
  findById(id: Types.ObjectId | string): Promise<User | null> {
    return UserModel.findById(id).lean<User>().exec();
  }

  findByEmail(email: string): Promise<User | null> {
    return UserModel.findOne({ email: normalizeEmail(email) })
      .lean<User>()
      .exec();
  }

  findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
    return UserModel.findOne({ email: normalizeEmail(email) })
      .select('+passwordHash')
      .lean<UserWithPassword>()
      .exec();
  }

  /** Creates a password user; a taken e-mail is CONFLICT (the unique index decides, no race). */
  async createWithPassword(input: {
    name: string;
    email: string;
    passwordHash: string;
    isAdmin?: boolean;
    /** Only for accounts the operator vouches for (the seed's admin and demo user). */
    emailVerified?: boolean;
  }): Promise<User> {
    try {
      const user = await UserModel.create({
        name: input.name,
        email: normalizeEmail(input.email),
        passwordHash: input.passwordHash,
        hasPassword: true,
        emailVerified: input.emailVerified ?? false,
        isAdmin: input.isAdmin ?? false,
      });
      const { passwordHash: _omit, ...rest } = user.toObject<UserWithPassword>();
      return rest;
    } catch (error) {
      if (isDuplicateKeyError(error, 'email')) throw conflict(EMAIL_TAKEN);
      throw error;
    }
  }

  /**
   * The seed's admin: an existing user with this e-mail becomes an admin (its password is left
   * alone, so a changed password survives restarts); a missing one is created with this hash.
   */
  async ensureAdmin(input: { name: string; email: string; passwordHash: string }): Promise<{
    user: User;
    created: boolean;
  }> {
    const email = normalizeEmail(input.email);
    const existing = await UserModel.findOneAndUpdate(
      { email },
      { $set: { isAdmin: true, emailVerified: true } },
      { returnDocument: 'after' },
    ).lean<User>();
    if (existing) return { user: existing, created: false };
    const user = await this.createWithPassword({
      ...input,
      email,
      isAdmin: true,
      emailVerified: true,
    });
    return { user, created: true };
  }

  /**
   * Sign-in with a proven provider identity, atomic under concurrency:
   * 1. the account of this (provider, subject), whatever its e-mail now;
   * 2. with a provider-verified e-mail: the account with that e-mail if the address is verified
   *    there too (both proved the same mailbox) and it has no identity from this provider yet;
   * 3. with a provider-verified e-mail whose account never verified it: that account goes to the
   *    provider's owner, who proved the mailbox the password setter never did (pre-account
   *    hijacking): its password and other identities are removed, the e-mail marked verified;
   * 4. else a new account, with an upsert on the unique (provider, subject) index.
   * A concurrent insert makes the loser fail with E11000; one retry then finds the winner.
   */
  async signInWithProvider(
    identity: ProviderIdentity,
  ): Promise<{ user: User; outcome: ProviderSignInOutcome }> {
    try {
      return await this.findLinkOrCreate(identity);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    try {
      return await this.findLinkOrCreate(identity);
    } catch (error) {
      // Still a duplicate: the e-mail belongs to an account we may not link to.
      if (isDuplicateKeyError(error)) throw conflict(EMAIL_TAKEN);
      throw error;
    }
  }

  private async findLinkOrCreate(
    identity: ProviderIdentity,
  ): Promise<{ user: User; outcome: ProviderSignInOutcome }> {
    const { provider, subject } = identity;
    const byIdentity = { providers: trusted({ $elemMatch: { provider, subject } }) };
    const existing = await UserModel.findOne(byIdentity).lean<User>();
    if (existing) return { user: existing, outcome: 'existing' };
    const email = normalizeEmail(identity.email);
    if (identity.emailVerified) {
      const linked = await UserModel.findOneAndUpdate(
        { email, emailVerified: true, 'providers.provider': trusted({ $ne: provider }) },
        { $push: { providers: { provider, subject } } },
        { returnDocument: 'after' },
      ).lean<User>();
      if (linked) return { user: linked, outcome: 'linked' };
      const recovered = await UserModel.findOneAndUpdate(
        { email, emailVerified: trusted({ $ne: true }) },
        {
          $set: {
            name: identity.name.trim(),
            emailVerified: true,
            hasPassword: false,
            providers: [{ provider, subject }],
          },
          $unset: { passwordHash: 1 },
        },
        { returnDocument: 'after' },
      ).lean<User>();
      if (recovered) return { user: recovered, outcome: 'recovered' };
    }
    const created = await UserModel.findOneAndUpdate(
      byIdentity,
      {
        $setOnInsert: {
          name: identity.name.trim(),
          email,
          isAdmin: false,
          hasPassword: false,
          emailVerified: identity.emailVerified,
          providers: [{ provider, subject }],
        },
      },
      { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
    ).lean<User>();
    if (!created) throw unexpected('Upsert returned no document');
    return { user: created, outcome: 'created' };
  }

  /**
   * Connects a provider identity to a signed-in account, whatever its e-mail (the person proved
   * both). CONFLICT when the identity belongs to another account or the account already has
   * one from this provider.
   */
  async connectProvider(userId: Types.ObjectId, identity: ProviderIdentity): Promise<User> {
    const { provider, subject } = identity;
    const owner = await UserModel.findOne({
      providers: trusted({ $elemMatch: { provider, subject } }),
    })
      .select({ _id: 1 })
      .lean<{ _id: Types.ObjectId }>();
    if (owner?._id.equals(userId)) return this.requireById(userId);
    if (owner) throw conflict(IDENTITY_TAKEN);
    try {
      const connected = await UserModel.findOneAndUpdate(
        { _id: userId, 'providers.provider': trusted({ $ne: provider }) },
        { $push: { providers: { provider, subject } } },
        { returnDocument: 'after' },
      ).lean<User>();
      if (connected) return connected;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw conflict(IDENTITY_TAKEN);
      throw error;
    }
    await this.requireById(userId);
    throw conflict('Another account of this provider is already connected; disconnect it first');
  }

  /**
   * Disconnects a provider, never the last way to sign in: the account must keep a password or
   * another provider (checked in the same atomic update).
   */
  async disconnectProvider(
    userId: Types.ObjectId,
    provider: AuthProvider,
    /** The account has a way in this model does not hold (a passkey). */
    options: { otherWayIn?: boolean } = {},
  ): Promise<User> {
    const updated = await UserModel.findOneAndUpdate(
      {
        _id: userId,
        'providers.provider': provider,
        ...(options.otherWayIn
          ? {}
          : {
              $or: [
                { hasPassword: true },
                { providers: trusted({ $elemMatch: { provider: { $ne: provider } } }) },
              ],
            }),
      },
      { $pull: { providers: { provider } } },
      { returnDocument: 'after' },
    ).lean<User>();
    if (!updated) {
      const user = await this.requireById(userId);
      if (!(user.providers ?? []).some((linked) => linked.provider === provider)) {
        throw notFound(`A connected ${provider} account`);
      }
      throw conflict(
        'This is your only way to sign in: set a password (forgot password) or add a passkey before disconnecting it',
      );
    }
    // No empty array left behind: the partial unique index is for accounts with identities.
    if ((updated.providers ?? []).length === 0) {
      await UserModel.updateOne(
        { _id: userId, providers: trusted({ $size: 0 }) },
        { $unset: { providers: 1 } },
      );
      const { providers: _none, ...rest } = updated;
      return rest;
    }
    return updated;
  }

  /**
   * Drops every provider identity of the account (a reset proved the address of an account that
   * had never proven it: identities connected before belong to whoever set it up).
   */
  async removeProviders(id: Types.ObjectId): Promise<void> {
    await UserModel.updateOne({ _id: id }, { $unset: { providers: 1 } });
  }

  /** Records a sign-in with the password or a provider (when, for the account page). */
  async recordSignIn(id: Types.ObjectId, method: 'password' | AuthProvider): Promise<void> {
    await UserModel.updateOne({ _id: id }, { $set: { [`lastUsed.${method}`]: new Date() } });
  }

  findByIdWithPassword(id: Types.ObjectId): Promise<UserWithPassword | null> {
    return UserModel.findById(id).select('+passwordHash').lean<UserWithPassword>().exec();
  }

  /** Whether the user still has exactly this password hash (a sign-in racing a reset). */
  async hasPasswordHash(id: Types.ObjectId, passwordHash: string): Promise<boolean> {
    return (await UserModel.exists({ _id: id, passwordHash })) !== null;
  }

  /**
   * Sets a new password. With `proven` (a reset link mailed to that address) it also marks the
   * address verified, only if it is still the account's address; false when it is not.
   */
  async setPassword(
    id: Types.ObjectId,
    passwordHash: string,
    proven?: { email: string },
  ): Promise<boolean> {
    const result = await UserModel.updateOne(
      proven ? { _id: id, email: proven.email } : { _id: id },
      {
        $set: {
          passwordHash,
          hasPassword: true,
          ...(proven ? { emailVerified: true } : {}),
        },
      },
    );
    return result.matchedCount > 0;
  }

  /** Marks the address verified if it is still the account's address; the user, or null. */
  markEmailVerified(id: Types.ObjectId, email: string): Promise<User | null> {
    return UserModel.findOneAndUpdate(
      { _id: id, email },
      { $set: { emailVerified: true } },
      { returnDocument: 'after' },
    )
      .lean<User>()
      .exec();
  }

  /** Moves the account to a proven new address; CONFLICT when another account has it by now. */
  async changeEmail(id: Types.ObjectId, email: string): Promise<User | null> {
    try {
      return await UserModel.findOneAndUpdate(
        { _id: id },
        { $set: { email: normalizeEmail(email), emailVerified: true } },
        { returnDocument: 'after' },
      ).lean<User>();
    } catch (error) {
      if (isDuplicateKeyError(error, 'email')) throw conflict(EMAIL_TAKEN);
      throw error;
    }
  }

  /** Whether another account already uses this address. */
  async emailTaken(email: string): Promise<boolean> {
    return (await UserModel.exists({ email: normalizeEmail(email) })) !== null;
  }

  private async requireById(id: Types.ObjectId): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw notFound('User');
    return user;
  }
}
