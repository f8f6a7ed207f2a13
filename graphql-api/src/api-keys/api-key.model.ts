import { getModelForClass, modelOptions, prop } from '@typegoose/typegoose';
import type { Types } from 'mongoose';

/** A client credential: only the SHA-256 of its token is stored (the token is shown once). */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'apikeys' } })
export class ApiKey {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, trim: true, maxlength: 100 })
  name!: string;

  @prop({ required: true, unique: true })
  tokenHash!: string;

  @prop({ type: () => [String], default: [] })
  scopes!: string[];
}

export const ApiKeyModel = getModelForClass(ApiKey);
