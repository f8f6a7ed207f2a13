import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SHA256_HEX } from '../shared/tokens';
import { User } from '../users';

/** A signed-in device: holds the SHA-256 of its current refresh token, never the token. */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'sessions' } })
// MongoDB deletes a session once its refresh token has expired.
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class Session {
  readonly _id!: Types.ObjectId;

  @prop({ ref: () => User, required: true, index: true })
  user!: Ref<User>;

  /** Hex SHA-256 of the current refresh token (the pattern keeps a raw token out). */
  @prop({ required: true, unique: true, match: SHA256_HEX })
  refreshTokenHash!: string;

  /** Hashes of refresh tokens already rotated away; presenting one again revokes the session. */
  @prop({ type: () => [String], default: [], index: true })
  previousTokenHashes!: string[];

  /** The scopes of the key the user signed in through (before the admin filter). */
  @prop({ type: () => [String], default: [] })
  keyScopes!: string[];

  @prop({ required: true, default: false })
  rememberMe!: boolean;

  @prop({ required: true })
  expiresAt!: Date;

  @prop({ type: Date, default: null })
  revokedAt!: Date | null;

  @prop({ type: String, default: null, maxlength: 512 })
  userAgent!: string | null;

  /** Set by `timestamps`. */
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const SessionModel = getModelForClass(Session);
