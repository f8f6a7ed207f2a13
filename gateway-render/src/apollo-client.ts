import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { Kind } from 'graphql';
import { map } from 'rxjs';
import type { RenderConfig } from './config';
import { persistedDocumentLink } from './shared/persisted-document.link';
import { publicCacheKey } from './shared/public-response-cache';
import type { PublicResponseCache } from './shared/public-response-cache';

/** What one server-side API client acts as. */
export interface ApiClientOptions {
  /** The signed-in person's access token, sent as `Authorization: Bearer`; absent for anonymous visitors. */
  accessToken?: string;
  /**
   * The browser's address, sent as `X-Client-IP` so the API's per-IP limits (sign-in failures,
   * sign-ups, mails) count each visitor, not the render server, and a session shows where it
   * signed in. The API believes it only from the render server's own key.
   */
  clientIp?: string;
  /**
   * The browser's User-Agent, sent as the API call's own: the API records it with each session,
   * and the account page lists the sessions by it (otherwise every one would say "node").
   */
  userAgent?: string;
  /**
   * Aborts the call when it fires: the request's deadline, shared by all of its API calls so
   * a page that needs several still answers (503 at worst) within one `apiTimeoutMs`.
   */
  deadline?: AbortSignal;
  /**
   * The app's cache of responses the API marked public. Used only by a client without an
   * access token: such a client stores the public responses it receives, and
   * {@link cachedPublicResult} answers its queries from them while they are fresh.
   */
  publicCache?: PublicResponseCache;
  /**
   * InMemoryCache `resultCaching` (default true): memoized reads that return identical objects
   * while the data is unchanged. That pays off for a cache read many times; a request's cache
   * is written once and read a couple of times by one render, where the bookkeeping costs more
   * than it saves (measured: about half of a catalog page's render), so requests turn it off.
   */
  resultCaching?: boolean;
}

/** The API keeps this much of a User-Agent; longer ones are cut here already. */
const MAX_USER_AGENT_LENGTH = 512;

/** The clients that may use a public cache, with the key prefix of their API key. */
const publicCaches = new WeakMap<ApolloClient, { cache: PublicResponseCache; keyId: string }>();

/** {@link apiKeyId} by config: the hash is the same for every request. */
const apiKeyIds = new WeakMap<RenderConfig, string>();

/** Names the API key in cache keys without holding the key itself. */
function apiKeyId(config: RenderConfig): string {
  let id = apiKeyIds.get(config);
  if (id === undefined) {
    id = createHash('sha256').update(config.apiKey).digest('base64url');
    apiKeyIds.set(config, id);
  }
  return id;
}

function operationName(document: TypedDocumentNode<unknown, never>): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}

/**
 * A fresh response the API marked public for this query and variables, when `client` is an
 * anonymous client with a public cache; else undefined (signed-in clients never get one).
 */
export function cachedPublicResult<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): TData | undefined {
  const shared = publicCaches.get(client);
  if (!shared) return undefined;
  return publicResultOf(shared.cache, shared.keyId, query, variables);
}

/**
 * What {@link cachedPublicResult} would answer for an anonymous client of `config` with
 * `publicCache`, without building that client: a request whose page data is all in the public
 * cache needs no client at all.
 */
export function cachedAnonymousResult<TData, TVariables extends OperationVariables>(
  config: RenderConfig,
  publicCache: PublicResponseCache,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): TData | undefined {
  return publicResultOf(publicCache, apiKeyId(config), query, variables);
}

function publicResultOf<TData, TVariables extends OperationVariables>(
  cache: PublicResponseCache,
  keyId: string,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): TData | undefined {
  const name = operationName(query as TypedDocumentNode<unknown, never>);
  if (!name) return undefined;
  return cache.get(publicCacheKey(keyId, name, variables)) as TData | undefined;
}

/**
 * A fresh Apollo Client for ONE request: its cache holds only this person's data, so it is
 * never shared between requests (a module-level client would leak one user's list to another).
 * Every call carries the public API key; the access token is added when there is one. A call
 * that takes longer than `apiTimeoutMs` is aborted, never retried, so a page can answer 503 fast.
 */
export function createApiClient(
  config: RenderConfig,
  options: ApiClientOptions = {},
): ApolloClient {
  const headers: Record<string, string> = { 'x-api-key': config.apiKey };
  if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
  if (options.clientIp) headers['x-client-ip'] = options.clientIp;
  if (options.userAgent) headers['user-agent'] = options.userAgent.slice(0, MAX_USER_AGENT_LENGTH);
  const timedFetch: typeof fetch = (input, init) => {
    const signals = [AbortSignal.timeout(config.apiTimeoutMs)];
    if (options.deadline) signals.push(options.deadline);
    if (init?.signal) signals.push(init.signal);
    const signal = AbortSignal.any(signals);
    return fetch(input, { ...init, signal });
  };
  // Operations go out as their persisted document ids only (see persistedDocumentLink).
  const network = persistedDocumentLink().concat(
    new HttpLink({ uri: config.apiUrl, headers, fetch: timedFetch }),
  );
  const publicCache = options.accessToken ? undefined : options.publicCache;
  const keyId = publicCache ? apiKeyId(config) : '';
  const link = publicCache
    ? new ApolloLink((operation, forward) =>
        forward(operation).pipe(
          map((result) => {
            const response = (operation.getContext() as { response?: Response }).response;
            if (result.data && !result.errors && operation.operationName) {
              publicCache.storeIfPublic(
                publicCacheKey(keyId, operation.operationName, operation.variables),
                result.data,
                response?.headers.get('cache-control'),
              );
            }
            return result;
          }),
        ),
      ).concat(network)
    : network;
  const client = new ApolloClient({
    ssrMode: true,
    link,
    cache: new InMemoryCache({ resultCaching: options.resultCaching ?? true }),
    // Errors throw (errorPolicy "none", the default); a page asks the API afresh (or, for an
    // anonymous public read, see cachedPublicResult).
    defaultOptions: { query: { fetchPolicy: 'network-only' } },
  });
  if (publicCache) publicCaches.set(client, { cache: publicCache, keyId });
  return client;
}
