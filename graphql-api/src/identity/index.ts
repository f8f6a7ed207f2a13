export { GoogleIdTokenVerifier } from './google-id-token.verifier';
export type { IdTokenVerifier, VerifiedIdentity } from './google-id-token.verifier';
