import { readFileSync } from 'node:fs';
import fastify from 'fastify';
import mercurius from 'mercurius';
import type { IResolvers, PersistedQueryProvider } from 'mercurius';
import { connectDatabase, disconnectDatabase } from 'graphql-api/database';
import { MovieService } from 'graphql-api/movies/index';
import { PEER_TYPE_DEFS, peerResolvers } from '../peer-schema';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * The render server sends its operations as persisted ids only (APQ's
 * `extensions.persistedQuery.sha256Hash`, no `query`); this provider looks them up in the same
 * manifest the API serves them from (`{ "sha256:<hex>": document }`), so P1c can send this peer
 * exactly the request the API gets. Full documents (MOVIES_QUERY) run as usual.
 */
function manifestProvider(manifestPath: string): PersistedQueryProvider {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
  type Request = { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
  return {
    isPersistedQuery: (request: Request) =>
      !request.query && request.extensions?.persistedQuery !== undefined,
    getHash: (request: Request) => request.extensions?.persistedQuery?.sha256Hash ?? '',
    getQueryFromHash: (hash: string) => Promise.resolve(manifest[`sha256:${hash}`] ?? ''),
  } as PersistedQueryProvider;
}

/**
 * Peer: Mercurius 16 on fastify 5 with `jit: 1` (graphql-jit compiles a document the first
 * time it is run again), the same SDL and resolvers as the other peers, calling the API's
 * MovieService. fastify's serialiser writes no trailing newline; an onSend hook adds the one
 * Apollo (and so the API) ends its bodies with, so the harness can require the same bytes.
 */
async function main(): Promise<void> {
  await connectDatabase(requireEnv('BENCH_MONGO_URI'), { dbName: requireEnv('BENCH_DB_NAME') });
  const app = fastify({ logger: false });
  await app.register(mercurius, {
    schema: PEER_TYPE_DEFS,
    resolvers: peerResolvers(new MovieService()) as unknown as IResolvers,
    jit: 1,
    graphiql: false,
    persistedQueryProvider: manifestProvider(requireEnv('BENCH_PERSISTED_DOCUMENTS')),
  });
  app.addHook('onSend', async (_request, _reply, payload) =>
    typeof payload === 'string' ? `${payload}\n` : payload,
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  exitOnSignal(async () => {
    await app.close();
    await disconnectDatabase();
  });
  announceReady({ url: address });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
