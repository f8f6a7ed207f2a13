export { FirstFactor, MfaChallenge, MfaChallengeModel } from './mfa-challenge.model';
export { RECOVERY_CODE, TOTP_CODE, VerifySecondFactorInput } from './mfa.inputs';
export { MfaResolver } from './mfa.resolver';
export {
  MFA_CHALLENGE_ATTEMPTS,
  MFA_CHALLENGE_TTL_MS,
  MfaService,
  RECOVERY_CODE_COUNT,
  TOTP_ENROLLMENT_TTL_MS,
  TOTP_ISSUER,
} from './mfa.service';
export type { CompletedChallenge, SecondFactorCode } from './mfa.service';
export {
  MfaRequired,
  RecoveryCodes,
  SecondFactorMethod,
  TotpEnrollment,
  TwoFactorStatus,
} from './mfa.types';
export { SecondFactorLimiter } from './second-factor.limiter';
export type { SecondFactorLimits } from './second-factor.limiter';
export { TotpFactor, TotpFactorModel } from './totp-factor.model';
