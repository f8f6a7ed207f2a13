import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { User } from '../users';

/** What a WebAuthn challenge was issued for: it works for that ceremony only. */
export enum WebAuthnPurpose {
  Register = 'register',
  SignIn = 'sign-in',
  Reauthenticate = 'reauthenticate',
}

/**
 * A WebAuthn challenge the API handed out: single use (deleted by the ceremony that uses it),
 * 5 minutes, and bound to the session that asked for it (registration, re-authentication). A
 * sign-in's challenge is anonymous: the render server binds it to the browser (a signed cookie).
 */
@modelOptions({ schemaOptions: { timestamps: true, collection: 'webauthnchallenges' } })
@index({ expiresAt: 1 }, { expireAfterSeconds: 0 })
export class WebAuthnChallenge {
  readonly _id!: Types.ObjectId;

  /** The challenge (32 random bytes, base64url), as the client data echoes it. */
  @prop({ required: true, unique: true, match: /^[A-Za-z0-9_-]{43}$/ })
  challenge!: string;

  @prop({ required: true, enum: WebAuthnPurpose, type: String })
  purpose!: WebAuthnPurpose;

  @prop({ ref: () => User, default: null })
  user!: Ref<User> | null;

  @prop({ type: String, default: null })
  sessionId!: string | null;

  /**
   * A sign-in whose options named no credentials (discoverable): the authenticator must then
   * say whose passkey it is (the user handle, WebAuthn Level 3 §7.2 step 6).
   */
  @prop({ required: true, default: false })
  userHandleRequired!: boolean;

  @prop({ required: true })
  expiresAt!: Date;
}

export const WebAuthnChallengeModel = getModelForClass(WebAuthnChallenge);
