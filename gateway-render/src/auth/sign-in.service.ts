import type { ApolloClient } from '@apollo/client';
import {
  ConnectProviderDocument,
  SignInDocument,
  SignProviderDocument,
  SignUpDocument,
} from '../__generated__/graphql';
import type {
  AuthPayloadFieldsFragment,
  ConnectProviderInput,
  SignProviderInput,
  SignUpInput,
  ViewerFieldsFragment,
} from '../__generated__/graphql';
import { runMutation } from '../shared/api-call';

/** A signed-in person as Passport hands it to the routes: the API's tokens and the lifetime chosen. */
export interface SignedIn {
  payload: AuthPayloadFieldsFragment;
  rememberMe: boolean;
}

/** The API's `signIn`, through the request's (anonymous) client. */
export async function signIn(
  client: ApolloClient,
  input: { email: string; password: string; rememberMe: boolean },
): Promise<SignedIn> {
  const data = await runMutation(client, SignInDocument, { input });
  return { payload: data.signIn, rememberMe: input.rememberMe };
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
): Promise<SignedIn> {
  const data = await runMutation(client, SignProviderDocument, { input });
  return { payload: data.signProvider, rememberMe: input.rememberMe ?? false };
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
