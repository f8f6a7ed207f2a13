import type { ApolloClient, OperationVariables, TypedDocumentNode } from '@apollo/client';
import type { Response } from 'express';
import { createApiClient } from '../apollo-client';
import { requestSession } from '../auth/refresh';
import type { RenderConfig } from '../config';
import { ApiFailureError, classifyApiError } from './api-errors';

/** The request's own Apollo Client, acting as the signed-in person when there is one. */
export function apiClientFor(config: RenderConfig, res: Response): ApolloClient {
  return createApiClient(config, {
    accessToken: requestSession(res).accessToken,
    clientIp: res.req.ip,
  });
}

/** Runs a query; any failure becomes an {@link ApiFailureError} for the error handler. */
export async function runQuery<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  try {
    const result = await client.query({ query, variables } as ApolloClient.QueryOptions<
      TData,
      TVariables
    >);
    if (result.data === undefined) {
      throw new ApiFailureError({ kind: 'internal', message: 'No data' });
    }
    return result.data as TData;
  } catch (error) {
    throw new ApiFailureError(classifyApiError(error));
  }
}

/** Runs a mutation; any failure becomes an {@link ApiFailureError}. */
export async function runMutation<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  mutation: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  try {
    const result = await client.mutate({ mutation, variables } as ApolloClient.MutateOptions<
      TData,
      TVariables
    >);
    if (result.data === undefined || result.data === null) {
      throw new ApiFailureError({ kind: 'internal', message: 'No data' });
    }
    return result.data as TData;
  } catch (error) {
    throw new ApiFailureError(classifyApiError(error));
  }
}
