import 'reflect-metadata';
import { DataDirLockedError } from 'embedded-mongo';
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import type { ApiConfig } from '../config';
import { openDatabase } from '../database';
import type { OpenDatabase } from '../database';
import { createLogger } from '../logger';
import type { Logger } from '../logger';
import { SigningKeyService } from './signing-key.service';

/** What to do when the embedded database is held by a running API (development). */
function lockedMessage(config: ApiConfig, error: Error): string {
  const days = config.signingKeys.maxAgeMs / 86_400_000;
  return [
    `The embedded database (${config.embeddedDataDir}) is in use by a running API:`,
    `  ${error.message}`,
    '',
    'Without MONGODB_URI this command opens that data directory itself, and only one process',
    'may. Either stop the API (Ctrl-C) and run it again (the API uses the new key when it',
    'starts), or serve the data directory to both and point them at it:',
    `  npm run db -- --port 27017 --data-dir ${config.embeddedDataDir}`,
    '  MONGODB_URI=mongodb://127.0.0.1:27017/movies npm start -w graphql-api',
    '  MONGODB_URI=mongodb://127.0.0.1:27017/movies npm run rotate-keys -w graphql-api',
    `A running API also rotates on its own when its key is ${days} days old.`,
  ].join('\n');
}

async function open(config: ApiConfig, logger: Logger): Promise<OpenDatabase | null> {
  try {
    return await openDatabase(config, logger);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    console.error(lockedMessage(config, error));
    process.exitCode = 1;
    return null;
  }
}

/**
 * `npm run rotate-keys -w graphql-api`: adds a new access-token signing key on the database of
 * `MONGODB_URI` (without it, the embedded one in `.data/db`); the previous key keeps verifying
 * until its tokens have expired. Prints the new `kid` and every key that still verifies.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await open(config, logger);
  if (!database) return;
  try {
    const keys = new SigningKeyService(config, logger);
    const created = await keys.rotate();
    const where = database.embedded
      ? 'the embedded database'
      : database.uri.replace(/\/\/[^@]*@/, '//***@');
    console.log(`Rotated the access-token signing key of ${where}:`);
    const first = created.generation === 1 ? '; there was none, this is the first' : '';
    console.log(`  new signing key: ${created.kid} (generation ${created.generation}${first})`);
    console.log('  keys that verify access tokens (published at /.well-known/jwks.json):');
    for (const key of await keys.verificationKeys()) {
      const status = key.retiredAt
        ? `retired ${key.retiredAt.toISOString()}, verifies until ${key.notAfter?.toISOString() ?? '?'}`
        : 'signs';
      console.log(`    ${key.kid} (generation ${key.generation}): ${status}`);
    }
    const seconds = config.signingKeys.reloadIntervalMs / 1000;
    console.log(
      `Running API processes sign with the new key within ${seconds} s (their periodic reload), or as soon as they see a token signed with it.`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
