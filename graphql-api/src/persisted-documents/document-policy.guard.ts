import type { Request } from 'express';
import type { Context } from '../context';
import { persistedQueryRequired } from '../shared/errors';

/** The request fields the guard reads (an express request). */
export type DocumentRequest = Pick<Request, 'method' | 'url' | 'body'>;

function hasQuery(body: unknown): boolean {
  if (Array.isArray(body)) return body.some(hasQuery);
  if (typeof body !== 'object' || body === null) return false;
  const { query } = body as { query?: unknown };
  // Apollo reads a null `query` as none.
  return query !== undefined && query !== null;
}

/**
 * Whether the HTTP request carries a GraphQL document of its own, where Apollo would read one:
 * `query` in a POST body (with or without an APQ hash: a registration is a full document too)
 * or in a GET's query string.
 */
export function carriesDocument(req: DocumentRequest): boolean {
  if (req.method === 'GET') return new URL(req.url, 'http://api.invalid').searchParams.has('query');
  return hasQuery(req.body);
}

/**
 * Enforces the key's document policy: a `persisted-only` key's request that carries a
 * document is refused with PERSISTED_QUERY_REQUIRED (HTTP 403) before Apollo parses anything.
 * Called where the context is built, because Apollo answers an error thrown there with its
 * own status, while one thrown from a plugin hook that early (`requestDidStart`,
 * `didResolveSource`) becomes a 500.
 */
export function assertDocumentAllowed(
  context: Pick<Context, 'apiKey' | 'logger'>,
  req: DocumentRequest,
): void {
  if (context.apiKey?.documentPolicy !== 'persisted-only' || !carriesDocument(req)) return;
  // Never the render server's own doing (it sends ids only): a leaked key, or a broken build.
  context.logger.warn(
    { apiKey: context.apiKey.name },
    'full document refused: this key may send only persisted document ids',
  );
  throw persistedQueryRequired();
}
