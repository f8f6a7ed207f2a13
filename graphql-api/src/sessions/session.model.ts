import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from '../users';

/** A signed-in device: its refresh counter, never a token. */
@ObjectType({ description: 'A signed-in device or browser of the caller.' })
@modelOptions({ schemaOptions: { timestamps: true, collection: 'sessions' } })
// MongoDB deletes a session once its refresh token has expired.
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class Session {
  @Field(() => ID, { name: 'id' })
  readonly _id!: Types.ObjectId;

  @prop({ ref: () => User, required: true, index: true })
  user!: Ref<User>;

  /**
   * The refresh counter: the refresh token for step N is `id.N.mac` (see RefreshTokenCodec), so
   * no token or hash is stored. Presenting the current step advances it atomically.
   */
  @prop({ required: true, default: 0, min: 0 })
  refreshCounter!: number;

  /** When the counter last advanced: the previous step is accepted again until the reuse interval has passed. */
  @prop({ type: Date, default: null })
  counterAdvancedAt!: Date | null;

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

  /**
   * The session's last sign-in event: its sign-in (password, provider, passkey, second factor),
   * then each `reauthenticate`. Sensitive changes need one of the last few minutes
   * (SessionService.requireRecentAuthentication); refreshes never move it.
   */
  @prop({ type: Date })
  authenticatedAt?: Date;

  /** Sign-in, then every refresh (about every 15 minutes while the session is in use). */
  @prop({ type: Date })
  lastUsedAt?: Date;

  /** Set by `timestamps`. */
  @Field(() => Date)
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const SessionModel = getModelForClass(Session);
