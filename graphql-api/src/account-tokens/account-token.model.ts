import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SHA256_HEX } from '../shared/tokens';
import { User } from '../users';

/** What a mailed link lets its holder do (each purpose has its own lifetime). */
export enum AccountTokenPurpose {
  VerifyEmail = 'verify-email',
  ResetPassword = 'reset-password',
  ChangeEmail = 'change-email',
}

/**
 * A single-use secret mailed as a link. Only its SHA-256 is stored, with what it is for, whose it
 * is and which address it was sent to; MongoDB deletes it when it expires.
 */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'accounttokens' } })
// One live token per person and purpose: a new request replaces the older one in one upsert.
@index({ user: 1, purpose: 1 }, { unique: true })
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class AccountToken {
  readonly _id!: Types.ObjectId;

  @prop({ ref: () => User, required: true })
  user!: Ref<User>;

  @prop({ required: true, enum: AccountTokenPurpose, type: String })
  purpose!: AccountTokenPurpose;

  /** Hex SHA-256 of the token (the pattern keeps a raw token out). */
  @prop({ required: true, unique: true, match: SHA256_HEX })
  tokenHash!: string;

  /**
   * The address the link went to: verification proves this address (not whatever the account
   * has by then); an e-mail change moves the account to it.
   */
  @prop({ required: true, lowercase: true, trim: true, maxlength: 254 })
  email!: string;

  @prop({ required: true })
  expiresAt!: Date;

  readonly createdAt!: Date;
  readonly updatedAt!: Date;
}

export const AccountTokenModel = getModelForClass(AccountToken);
