import { getModelForClass, modelOptions, prop } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { SHA256_HEX } from '../shared/tokens';

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

  /** Set by `timestamps`. */
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}

export const ApiKeyModel = getModelForClass(ApiKey);
