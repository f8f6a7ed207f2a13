import type { ApolloClient } from '@apollo/client';
import {
  ConnectProviderDocument,
  PasskeySignInOptionsDocument,
  SignInDocument,
  SignInWithPasskeyDocument,
  SignProviderDocument,
  SignUpDocument,
  VerifySecondFactorDocument,
} from '../__generated__/graphql';
import type {
  AuthPayloadFieldsFragment,
  ConnectProviderInput,
  SignInMutation,
  SignInWithPasskeyMutation,
  SignProviderInput,
  SignProviderMutation,
  SignUpInput,
  VerifySecondFactorInput,
  ViewerFieldsFragment,
} from '../__generated__/graphql';
import { runMutation } from '../shared/api-call';

/** A signed-in person as Passport hands it to the routes: the API's tokens and the lifetime chosen. */
export interface SignedIn {
  kind: 'signed-in';
  payload: AuthPayloadFieldsFragment;
  rememberMe: boolean;
}

/** The API's `SignInResult` union as the sign-in mutations select it (the same fields each). */
export type SignInResult =
  | SignInMutation['signIn']
  | SignProviderMutation['signProvider']
  | SignInWithPasskeyMutation['signInWithPasskey'];

/** The `MfaRequired` member: the challenge for verifySecondFactor and what it accepts. */
export type MfaRequiredFields = Extract<SignInResult, { __typename: 'MfaRequired' }>;

/** A sign-in that still needs a second factor: the API's challenge, and the lifetime chosen. */
export interface SecondFactorRequired {
  kind: 'second-factor';
  challenge: MfaRequiredFields;
  rememberMe: boolean;
}

/** What a sign-in (password, Google, passkey) ends in: tokens, or a second factor to ask for. */
export type SignInOutcome = SignedIn | SecondFactorRequired;

/**
 * The API's `SignInResult` union as an outcome. Exhaustive: a member the union gains later
 * fails to compile here instead of passing as "signed in" without tokens.
 */
export function signInOutcome(result: SignInResult, rememberMe: boolean): SignInOutcome {
  switch (result.__typename) {
    case 'AuthPayload':
      return { kind: 'signed-in', payload: result, rememberMe };
    case 'MfaRequired':
      return { kind: 'second-factor', challenge: result, rememberMe };
    default: {
      const unexpected: never = result;
      throw new TypeError(`Unexpected sign-in result ${JSON.stringify(unexpected)}`);
    }
  }
}

/** The API's `signIn`, through the request's (anonymous) client. */
export async function signIn(
  client: ApolloClient,
  input: { email: string; password: string; rememberMe: boolean },
): Promise<SignInOutcome> {
  const data = await runMutation(client, SignInDocument, { input });
  return signInOutcome(data.signIn, input.rememberMe);
}

/** The API's WebAuthn request options for a sign-in (anonymous client; the e-mail is optional). */
export async function passkeySignInOptions(
  client: ApolloClient,
  email: string | null,
): Promise<unknown> {
  const data = await runMutation(client, PasskeySignInOptionsDocument, { email });
  return data.passkeySignInOptions;
}

/** The API's `signInWithPasskey` with the authenticator's response (anonymous client). */
export async function signInWithPasskey(
  client: ApolloClient,
  response: Record<string, unknown>,
  rememberMe: boolean,
): Promise<SignInOutcome> {
  const data = await runMutation(client, SignInWithPasskeyDocument, { response, rememberMe });
  return signInOutcome(data.signInWithPasskey, rememberMe);
}

/** Finishes a sign-in that answered MfaRequired (anonymous client): the tokens. */
export async function verifySecondFactor(
  client: ApolloClient,
  input: VerifySecondFactorInput,
  rememberMe: boolean,
): Promise<SignedIn> {
  const data = await runMutation(client, VerifySecondFactorDocument, { input });
  return { kind: 'signed-in', payload: data.verifySecondFactor, rememberMe };
}

export async function signUp(
  client: ApolloClient,
  input: SignUpInput,
): Promise<ViewerFieldsFragment> {
  const data = await runMutation(client, SignUpDocument, { input });
  return data.signUp;
}

export async function signProvider(
  client: ApolloClient,
  input: SignProviderInput,
): Promise<SignInOutcome> {
  const data = await runMutation(client, SignProviderDocument, { input });
  return signInOutcome(data.signProvider, input.rememberMe ?? false);
}

/** Connects a provider account to the person the client acts as (their access token). */
export async function connectProvider(
  client: ApolloClient,
  input: ConnectProviderInput,
): Promise<ViewerFieldsFragment> {
  const data = await runMutation(client, ConnectProviderDocument, { input });
  return data.connectProvider;
}

/** `rememberMe` from a JSON body (boolean) or a form checkbox ("true", "on", "1"). */
export function readRememberMe(value: unknown): boolean {
  return value === true || value === 'true' || value === 'on' || value === '1';
}
