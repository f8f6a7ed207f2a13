import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { Field, ID, ObjectType } from 'type-graphql';
import { SHA256_HEX } from '../shared/tokens';
import { User } from '../users';

/** A signed-in device: holds the SHA-256 of its current refresh token, never the token. */
@ObjectType({ description: 'A signed-in device or browser of the caller.' })
@modelOptions({ schemaOptions: { timestamps: true, collection: 'sessions' } })
// MongoDB deletes a session once its refresh token has expired.
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class Session {
  @Field(() => ID, { name: 'id' })
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

  @Field({ description: 'Signed in with "remember me": the session lasts 30 days.' })
  @prop({ required: true, default: false })
  rememberMe!: boolean;

  @prop({ required: true })
  expiresAt!: Date;

  @prop({ type: Date, default: null })
  revokedAt!: Date | null;

  @Field(() => String, { nullable: true })
  @prop({ type: String, default: null, maxlength: 512 })
  userAgent!: string | null;

  /** The client address at sign-in, then at the last refresh. */
  @Field(() => String, { nullable: true })
  @prop({ type: String, default: null, maxlength: 64 })
  ipAddress!: string | null;

  /** Sign-in, then every refresh (about every 15 minutes while the session is in use). */
  @prop({ type: Date })
  lastUsedAt?: Date;

  /** Set by `timestamps`. */
  @Field(() => Date)
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const SessionModel = getModelForClass(Session);
