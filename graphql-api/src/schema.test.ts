import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { renderSchemaFile } from './emit-schema';
import { findRepoRoot } from './config';
import { SCHEMA_FILE } from './schema';

describe('schema/schema.graphql', () => {
  it('is exactly what the code emits (run `npm run emit-schema -w graphql-api` when this fails)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderSchemaFile());
  });

  it('keeps every name, type, nullability and default of schema/contract.graphql', async () => {
    const contract = buildSchema(
      readFileSync(path.join(findRepoRoot(), 'schema', 'contract.graphql'), 'utf8'),
    );
    const emitted = buildSchema(await renderSchemaFile());
    expect(findBreakingChanges(contract, emitted)).toEqual([]);
    expect(findDangerousChanges(contract, emitted)).toEqual([]);
    // Nothing the contract lacks, except Apollo's cache-control directive.
    const additions = findBreakingChanges(emitted, contract).map((change) => change.description);
    expect(additions.sort()).toEqual([
      'CacheControlScope was removed.',
      'cacheControl was removed.',
    ]);
  });
});
