import assert from 'node:assert/strict';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { decodeJwt } from 'jose';
import { SessionModel } from '../src/sessions';
import type { TestApi } from '../src/testing';
import type { Credentials, OperationResult } from './execute-operation';
import { execute } from './execute-operation';
import type { RegistrationOverrides, SoftwareAuthenticator } from './software-authenticator';
import { totpCode } from './totp-codes';

/**
 * The GraphQL side of the second-factor tests: the operations of the issue-14 contract and the
 * flows several suites share (sign in through either path, enrol TOTP, register a passkey, age a
 * session's last sign-in event). Everything goes through the API, as a client would.
 */

export const AUTH_FIELDS = `accessToken refreshToken user { id email }`;
export const MFA_FIELDS = `challengeId methods expiresAt`;
const SIGN_IN_RESULT = `__typename ... on AuthPayload { ${AUTH_FIELDS} } ... on MfaRequired { ${MFA_FIELDS} }`;
export const PASSKEY_FIELDS = `id name createdAt lastUsedAt multiDevice backedUp`;
export const TWO_FACTOR_FIELDS = `enabled enabledAt lastUsedAt recoveryCodesLeft recoveryCodeLastUsedAt requiredForProviders`;

export const OPS = {
  signIn: `mutation SignIn($input: SignInInput!) { signIn(input: $input) { ${SIGN_IN_RESULT} } }`,
  signProvider: `mutation SignProvider($input: SignProviderInput!) {
    signProvider(input: $input) { ${SIGN_IN_RESULT} }
  }`,
  verifySecondFactor: `mutation Verify($input: VerifySecondFactorInput!) {
    verifySecondFactor(input: $input) { ${AUTH_FIELDS} }
  }`,
  refreshSession: `mutation Refresh($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) { ${AUTH_FIELDS} }
  }`,
  me: `{ me { id email } }`,

  passkeyRegistrationOptions: `mutation { passkeyRegistrationOptions }`,
  registerPasskey: `mutation Register($response: JSON!, $name: String) {
    registerPasskey(response: $response, name: $name) { ${PASSKEY_FIELDS} }
  }`,
  passkeySignInOptions: `mutation Options($email: String) { passkeySignInOptions(email: $email) }`,
  signInWithPasskey: `mutation PasskeySignIn($response: JSON!, $rememberMe: Boolean) {
    signInWithPasskey(response: $response, rememberMe: $rememberMe) { ${SIGN_IN_RESULT} }
  }`,
  passkeys: `{ passkeys { ${PASSKEY_FIELDS} } }`,
  renamePasskey: `mutation Rename($id: ID!, $name: String!) {
    renamePasskey(id: $id, name: $name) { ${PASSKEY_FIELDS} }
  }`,
  removePasskey: `mutation Remove($id: ID!) { removePasskey(id: $id) }`,

  startTotpEnrollment: `mutation { startTotpEnrollment { secret otpauthUri qrCodeSvg expiresAt } }`,
  confirmTotpEnrollment: `mutation Confirm($code: String!) { confirmTotpEnrollment(code: $code) { codes } }`,
  disableTotp: `mutation { disableTotp }`,
  regenerateRecoveryCodes: `mutation { regenerateRecoveryCodes { codes } }`,
  setTwoFactorForProviders: `mutation Providers($required: Boolean!) {
    setTwoFactorForProviders(required: $required) { ${TWO_FACTOR_FIELDS} }
  }`,

  passkeyReauthenticationOptions: `mutation { passkeyReauthenticationOptions }`,
  reauthenticate: `mutation Reauthenticate($input: ReauthenticateInput!) { reauthenticate(input: $input) }`,
  accountSecurity: `{ accountSecurity {
    passwordLastUsedAt googleLastUsedAt
    passkeys { ${PASSKEY_FIELDS} }
    twoFactor { ${TWO_FACTOR_FIELDS} }
    reauthenticatedUntil reauthenticationMethods
  } }`,
} as const;

