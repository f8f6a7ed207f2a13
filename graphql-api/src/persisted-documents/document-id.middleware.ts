import type { RequestHandler } from 'express';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The GraphQL-over-HTTP persisted-document form, `{ "documentId": "sha256:<hex>", ... }`
 * in a POST body, rewritten into the APQ form Apollo Server resolves
 * (`extensions.persistedQuery = { version: 1, sha256Hash: "<hex>" }`), so both forms take
 * the same path: the manifest, PERSISTED_QUERY_NOT_FOUND for an unknown id. An id with
 * another prefix keeps its text as the hash and is not found. Runs after `express.json()`.
 */
export const documentIdMiddleware: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (isRecord(body) && typeof body.documentId === 'string') {
    const { documentId, ...request } = body;
    const { extensions } = request;
    // Extensions that are not an object are Apollo's to refuse (400); left as they came.
    if (extensions === undefined || extensions === null || isRecord(extensions)) {
      const sha256Hash = documentId.startsWith('sha256:')
        ? documentId.slice('sha256:'.length)
        : documentId;
      req.body = {
        ...request,
        extensions: { ...extensions, persistedQuery: { version: 1, sha256Hash } },
      };
    }
  }
  next();
};
