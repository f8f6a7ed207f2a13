import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { connectDatabase, disconnectDatabase } from 'graphql-api/database';
import { MovieService } from 'graphql-api/movies/index';
import { PEER_TYPE_DEFS, peerResolvers } from '../peer-schema';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * Peer: Apollo Server 5 on express 5 with a plain SDL schema and resolvers (no type-graphql,
 * no plugins of its own), as Apollo's getting-started guide sets it up, calling the API's
 * MovieService. Apollo already ends its JSON with a newline, as the API (also Apollo) does.
 */
async function main(): Promise<void> {
  await connectDatabase(requireEnv('BENCH_MONGO_URI'), { dbName: requireEnv('BENCH_DB_NAME') });
  const server = new ApolloServer({
    typeDefs: PEER_TYPE_DEFS,
    resolvers: peerResolvers(new MovieService()),
  });
  await server.start();
  const app = express();
  app.disable('x-powered-by');
  app.use('/graphql', express.json({ limit: '100kb' }), expressMiddleware(server));
  const listening = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    listening.once('listening', resolve);
    listening.once('error', reject);
  });
  const { port } = listening.address() as AddressInfo;
  exitOnSignal(async () => {
    await new Promise<void>((resolve) => {
      listening.close(() => resolve());
      listening.closeAllConnections();
    });
    await server.stop();
    await disconnectDatabase();
  });
  announceReady({ url: `http://127.0.0.1:${port}` });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
