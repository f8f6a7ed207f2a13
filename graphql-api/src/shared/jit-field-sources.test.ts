import 'reflect-metadata';
import { isObjectType } from 'graphql';
import { buildApiSchema } from '../schema';

/**
 * The fields graphql-jit resolves by reading a property (they have no resolver: type-graphql's
 * `simpleResolvers`). graphql-js's default resolver would also call a function-valued property
 * and await a promise; graphql-jit does neither (shared/jit-executor.ts). Every source object
 * of these fields is plain data: a lean MongoDB document (Movie), or an object the services build
 * (the connections, edges and page info). A field added here must be plain data too; if its
 * source can hold a method or a promise, give the field a resolver instead.
 */
const PROPERTY_FIELDS = [
  'MovieConnection.edges',
  'MovieConnection.pageInfo',
  'MovieEdge.cursor',
  'MovieEdge.node',
  'Movie.title',
  'Movie.year',
  'Movie.cover',
  'Movie.description',
  'Movie.duration',
  'Movie.contentRating',
  'Movie.source',
  'Movie.tags',
  'Movie.createdAt',
  'Movie.updatedAt',
  'PageInfo.endCursor',
  'PageInfo.hasNextPage',
  'PageInfo.hasPreviousPage',
  'UserMovieConnection.edges',
  'UserMovieConnection.pageInfo',
  'UserMovieEdge.cursor',
  'UserMovieEdge.node',
];

it('lists every field resolved by property access, so a new one gets looked at', async () => {
  const schema = await buildApiSchema();
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve) found.push(`${type.name}.${field.name}`);
    }
  }
  expect(found.sort()).toEqual([...PROPERTY_FIELDS].sort());
});
