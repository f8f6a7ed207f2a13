import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import type { GraphQLNullableType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';
import type { Context } from 'graphql-api/context';
import type { Movie, MovieConnection, MovieFilter, MovieService } from 'graphql-api/movies/index';

function nonNull<T extends GraphQLNullableType>(type: T): GraphQLNonNull<T> {
  return new GraphQLNonNull(type);
}
function listOf<T extends GraphQLNullableType>(
  type: T,
): GraphQLNonNull<GraphQLList<GraphQLNonNull<T>>> {
  return new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));
}

/**
 * P3's baseline: the catalog part of the API's schema written by hand with graphql-js (same type
 * and field names, same arguments and defaults), calling the same MovieService. It keeps the
 * checks the type-graphql resolver makes (credentials, the read:movies scope, 1 ≤ first ≤ 100),
 * so the only difference left is type-graphql's machinery.
 */
export function buildPlainSchema(movies: MovieService): GraphQLSchema {
  const MovieType = new GraphQLObjectType<Movie, Context>({
    name: 'Movie',
    fields: {
      id: { type: nonNull(GraphQLID), resolve: (movie) => movie._id.toHexString() },
      title: { type: nonNull(GraphQLString) },
      year: { type: nonNull(GraphQLInt) },
      cover: { type: nonNull(GraphQLString) },
      description: { type: nonNull(GraphQLString) },
      duration: { type: nonNull(GraphQLInt) },
      contentRating: { type: nonNull(GraphQLString) },
      source: { type: nonNull(GraphQLString) },
      tags: { type: listOf(GraphQLString) },
      createdAt: { type: nonNull(GraphQLDateTimeISO) },
      updatedAt: { type: nonNull(GraphQLDateTimeISO) },
    },
  });
  const MovieEdgeType = new GraphQLObjectType({
    name: 'MovieEdge',
    fields: { cursor: { type: nonNull(GraphQLString) }, node: { type: nonNull(MovieType) } },
  });
  const PageInfoType = new GraphQLObjectType({
    name: 'PageInfo',
    fields: {
      endCursor: { type: GraphQLString },
      hasNextPage: { type: nonNull(GraphQLBoolean) },
    },
  });
  const MovieConnectionType = new GraphQLObjectType<MovieConnection, Context>({
    name: 'MovieConnection',
    fields: {
      edges: { type: listOf(MovieEdgeType) },
      pageInfo: { type: nonNull(PageInfoType) },
      totalCount: { type: nonNull(GraphQLInt), resolve: (connection) => connection.totalCount() },
    },
  });
  const MovieFilterType = new GraphQLInputObjectType({
    name: 'MovieFilter',
    fields: {
      tags: { type: new GraphQLList(nonNull(GraphQLString)) },
      search: { type: GraphQLString },
      year: { type: GraphQLInt },
    },
  });
  const Query = new GraphQLObjectType<unknown, Context>({
    name: 'Query',
    fields: {
      movies: {
        type: nonNull(MovieConnectionType),
        args: {
          filter: { type: MovieFilterType },
          first: { type: nonNull(GraphQLInt), defaultValue: 20 },
          after: { type: GraphQLString },
        },
        resolve: (
          _root,
          args: { filter?: MovieFilter | null; first: number; after?: string | null },
          context,
        ) => {
          if (!context.apiKey && !context.user) {
            throw new GraphQLError('Send an API key', { extensions: { code: 'UNAUTHENTICATED' } });
          }
          if (!context.scopes.has('read:movies')) {
            throw new GraphQLError('Missing scope read:movies', {
              extensions: { code: 'FORBIDDEN' },
            });
          }
          if (!Number.isInteger(args.first) || args.first < 1 || args.first > 100) {
            throw new GraphQLError('first must be between 1 and 100', {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          }
          return movies.list(args.filter ?? null, { first: args.first, after: args.after ?? null });
        },
      },
    },
  });
  return new GraphQLSchema({ query: Query });
}
