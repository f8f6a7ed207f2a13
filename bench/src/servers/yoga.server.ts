import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import { connectDatabase, disconnectDatabase } from 'graphql-api/database';
import { MovieService } from 'graphql-api/movies/index';
import { PEER_TYPE_DEFS, peerResolvers } from '../peer-schema';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * Yoga writes `JSON.stringify(result)` without the newline Apollo (and so the API) ends its
 * bodies with; this result processor adds it, so the harness can require the same bytes.
 * Nothing else changes: same content type, same status.
 */
const trailingNewline: Plugin = {
  onResultProcess({ setResultProcessor }) {
    setResultProcessor(
      (result, fetchAPI) =>
        new fetchAPI.Response(`${JSON.stringify(result)}\n`, {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      'application/json',
    );
  },
};

/**
 * Peer: GraphQL Yoga 5 on node:http (`createServer(yoga)`), the same SDL and resolvers as the
 * other peers, calling the API's MovieService. Yoga's defaults otherwise (its parse and
 * validation caches included); no GraphiQL, which a production deployment turns off.
 */
async function main(): Promise<void> {
  await connectDatabase(requireEnv('BENCH_MONGO_URI'), { dbName: requireEnv('BENCH_DB_NAME') });
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: PEER_TYPE_DEFS,
      resolvers: peerResolvers(new MovieService()),
    }),
    graphiql: false,
    landingPage: false,
    plugins: [trailingNewline],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  exitOnSignal(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await disconnectDatabase();
  });
  announceReady({ url: `http://127.0.0.1:${port}` });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
