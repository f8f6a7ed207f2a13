import { startTestApi } from 'graphql-api/testing';
import { withUnreachableBudget } from '../api-budget';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * The real API (createApp, production settings) on the bench database. `startTestApi` is the
 * API's own way to start on a given database with known key tokens; the harness passes the
 * environment (NODE_ENV=production, real argon2 cost, the key tokens); the request budget is
 * out of reach, since all the load comes from one address.
 */
async function main(): Promise<void> {
  const env = JSON.parse(requireEnv('BENCH_API_ENV')) as Record<string, string>;
  const api = await startTestApi({
    mongoUri: requireEnv('BENCH_MONGO_URI'),
    dbName: requireEnv('BENCH_DB_NAME'),
    env,
    configure: withUnreachableBudget,
  });
  exitOnSignal(() => api.stop());
  announceReady({ url: api.url.replace(/\/graphql$/, '') });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
