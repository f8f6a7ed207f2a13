import type { ApolloClient, OperationVariables, TypedDocumentNode } from '@apollo/client';
import type { RequestHandler, Response } from 'express';
import { cachedAnonymousResult, cachedPublicResult, createApiClient } from '../apollo-client';
import { requestSession } from '../auth/request-session';
import type { RenderConfig } from '../config';
import { ApiFailureError, classifyApiError } from './api-errors';
import type { PageAssets } from './assets';
import type { PublicResponseCache } from './public-response-cache';

/**
 * Starts each request's API deadline: all of its API calls together get `apiTimeoutMs`, so a
 * slow API gives the 503 page within that time even when a request makes several calls
 * (a refresh and the page query, a sign-up and its sign-in). Nothing is retried.
 */
export function apiDeadlineMiddleware(config: RenderConfig): RequestHandler {
  return (_req, res, next) => {
    // The deadline runs from here, but its signal (a timer) is made only when a call reads it:
    // most anonymous pages are answered from the public cache and make no call at all.
    const startedAt = performance.now();
    let deadline: AbortSignal | undefined;
    Object.defineProperty(res.locals, 'apiDeadline', {
      configurable: true,
      enumerable: true,
      get: () =>
        (deadline ??= AbortSignal.timeout(
          Math.max(0, Math.floor(config.apiTimeoutMs - (performance.now() - startedAt))),
        )),
      set: (signal: AbortSignal | undefined) => {
        deadline = signal;
      },
    });
    next();
  };
}

/**
 * The request's own Apollo Client: it carries the browser's address and User-Agent and the
 * request's deadline, and acts as the signed-in person when there is one, unless `anonymous` (sign-in,
 * sign-up and sign-out calls, which act with the API key alone).
 */
export function apiClientFor(
  config: RenderConfig,
  res: Response,
  options: { anonymous?: boolean } = {},
): ApolloClient {
  return createApiClient(config, {
    accessToken: options.anonymous ? undefined : requestSession(res).accessToken,
    clientIp: res.req.ip,
    userAgent: res.req.get('user-agent'),
    deadline: res.locals.apiDeadline as AbortSignal | undefined,
    publicCache: (res.app.locals as AppLocals).publicResponseCache,
    // Written once, rendered once: memoized reads would cost more than they save.
    resultCaching: false,
  });
}

/** The data of an Apollo call; a failure, or no data at all, becomes an {@link ApiFailureError}. */
async function dataOf<TData>(call: () => Promise<{ data?: unknown }>): Promise<TData> {
  try {
    const { data } = await call();
    if (data === undefined || data === null) {
      throw new ApiFailureError({ kind: 'internal', message: 'No data' });
    }
    return data as TData;
  } catch (error) {
    throw new ApiFailureError(classifyApiError(error));
  }
}

/** What createApp keeps in `app.locals` for the routes. */
export interface AppLocals {
  /** Responses the API marked public, for anonymous visitors' reads (see PublicResponseCache). */
  publicResponseCache?: PublicResponseCache;
  /** The hashed URLs of the script, stylesheet and icon every page links. */
  assets?: PageAssets;
}

/**
 * Runs a query; any failure becomes an {@link ApiFailureError} for the error handler. An
 * anonymous client's query that the API recently answered as public is answered from that
 * response. Pages render from the data itself (nothing reads a GraphQL cache any more), so
 * the result is never written into one: `no-cache` hands back the API's response as it came,
 * the same shape and field order as a stored public response, so a page embeds the same
 * bytes whether or not its data came from the public cache.
 */
export function runQuery<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const cached = cachedPublicResult(client, query, variables);
  if (cached !== undefined) return Promise.resolve(cached);
  return dataOf<TData>(() =>
    client.query({ query, variables, fetchPolicy: 'no-cache' } as ApolloClient.QueryOptions<
      TData,
      TVariables
    >),
  );
}

/**
 * {@link runQuery} with the request's own client ({@link apiClientFor}, same `options`), built
 * only when the API is called: an anonymous read the API recently answered as public is
 * answered from that response without building a client (and its cache) for nothing.
 */
export function runRequestQuery<TData, TVariables extends OperationVariables>(
  config: RenderConfig,
  res: Response,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: { anonymous?: boolean } = {},
): Promise<TData> {
  const { publicResponseCache } = res.app.locals as AppLocals;
  // The same condition as createApiClient's for using the public cache: no access token.
  if (publicResponseCache && (options.anonymous || !requestSession(res).accessToken)) {
    const cached = cachedAnonymousResult(config, publicResponseCache, query, variables);
    if (cached !== undefined) return Promise.resolve(cached);
  }
  return runQuery(apiClientFor(config, res, options), query, variables);
}

/** Runs a mutation; any failure becomes an {@link ApiFailureError}. */
export function runMutation<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  mutation: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  return dataOf<TData>(() =>
    client.mutate({ mutation, variables } as ApolloClient.MutateOptions<TData, TVariables>),
  );
}
