import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import type { DocumentNode } from 'graphql';
import { Kind } from 'graphql';

const SHA256_PREFIX = 'sha256:';

function operationName(document: DocumentNode): string {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION)
      return definition.name?.value ?? '(anonymous)';
  }
  return '(no operation)';
}

/**
 * The SHA-256 (hex) the API knows `document` by: codegen's persisted-documents mode stores its
 * id (`sha256:<hex>`, the key of `persisted-documents.json`) in the generated document's
 * `__meta__.hash`, so nothing is hashed at run time. A document without one was not generated
 * (or the generated files are stale): a programming error, thrown rather than sent in full.
 */
export function persistedDocumentHash(document: DocumentNode): string {
  const id = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof id !== 'string' || !id.startsWith(SHA256_PREFIX)) {
    throw new TypeError(
      `${operationName(document)} has no persisted document id: use the generated documents ` +
        '(src/__generated__) and run `npm run codegen`',
    );
  }
  return id.slice(SHA256_PREFIX.length);
}

/**
 * Sends every operation as its id only (APQ's `extensions.persistedQuery`, no `query`), in
 * every environment, so development and the tests take the production path. It never falls
 * back to the full document: an id the API does not know (PERSISTED_QUERY_NOT_FOUND) means
 * the API runs another build's manifest, and the call fails like any API error instead of
 * sending documents the API would refuse from this key anyway.
 */
export function persistedDocumentLink(): PersistedQueryLink {
  return new PersistedQueryLink({
    generateHash: persistedDocumentHash,
    retry: () => false,
    disable: () => false,
  });
}
