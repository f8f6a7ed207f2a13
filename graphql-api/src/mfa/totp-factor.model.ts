import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SHA256_HEX } from '../shared/tokens';
import { SealedSecretDoc } from '../shared/sealed-secret.model';
import { User } from '../users';

/**
 * A user's authenticator-app factor (TOTP, RFC 6238) and recovery codes: one document per user.
 * The secret is stored encrypted (the API must compute codes from it); recovery codes only as
 * SHA-256 hashes (they are random, 60 bits each, and single use).
 */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'totpfactors' } })
@index({ user: 1 }, { unique: true })
export class TotpFactor {
  readonly _id!: Types.ObjectId;

  @prop({ ref: () => User, required: true })
  user!: Ref<User>;

  /** The confirmed secret; null until an enrolment is confirmed, and again once turned off. */
  @prop({ type: () => SealedSecretDoc, default: null })
  secret!: SealedSecretDoc | null;

  @prop({ type: Date, default: null })
  enabledAt!: Date | null;

  /** An enrolment waiting for its first code: it replaces `secret` only when confirmed. */
  @prop({ type: () => SealedSecretDoc, default: null })
  pendingSecret!: SealedSecretDoc | null;

  @prop({ type: Date, default: null })
  pendingExpiresAt!: Date | null;

  /**
   * The last time step (Unix time / 30 s) a code was accepted for: a code is accepted only for a
   * later step, so each code works once, even within its drift window and across processes.
   */
  @prop({ required: true, default: 0 })
  lastUsedStep!: number;

  @prop({ type: Date, default: null })
  lastUsedAt!: Date | null;

  /** Wrong codes since the last right one (see CONSECUTIVE_FAILURES_MAX), and when the last was. */
  @prop({ required: true, default: 0 })
  consecutiveFailures!: number;

  @prop({ type: Date, default: null })
  lastFailureAt!: Date | null;

  /** SHA-256 (hex) of each unused recovery code; a used one is pulled out atomically. */
  @prop({
    type: () => [String],
    default: [],
    validate: (hashes: string[]) => hashes.every((h) => SHA256_HEX.test(h)),
  })
  recoveryCodeHashes!: string[];

  @prop({ type: Date, default: null })
  recoveryCodeLastUsedAt!: Date | null;

  /** Also ask for a code after a provider (Google) sign-in: the user's choice, off by default. */
  @prop({ required: true, default: false })
  requiredForProviders!: boolean;

  readonly createdAt!: Date;
  readonly updatedAt!: Date;
}

export const TotpFactorModel = getModelForClass(TotpFactor);
