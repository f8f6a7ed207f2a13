import type { PersistedQueryOptions } from '@apollo/server';
import type { PersistedDocumentManifest } from './persisted-documents.manifest';

type PersistedQueryCache = NonNullable<PersistedQueryOptions['cache']>;

/** Apollo keys the cache it is given as `apq:<sha256 hex>` (its APQ namespace). */
const APQ_KEY = /^apq:([0-9a-f]{64})$/;

/**
 * Apollo Server's `persistedQueries` options backed by the manifest, for every key: a request
 * with `extensions.persistedQuery.sha256Hash` and no `query` runs the manifest's document, an
 * unknown hash is PERSISTED_QUERY_NOT_FOUND. Apollo's default cache would instead store every
 * document a client registers (query + hash) and serve it by hash to anyone later; this one
 * is read-only, so a registration is executed like any full document (when the key's policy
 * allows one) and forgotten: it can neither add to the manifest nor overwrite an entry.
 */
export function manifestPersistedQueries(
  manifest: PersistedDocumentManifest,
): PersistedQueryOptions {
  const cache: PersistedQueryCache = {
    async get(key) {
      const hash = APQ_KEY.exec(key)?.[1];
      return hash === undefined ? undefined : manifest.bySha256(hash);
    },
    async set() {
      // Registrations are never stored (see above).
    },
    async delete() {
      return false;
    },
  };
  // No expiry: the entries are the deployment's, not a cache's.
  return { cache, ttl: null };
}
