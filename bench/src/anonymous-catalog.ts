import { CatalogPublicDocument } from 'gateway-render/dist/src/__generated__/graphql';
import { createApiClient } from 'gateway-render/dist/src/apollo-client';
import { loadConfig as loadRenderConfig } from 'gateway-render/dist/src/config';
import {
  catalogVariables,
  parseCatalogQuery,
} from 'gateway-render/dist/src/pages/catalog/catalog-url';
import type { BenchEnv } from './bench-env';
import { renderServerEnv } from './scenarios/render';

/** A browser's User-Agent, which the render server passes on as its API call's own. */
const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A visitor's address (TEST-NET-3), which the render server passes on as `X-Client-IP`. */
const BROWSER_ADDRESS = '203.0.113.10';

/** Headers autocannon sets for itself (or that describe one connection, not the request). */
const TRANSPORT_HEADERS = new Set(['content-length', 'host', 'connection', 'keep-alive']);

/** One API call as the render server sent it, and what the API answered. */
export interface AnonymousCatalogRequest {
  headers: Record<string, string>;
  body: string;
  /** The API's answer (the bytes every run of the request is checked against). */
  response: string;
}

/**
 * The anonymous catalog's API call exactly as the render server makes it for a visitor
 * without a session on `GET /`: its own Apollo Client (`createApiClient` with the visitor's
 * address and User-Agent, no access token), the render key (`RENDER_API_KEY_TOKEN`, a
 * persisted-only key), `CatalogPublic` sent as its persisted id with the catalog's first-page
 * variables. The request is recorded from the client's own `fetch` call rather than rebuilt,
 * so it follows the render server when that changes.
 */
export async function anonymousCatalogRequest(
  env: BenchEnv,
  apiUrl: string,
): Promise<AnonymousCatalogRequest> {
  const config = loadRenderConfig(renderServerEnv(env, apiUrl));
  const client = createApiClient(config, {
    clientIp: BROWSER_ADDRESS,
    userAgent: BROWSER_USER_AGENT,
    resultCaching: false,
  });
  const original = globalThis.fetch;
  let captured: AnonymousCatalogRequest | undefined;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
    });
    captured = {
      headers,
      body: typeof init?.body === 'string' ? init.body : '',
      response: await response.clone().text(),
    };
    return response;
  };
  try {
    await client.query({
      query: CatalogPublicDocument,
      variables: catalogVariables(parseCatalogQuery({})),
      fetchPolicy: 'no-cache',
    });
  } finally {
    globalThis.fetch = original;
  }
  if (!captured?.body) throw new Error('P1c: the render server’s client sent no request body');
  if (captured.response.includes('"errors"')) {
    throw new Error(`P1c: the API answered ${captured.response.slice(0, 300)}`);
  }
  return captured;
}
