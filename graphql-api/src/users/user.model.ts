import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import { isEmail } from 'class-validator';
import type { Types } from 'mongoose';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

/** Identity providers a user can sign in with. */
export enum AuthProvider {
  GOOGLE = 'GOOGLE',
}
registerEnumType(AuthProvider, { name: 'AuthProvider' });

export const USER_LIMITS = {
  nameMin: 1,
  nameMax: 100,
  emailMax: 254,
  /** Characters (code points), OWASP ASVS 5.0 §6.2: at least 8, and far more than 64 allowed. */
  passwordMin: 8,
  passwordMax: 256,
};

/** A provider identity linked to a user; the subject is never exposed. */
@modelOptions({ schemaOptions: { _id: false } })
export class LinkedProvider {
  @prop({ required: true, enum: AuthProvider, type: String })
  provider!: AuthProvider;

  @prop({ required: true })
  subject!: string;
}

/** When each of the account's own sign-in methods was last used (the account page shows it). */
@modelOptions({ schemaOptions: { _id: false } })
export class SignInMethodUse {
  @prop({ type: Date })
  password?: Date;

  @prop({ type: Date })
  GOOGLE?: Date;
}

@ObjectType()
@modelOptions({ schemaOptions: { timestamps: true, collection: 'users' } })
// One user per provider identity. Password-only users have no providers array at all, so the
// partial filter keeps them out of this unique index.
@index(
  { 'providers.provider': 1, 'providers.subject': 1 },
  { unique: true, partialFilterExpression: { 'providers.provider': { $exists: true } } },
)
export class User {
  @Field(() => ID, { name: 'id' })
  readonly _id!: Types.ObjectId;

  @Field()
  @prop({
    required: true,
    trim: true,
    minlength: USER_LIMITS.nameMin,
    maxlength: USER_LIMITS.nameMax,
  })
  name!: string;

  // Inputs validate first; the model is the last line of defence for every other writer (seed).
  @Field()
  @prop({
    required: true,
    unique: true,
    lowercase: true,
    trim: true,
    maxlength: USER_LIMITS.emailMax,
    validate: { validator: (value: string) => isEmail(value), message: 'email must be an email' },
  })
  email!: string;

  /** argon2id; never read unless asked for with `+passwordHash`. */
  @prop({ select: false })
  passwordHash?: string;

  /**
   * True once the owner of the address has proven it (a verification link, a password reset,
   * or a provider that verified it). Read through UserResolver.emailVerified, so documents
   * written before the field existed read as false.
   */
  @prop({ required: true, default: false })
  emailVerified!: boolean;

  @Field({ description: 'False for accounts created through a provider only.' })
  @prop({ required: true, default: false })
  hasPassword!: boolean;

  @Field()
  @prop({ required: true, default: false })
  isAdmin!: boolean;

  // `default: undefined`: no empty array for password-only users (see the index above).
  @prop({ type: () => [LinkedProvider], default: undefined })
  providers?: LinkedProvider[];

  /** Set by UserService.recordSignIn; passkeys and codes keep their own. */
  @prop({ type: () => SignInMethodUse, default: undefined })
  lastUsed?: SignInMethodUse;

  @Field(() => Date)
  readonly createdAt!: Date;

  @Field(() => Date)
  readonly updatedAt!: Date;
}

export const UserModel = getModelForClass(User);
