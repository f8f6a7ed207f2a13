import { trusted } from 'mongoose';
import type { Types } from 'mongoose';
import { conflict, isDuplicateKeyError, unexpected } from '../shared/errors';
import type { AuthProvider, User } from './user.model';
import { UserModel } from './user.model';

/** A user with the password hash selected, for sign-in only. */
export type UserWithPassword = User & { passwordHash?: string };

/** An identity vouched for by a provider (e.g. the render server after Google sign-in). */
export interface ProviderIdentity {
  provider: AuthProvider;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

/** E-mails are compared lower-cased and trimmed everywhere. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_TAKEN = 'An account with this e-mail already exists';

export class UserService {
  findById(id: Types.ObjectId | string): Promise<User | null> {
    return UserModel.findById(id).lean<User>().exec();
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
  }): Promise<User> {
    try {
      const user = await UserModel.create({
        name: input.name,
        email: normalizeEmail(input.email),
        passwordHash: input.passwordHash,
        hasPassword: true,
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
      { $set: { isAdmin: true } },
      { returnDocument: 'after' },
    ).lean<User>();
    if (existing) return { user: existing, created: false };
    const user = await this.createWithPassword({ ...input, email, isAdmin: true });
    return { user, created: true };
  }

  /**
   * Get-or-create for a provider identity, atomic under concurrency: match by (provider,
   * subject); else link to the user with that e-mail if the provider verified it; else create
   * with an upsert on the unique (provider, subject) index. A concurrent insert makes the loser
   * fail with E11000; one retry then finds the winner.
   */
  async findOrCreateByProvider(identity: ProviderIdentity): Promise<User> {
    try {
      return await this.linkOrCreate(identity);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    try {
      return await this.linkOrCreate(identity);
    } catch (error) {
      // Still a duplicate: the e-mail belongs to an account we may not link to.
      if (isDuplicateKeyError(error)) throw conflict(EMAIL_TAKEN);
      throw error;
    }
  }

  private async linkOrCreate(identity: ProviderIdentity): Promise<User> {
    const { provider, subject } = identity;
    const byIdentity = { providers: trusted({ $elemMatch: { provider, subject } }) };
    const existing = await UserModel.findOne(byIdentity).lean<User>();
    if (existing) return existing;
    const email = normalizeEmail(identity.email);
    if (identity.emailVerified) {
      // Link only an account without an identity from this provider yet.
      const linked = await UserModel.findOneAndUpdate(
        { email, 'providers.provider': trusted({ $ne: provider }) },
        { $push: { providers: { provider, subject } } },
        { returnDocument: 'after' },
      ).lean<User>();
      if (linked) return linked;
    }
    const created = await UserModel.findOneAndUpdate(
      byIdentity,
      {
        $setOnInsert: {
          name: identity.name.trim(),
          email,
          isAdmin: false,
          hasPassword: false,
          providers: [{ provider, subject }],
        },
      },
      { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
    ).lean<User>();
    if (!created) throw unexpected('Upsert returned no document');
    return created;
  }
}
