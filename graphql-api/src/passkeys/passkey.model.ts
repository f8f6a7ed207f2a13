import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from '../users';

export const PASSKEY_LIMITS = {
  nameMax: 60,
  /** Passkeys per account: more is a runaway script, not a person's devices. */
  perUser: 20,
};

/**
 * A WebAuthn credential (a passkey) of a user: its public key, the authenticator's signature
 * counter and backup state. Its id is the authenticator's credential id (base64url), unique
 * across accounts: one authenticator credential signs in one account only.
 */
@ObjectType({ description: "One of the caller's passkeys (WebAuthn credentials)." })
@modelOptions({ schemaOptions: { timestamps: true, collection: 'passkeys' } })
@index({ credentialId: 1 }, { unique: true })
export class Passkey {
  @Field(() => ID, { name: 'id' })
  readonly _id!: Types.ObjectId;

  @prop({ ref: () => User, required: true, index: true })
  user!: Ref<User>;

  @prop({ required: true, match: /^[A-Za-z0-9_-]{16,1366}$/ })
  credentialId!: string;

  /** The COSE public key, base64url. */
  @prop({ required: true, match: /^[A-Za-z0-9_-]+$/, maxlength: 4096 })
  publicKey!: string;

  /**
   * The authenticator's signature counter at the last use. 0 for authenticators without one
   * (synced passkeys): then it stays 0; otherwise each use must report a larger value.
   */
  @prop({ required: true, default: 0, min: 0 })
  counter!: number;

  @prop({ type: () => [String], default: [] })
  transports!: string[];

  /** A synced passkey (backup eligible): fixed for the credential's life. */
  @Field({ description: 'Synced between devices (iCloud Keychain, Google Password Manager, …).' })
  @prop({ required: true })
  multiDevice!: boolean;

  @Field({ description: 'The authenticator reported it as backed up at its last use.' })
  @prop({ required: true })
  backedUp!: boolean;

  /** The authenticator model's AAGUID ("00000000-…" when it does not say). */
  @prop({ type: String, default: null })
  aaguid!: string | null;

  @Field()
  @prop({ required: true, trim: true, maxlength: PASSKEY_LIMITS.nameMax })
  name!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'Last sign-in or re-authentication with it; null: not used since it was added.',
  })
  @prop({ type: Date, default: null })
  lastUsedAt!: Date | null;

  @Field(() => Date)
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const PasskeyModel = getModelForClass(Passkey);
