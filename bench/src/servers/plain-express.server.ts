import type { AddressInfo } from 'node:net';
import express from 'express';
import { connectDatabase, disconnectDatabase } from 'graphql-api/database';
import { MovieService } from 'graphql-api/movies/index';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * P2's baseline: plain express running the same driver queries as the API (the API's own
 * MovieService: a lean find + countDocuments) and writing the same JSON, without GraphQL.
 */
async function main(): Promise<void> {
  await connectDatabase(requireEnv('BENCH_MONGO_URI'), { dbName: requireEnv('BENCH_DB_NAME') });
  const movies = new MovieService();
  const app = express();
  app.disable('x-powered-by');
  app.post('/graphql', express.json({ limit: '100kb' }), async (_req, res, next) => {
    try {
      const connection = await movies.list(null, { first: 20, after: null });
      const totalCount = await connection.totalCount();
      // Same field order as MOVIES_QUERY's selection, so the bytes equal the API's.
      const body = {
        data: {
          movies: {
            totalCount,
            pageInfo: {
              endCursor: connection.pageInfo.endCursor,
              hasNextPage: connection.pageInfo.hasNextPage,
            },
            edges: connection.edges.map(({ cursor, node }) => ({
              cursor,
              node: {
                id: node._id.toHexString(),
                title: node.title,
                year: node.year,
                cover: node.cover,
                duration: node.duration,
                tags: node.tags,
              },
            })),
          },
        },
      };
      res.type('application/json').send(`${JSON.stringify(body)}\n`);
    } catch (error) {
      next(error);
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
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
