import { createUnionType, registerEnumType } from 'type-graphql';
import { MfaRequired } from '../mfa';
import { AuthPayload } from './auth-payload.type';

/** What a sign-in answers: the session's tokens, or the second factor it still needs. */
export type SignInOutcome = AuthPayload | MfaRequired;

export const SignInResult = createUnionType({
  name: 'SignInResult',
  description:
    'A sign-in: its tokens (AuthPayload), or MfaRequired when two-factor is on (then verifySecondFactor).',
  types: () => [AuthPayload, MfaRequired] as const,
  // MfaRequired is always a class instance (MfaService.challenge); payloads are plain objects.
  resolveType: (value) => (value instanceof MfaRequired ? MfaRequired : AuthPayload),
});

/** What `reauthenticate` accepts for an account (the `methods` of REAUTHENTICATION_REQUIRED). */
export enum ReauthenticationMethod {
  PASSWORD = 'PASSWORD',
  PASSKEY = 'PASSKEY',
  TOTP = 'TOTP',
  RECOVERY_CODE = 'RECOVERY_CODE',
  /** No `reauthenticate` input: a new sign-in with Google starts a fresh session. */
  GOOGLE = 'GOOGLE',
}
registerEnumType(ReauthenticationMethod, {
  name: 'ReauthenticationMethod',
  valuesConfig: {
    GOOGLE: { description: 'Sign in again with Google: the new session is a recent sign-in.' },
  },
});
