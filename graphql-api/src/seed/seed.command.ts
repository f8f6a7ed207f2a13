import 'reflect-metadata';
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { openDatabase } from '../database';
import { createLogger } from '../logger';
import { createServices } from '../services';
import { seedDatabase } from './seed';

/** `npm run seed -w graphql-api`: idempotent; prints generated key tokens once. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    const report = await seedDatabase(config, createServices(config));
    console.log(
      `Seeded ${database.embedded ? 'the embedded database' : database.uri.replace(/\/\/[^@]*@/, '//***@')}:`,
    );
    console.log(`  API keys from the environment: ${report.ensuredKeys.join(', ') || 'none'}`);
    for (const { name, token } of report.newKeyTokens) {
      console.log(`  NEW ${name} API key token (shown once, store it now): ${token}`);
    }
    console.log(`  admin user ${report.adminCreated ? 'created' : 'unchanged'}`);
    console.log(`  sample movies inserted: ${report.moviesInserted}`);
    console.log(`  demo user ${report.demoUserCreated ? 'created' : 'unchanged'}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
