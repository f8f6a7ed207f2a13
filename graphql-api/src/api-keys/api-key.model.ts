import { getModelForClass, modelOptions, prop } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SHA256_HEX } from '../shared/tokens';
import { DOCUMENT_POLICIES } from './document-policy';
import type { DocumentPolicy } from './document-policy';

/** A client credential: only the SHA-256 of its token is stored (the token is shown once). */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'apikeys' } })
export class ApiKey {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, trim: true, maxlength: 100 })
  name!: string;

  /** Hex SHA-256 of the token; the pattern keeps a raw token from ever being stored here. */
  @prop({ required: true, unique: true, match: SHA256_HEX })
  tokenHash!: string;

  @prop({ type: () => [String], default: [] })
  scopes!: string[];

  /**
   * The render server's key: its requests carry the browser's address in `X-Client-IP`, which
   * per-IP limits count. No other caller can name its own address.
   */
  @prop({ required: true, default: false })
  forwardsClientIp!: boolean;

  /**
   * `persisted-only`: the key's requests may carry only ids of the persisted-documents manifest
   * (the render key in production); `any` (the default): full documents too.
   */
  @prop({ type: String, required: true, enum: DOCUMENT_POLICIES, default: 'any' })
  documentPolicy!: DocumentPolicy;

  /** When the key was revoked (it then opens nothing, in every process within a second). */
  @prop({ type: Date, default: null })
  revokedAt!: Date | null;

  /** Set by `timestamps`. */
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const ApiKeyModel = getModelForClass(ApiKey);
