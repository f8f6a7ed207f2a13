export { createJwksRouter, JWKS_MAX_AGE_SECONDS, JWKS_PATH } from './jwks.router';
export { PublicJwk, SigningKey, SigningKeyModel } from './signing-key.model';
export { SigningKeyService } from './signing-key.service';
export type {
  ActiveSigningKey,
  PublicJwkSet,
  PublicSigningJwk,
  SigningKeyServiceOptions,
  VerificationKey,
} from './signing-key.service';
