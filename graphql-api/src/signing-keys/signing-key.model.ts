import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SealedSecretDoc } from '../shared/sealed-secret.model';

/** base64url of 32 bytes: an Ed25519 public key (`x`) or a SHA-256 JWK thumbprint (the `kid`). */
export const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

/** The public half of an Ed25519 key as a JWK (RFC 8037): all a verifier needs. */
@modelOptions({ schemaOptions: { _id: false } })
export class PublicJwk {
  @prop({ required: true, enum: ['OKP'], type: String })
  kty!: 'OKP';

  @prop({ required: true, enum: ['Ed25519'], type: String })
  crv!: 'Ed25519';

  @prop({ required: true, match: BASE64URL_32_BYTES })
  x!: string;
}

/**
 * An Ed25519 key pair that signs access tokens. The newest generation signs; older ones only
 * verify, until `notAfter`, and MongoDB deletes them after that. The schema has no field for a
 * private key in clear: mongoose drops anything else (a JWK's `d`) before it is written.
 */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'signingkeys' } })
// A retired key is deleted once no token it signed can still be live; the current one has none.
@index({ notAfter: 1 }, { expireAfterSeconds: 0 })
export class SigningKey {
  readonly _id!: Types.ObjectId;

  /**
   * 1 for the first key, then one more per rotation. Unique: of processes creating the same
   * generation at once (start-ups, the age limit) exactly one succeeds, the others read its key.
   */
  @prop({ required: true, unique: true, min: 1 })
  generation!: number;

  /** The JWK thumbprint (RFC 7638, SHA-256) of the public key: the tokens' `kid` header. */
  @prop({ required: true, unique: true, match: BASE64URL_32_BYTES })
  kid!: string;

  @prop({ required: true, type: () => PublicJwk })
  publicJwk!: PublicJwk;

  /**
   * The private half, encrypted with AES-256-GCM (see SigningKeyCipher): the PKCS #8 encoding of
   * the key, with the `kid` as additional data so a ciphertext cannot be moved to another record.
   */
  @prop({ required: true, type: () => SealedSecretDoc })
  privateKey!: SealedSecretDoc;

  /** When a newer key took over signing; null while this one signs. */
  @prop({ type: Date, default: null })
  retiredAt!: Date | null;

  /** When the last token this key signed has expired (it stops verifying); null while it signs. */
  @prop({ type: Date, default: null })
  notAfter!: Date | null;

  /** Set by `timestamps` (or given by the service, whose clock decides the key's age). */
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const SigningKeyModel = getModelForClass(SigningKey);
