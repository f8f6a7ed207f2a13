import { createApiClient } from '../apollo-client';
import type { RenderConfig } from '../config';
import { SignInDocument, SignProviderDocument, SignUpDocument } from '../__generated__/graphql';
import type {
  AuthPayloadFieldsFragment,
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

export async function signIn(
  config: RenderConfig,
  input: { email: string; password: string; rememberMe: boolean },
  clientIp: string | undefined,
): Promise<SignedIn> {
  const client = createApiClient(config, { clientIp });
  const data = await runMutation(client, SignInDocument, { input });
  return { payload: data.signIn, rememberMe: input.rememberMe };
}

export async function signUp(
  config: RenderConfig,
  input: SignUpInput,
  clientIp: string | undefined,
): Promise<ViewerFieldsFragment> {
  const data = await runMutation(createApiClient(config, { clientIp }), SignUpDocument, { input });
  return data.signUp;
}

export async function signProvider(
  config: RenderConfig,
  input: SignProviderInput,
  clientIp: string | undefined,
): Promise<SignedIn> {
  const client = createApiClient(config, { clientIp });
  const data = await runMutation(client, SignProviderDocument, { input });
  return { payload: data.signProvider, rememberMe: input.rememberMe ?? false };
}

/** `rememberMe` from a JSON body (boolean) or a form checkbox ("true", "on", "1"). */
export function readRememberMe(value: unknown): boolean {
  return value === true || value === 'true' || value === 'on' || value === '1';
}