export interface AuthData {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

export interface MfaRequiredData {
  challengeId: string;
  methods: string[];
  expiresAt: string;
}

export type SignInResultData =
  ({ __typename: 'AuthPayload' } & AuthData) | ({ __typename: 'MfaRequired' } & MfaRequiredData);

export interface PasskeyData {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  multiDevice: boolean;
  backedUp: boolean;
}

export interface TwoFactorStatusData {
  enabled: boolean;
  enabledAt: string | null;
  lastUsedAt: string | null;
  recoveryCodesLeft: number;
  recoveryCodeLastUsedAt: string | null;
  requiredForProviders: boolean;
}

export interface AccountSecurityData {
  passwordLastUsedAt: string | null;
  googleLastUsedAt: string | null;
  passkeys: PasskeyData[];
  twoFactor: TwoFactorStatusData;
  reauthenticatedUntil: string | null;
  reauthenticationMethods: string[];
}

let ipSequence = 0;
/** A client address of its own per call, so the per-IP sign-in limits never join unrelated tests. */
export function freshIp(): string {
  ipSequence += 1;
  return `10.${140 + Math.floor(ipSequence / 65025)}.${Math.floor(ipSequence / 255) % 255}.${ipSequence % 255}`;
}

/** The public key as the calling client (what signs people in), from an address of its own. */
export function asKey(api: TestApi, ip = freshIp()): Credentials {
  return { apiKey: api.publicApiKey, ip };
}

/** The data of a result that must have succeeded (fails the test with the errors otherwise). */
export function ok<T>(result: OperationResult<T>): T {
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  assert.ok(result.data, 'no data');
  return result.data;
}

/** signIn with a password through the public key. */
export function passwordSignIn(
  api: TestApi,
  user: { email: string; password: string },
  ip = freshIp(),
): Promise<OperationResult<{ signIn: SignInResultData }>> {
  return execute<{ signIn: SignInResultData }>(
    api,
    OPS.signIn,
    { input: { email: user.email, password: user.password } },
    asKey(api, ip),
  );
}

/** The MfaRequired a password sign-in must answer (fails the test on tokens or errors). */
export async function mfaChallenge(
  api: TestApi,
  user: { email: string; password: string },
): Promise<MfaRequiredData> {
  const result = ok(await passwordSignIn(api, user)).signIn;
  assert.equal(result.__typename, 'MfaRequired', JSON.stringify(result));
  return result;
}

/** verifySecondFactor through the public key. */
export function verifySecondFactor(
  api: TestApi,
  input: { challengeId: string; code?: string; recoveryCode?: string },
  ip = freshIp(),
): Promise<OperationResult<{ verifySecondFactor: AuthData }>> {
  return execute<{ verifySecondFactor: AuthData }>(
    api,
    OPS.verifySecondFactor,
    { input },
    asKey(api, ip),
  );
}

/** The session id (`sid`) an access token belongs to. */
export function sessionIdOf(accessToken: string): string {
  const { sid } = decodeJwt(accessToken);
  assert.equal(typeof sid, 'string');
  return sid as string;
}

/**
 * Moves the session's last sign-in event `msAgo` into the past: how the tests let the 5-minute
 * step-up window run out without waiting (a direct write to the session model).
 */
export async function ageLastSignIn(accessToken: string, msAgo = 6 * 60 * 1000): Promise<void> {
  const result = await SessionModel.updateOne(
    { _id: sessionIdOf(accessToken) },
    { $set: { authenticatedAt: new Date(Date.now() - msAgo) } },
  );
  assert.equal(result.matchedCount, 1, 'no such session');
}

/** Whether this access token still opens the API (a revoked session fails the whole request). */
export async function tokenWorks(api: TestApi, token: string): Promise<boolean> {
  try {
    const result = await execute<{ me: { id: string } }>(api, OPS.me, {}, { token });
    return Boolean(result.data?.me);
  } catch {
    return false;
  }
}

/** An enrolled authenticator app: its secret, the recovery codes shown once, the confirming code. */
export interface EnrolledTotp {
  secret: string;
  recoveryCodes: string[];
  confirmedWith: string;
}

/** Enrols TOTP for the token's user (the session must be in its step-up window). */
export async function enrolTotp(api: TestApi, token: string): Promise<EnrolledTotp> {
  const started = ok(
    await execute<{ startTotpEnrollment: { secret: string } }>(
      api,
      OPS.startTotpEnrollment,
      {},
      { token },
    ),
  ).startTotpEnrollment;
  const confirmedWith = totpCode(started.secret);
  const confirmed = ok(
    await execute<{ confirmTotpEnrollment: { codes: string[] } }>(
      api,
      OPS.confirmTotpEnrollment,
      { code: confirmedWith },
      { token },
    ),
  ).confirmTotpEnrollment;
  return { secret: started.secret, recoveryCodes: confirmed.codes, confirmedWith };
}

/** passkeyRegistrationOptions for the token's session. */
export async function registrationOptions(
  api: TestApi,
  token: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return ok(
    await execute<{ passkeyRegistrationOptions: PublicKeyCredentialCreationOptionsJSON }>(
      api,
      OPS.passkeyRegistrationOptions,
      {},
      { token },
    ),
  ).passkeyRegistrationOptions;
}

/** Registers a new passkey on `authenticator` for the token's user; returns it as listed. */
export async function addPasskey(
  api: TestApi,
  token: string,
  authenticator: SoftwareAuthenticator,
  overrides: RegistrationOverrides & { name?: string } = {},
): Promise<{ passkey: PasskeyData; credentialId: string; userHandle: string }> {
  const options = await registrationOptions(api, token);
  const { name, ...registration } = overrides;
  const response = authenticator.register(options, registration);
  const passkey = ok(
    await execute<{ registerPasskey: PasskeyData }>(
      api,
      OPS.registerPasskey,
      { response, name: name ?? 'Test passkey' },
      { token },
    ),
  ).registerPasskey;
  return { passkey, credentialId: response.id, userHandle: options.user.id };
}

/** passkeySignInOptions through the public key (optionally for one e-mail's passkeys). */
export async function signInOptions(
  api: TestApi,
  email?: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return ok(
    await execute<{ passkeySignInOptions: PublicKeyCredentialRequestOptionsJSON }>(
      api,
      OPS.passkeySignInOptions,
      email === undefined ? {} : { email },
      asKey(api),
    ),
  ).passkeySignInOptions;
}

/** signInWithPasskey through the public key. */
export function passkeySignIn(
  api: TestApi,
  response: unknown,
  rememberMe?: boolean,
): Promise<OperationResult<{ signInWithPasskey: SignInResultData }>> {
  return execute<{ signInWithPasskey: SignInResultData }>(
    api,
    OPS.signInWithPasskey,
    rememberMe === undefined ? { response } : { response, rememberMe },
    asKey(api),
  );
}

/** passkeyReauthenticationOptions for the token's session. */
export async function reauthenticationOptions(
  api: TestApi,
  token: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return ok(
    await execute<{ passkeyReauthenticationOptions: PublicKeyCredentialRequestOptionsJSON }>(
      api,
      OPS.passkeyReauthenticationOptions,
      {},
      { token },
    ),
  ).passkeyReauthenticationOptions;
}

/** reauthenticate with exactly the given input. */
export function reauthenticate(
  api: TestApi,
  token: string,
  input: { password?: string; code?: string; recoveryCode?: string; passkeyResponse?: unknown },
): Promise<OperationResult<{ reauthenticate: string }>> {
  return execute<{ reauthenticate: string }>(api, OPS.reauthenticate, { input }, { token });
}

/** accountSecurity of the token's user. */
export async function accountSecurity(api: TestApi, token: string): Promise<AccountSecurityData> {
  return ok(
    await execute<{ accountSecurity: AccountSecurityData }>(
      api,
      OPS.accountSecurity,
      {},
      { token },
    ),
  ).accountSecurity;
}
