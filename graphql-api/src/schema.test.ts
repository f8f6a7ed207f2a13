import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { renderSchemaFile } from './emit-schema';
import { findRepoRoot } from './config';
import { execute, startApi } from '../test/execute-operation';
import { buildApiSchema, SCHEMA_FILE } from './schema';
import type { TestApi } from './testing';

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
    // Nothing the contract lacks.
    const additions = findBreakingChanges(emitted, contract).map((change) => change.description);
    expect(additions).toEqual([]);
  });
});

describe('directives', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.stop());

  it('has the specification’s directives next to @cacheControl', async () => {
    const schema = await buildApiSchema();
    expect(schema.getDirectives().map((directive) => directive.name)).toEqual(
      expect.arrayContaining([
        'include',
        'skip',
        'deprecated',
        'specifiedBy',
        'oneOf',
        'cacheControl',
      ]),
    );
    const introspected = await execute<{ __schema: { directives: { name: string }[] } }>(
      api,
      '{ __schema { directives { name } } }',
      {},
      { apiKey: api.publicApiKey },
    );
    expect(introspected.data?.__schema.directives.map((directive) => directive.name)).toEqual(
      expect.arrayContaining(['include', 'skip', 'deprecated', 'specifiedBy', 'cacheControl']),
    );
  });

  it('runs @include and @skip', async () => {
    const result = await execute<Record<string, unknown>>(
      api,
      `query ($yes: Boolean!) {
        a: __typename @include(if: true)
        b: __typename @include(if: false)
        c: __typename @skip(if: $yes)
        d: __typename @skip(if: false)
      }`,
      { yes: true },
      { apiKey: api.publicApiKey },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: 'Query', d: 'Query' });
  });
});
