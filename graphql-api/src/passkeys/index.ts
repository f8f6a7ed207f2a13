export {
  IsWebAuthnResponse,
  SignInWithPasskeyArgs,
  WEBAUTHN_RESPONSE_MAX_BYTES,
} from './passkey.inputs';
export { PASSKEY_LIMITS, Passkey, PasskeyModel } from './passkey.model';
export { PasskeyResolver } from './passkey.resolver';
export { PasskeyService, WEBAUTHN_CHALLENGE_TTL_MS } from './passkey.service';
export type { RelyingParty, VerifiedPasskey } from './passkey.service';
export {
  WebAuthnChallenge,
  WebAuthnChallengeModel,
  WebAuthnPurpose,
} from './webauthn-challenge.model';
