import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SHA256_HEX } from '../shared/tokens';
import { User } from '../users';

/** How the person passed the first step of a sign-in that now needs a second factor. */
export enum FirstFactor {
  Password = 'password',
  Provider = 'provider',
  Passkey = 'passkey',
}

/**
 * A sign-in halfway through: the first factor checked out, the second is awaited. A state
 * machine with an explicit end (Ory Kratos's flows): open until `expiresAt` (5 minutes), at
 * most `MFA_CHALLENGE_ATTEMPTS` codes tried, consumed once. Only the SHA-256 of its id (a random
 * bearer secret the client holds) is stored; MongoDB deletes it after it expires.
 */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'mfachallenges' } })
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class MfaChallenge {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, unique: true, match: SHA256_HEX })
  tokenHash!: string;

  @prop({ ref: () => User, required: true, index: true })
  user!: Ref<User>;

  @prop({ required: true, enum: FirstFactor, type: String })
  firstFactor!: FirstFactor;

  /** What the session gets once the code checks out: the sign-in's own choices. */
  @prop({ required: true, default: false })
  rememberMe!: boolean;

  @prop({ type: () => [String], default: [] })
  keyScopes!: string[];

  /** Codes tried so far (counted before each check). */
  @prop({ required: true, default: 0 })
  attempts!: number;

  @prop({ required: true })
  expiresAt!: Date;

  @prop({ type: Date, default: null })
  consumedAt!: Date | null;

  /** A request is checking a code for it until then (see MfaService.completeChallenge). */
  @prop({ type: Date, default: null })
  claimedUntil!: Date | null;

  readonly createdAt!: Date;
}

export const MfaChallengeModel = getModelForClass(MfaChallenge);
