import assert from 'node:assert/strict';
import type { GraphQLFormattedError } from 'graphql';
import { createContext } from '../src/context';
import type { Context } from '../src/context';
import type { TestApi } from '../src/testing';
import { startTestApi } from '../src/testing';

/** Credentials of a test call: a key token and/or a bearer token, and the client IP. */
export interface Credentials {
  apiKey?: string;
  token?: string;
  ip?: string;
}

export interface OperationResult<TData> {
  data: TData | null | undefined;
  errors: readonly GraphQLFormattedError[] | undefined;
}

/** The MongoDB server of this run (see global-setup). */
export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  assert.ok(uri, 'TEST_MONGODB_URI is set by test/global-setup.ts');
  return uri;
}

/** An API on this file's own database. */
export function startApi(
  env?: Record<string, string>,
  options: { monitorCommands?: boolean } = {},
): Promise<TestApi> {
  return startTestApi({ mongoUri: testMongoUri(), env, ...options });
}

/** Builds the context exactly like an HTTP request with these headers would. */
export function contextFor(api: TestApi, credentials: Credentials = {}): Promise<Context> {
  const headers: Record<string, string> = { 'user-agent': 'jest' };
  if (credentials.apiKey !== undefined) headers['x-api-key'] = credentials.apiKey;
  if (credentials.token !== undefined) headers.authorization = `Bearer ${credentials.token}`;
  return createContext(
    api.api.services,
    { headers, ip: credentials.ip ?? '127.0.0.1' },
    api.api.logger,
  );
}

/** `server.executeOperation` with a real context; returns data and errors of the single result. */
export async function execute<TData = Record<string, unknown>>(
  api: TestApi,
  query: string,
  variables: Record<string, unknown> = {},
  credentials: Credentials = {},
): Promise<OperationResult<TData>> {
  const contextValue = await contextFor(api, credentials);
  const response = await api.api.apollo.executeOperation<TData>(
    { query, variables },
    { contextValue },
  );
  assert.equal(response.body.kind, 'single');
  return { data: response.body.singleResult.data, errors: response.body.singleResult.errors };
}

/** The single error's code (fails the test when there is not exactly one error). */
export function errorCode(result: OperationResult<unknown>): unknown {
  assert.equal(result.errors?.length, 1, JSON.stringify(result.errors));
  return result.errors?.[0]?.extensions?.code;
}

export function firstError(result: OperationResult<unknown>): GraphQLFormattedError {
  const error = result.errors?.[0];
  assert.ok(error, 'expected an error');
  return error;
}
