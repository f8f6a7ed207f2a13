import { modelOptions, prop } from '@typegoose/typegoose';
import type { SealedSecret } from './secret-cipher';

/**
 * A {@link SealedSecret} as a subdocument (signing keys' private halves, two-factor secrets):
 * the shapes AES-256-GCM produces and nothing else, so a plaintext can never be stored in it.
 */
@modelOptions({ schemaOptions: { _id: false } })
export class SealedSecretDoc implements SealedSecret {
  @prop({ required: true, enum: ['A256GCM'], type: String })
  alg!: 'A256GCM';

  /** 12 random bytes, base64url. */
  @prop({ required: true, match: /^[A-Za-z0-9_-]{16}$/ })
  iv!: string;

  /** The 16-byte GCM tag, base64url. */
  @prop({ required: true, match: /^[A-Za-z0-9_-]{22}$/ })
  tag!: string;

  @prop({ required: true, match: /^[A-Za-z0-9_-]+$/, maxlength: 1024 })
  ciphertext!: string;
}
