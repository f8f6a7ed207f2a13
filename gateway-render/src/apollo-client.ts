import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import type { RenderConfig } from './config';

/** What one server-side API client acts as. */
export interface ApiClientOptions {
  /** The signed-in person's access token, sent as `Authorization: Bearer`; absent for anonymous visitors. */
  accessToken?: string;
  /**
   * The browser's address, sent as `X-Forwarded-For` so the API's per-IP limits (sign-in
   * failures) count each visitor, not the render server. The API trusts it only from the
   * proxies its TRUST_PROXY setting names.
   */
  clientIp?: string;
  /**
   * Aborts the call when it fires: the request's deadline, shared by all of its API calls so
   * a page that needs several still answers (503 at worst) within one `apiTimeoutMs`.
   */
  deadline?: AbortSignal;
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
  const headers: Record<string, string> = { 'x-api-key': config.publicApiKey };
  if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
  if (options.clientIp) headers['x-forwarded-for'] = options.clientIp;
  const timedFetch: typeof fetch = (input, init) => {
    const signals = [AbortSignal.timeout(config.apiTimeoutMs)];
    if (options.deadline) signals.push(options.deadline);
    if (init?.signal) signals.push(init.signal);
    const signal = AbortSignal.any(signals);
    return fetch(input, { ...init, signal });
  };
  return new ApolloClient({
    ssrMode: true,
    link: new HttpLink({ uri: config.apiUrl, headers, fetch: timedFetch }),
    cache: new InMemoryCache(),
    // Errors throw (errorPolicy "none", the default); a page always asks the API afresh.
    defaultOptions: { query: { fetchPolicy: 'network-only' } },
  });
}
