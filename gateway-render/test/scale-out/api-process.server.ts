import { startTestApi } from 'graphql-api/testing';
import { announceReady, requireEnv, runChild, stopOnSignalOrOrphaned } from './child-lifecycle';

/**
 * One API process of the scale-out test: the real API (`createApp`, compiled) on the shared
 * database, with the environment the test gives every API process alike (`SCALE_OUT_API_ENV`:
 * the same JWT_SECRET and key tokens, NODE_ENV=test, the short refresh reuse interval).
 * `startTestApi` is the API's own way to start on a given database with known key tokens; it
 * also makes sure the keys exist (an upsert, so the second process finds them).
 */
runChild(async () => {
  const api = await startTestApi({
    mongoUri: requireEnv('SCALE_OUT_MONGO_URI'),
    dbName: requireEnv('SCALE_OUT_DB_NAME'),
    seedMovies: process.env.SCALE_OUT_SEED_MOVIES === '1',
    env: JSON.parse(requireEnv('SCALE_OUT_API_ENV')) as Record<string, string>,
    // The render key as production's seed makes it (manifest ids only), as in the other tests.
    configure: (config) => ({
      ...config,
      persistedDocuments: { ...config.persistedDocuments, renderKeyPolicy: 'persisted-only' },
    }),
  });
  stopOnSignalOrOrphaned(() => api.stop());
  announceReady({ origin: new URL(api.url).origin });
});
