import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLResolveInfo } from 'graphql';
import { setCacheHint } from './cache';
import { cacheControlPlugin } from './cache-control.plugin';

// A schema with every kind of hint: dynamic ones from resolvers (root and nested), static ones
// on fields and types, types that inherit, types without a hint (maxAge 0 when resolved),
// interfaces and unions, so both plugins' headers can be compared on the same documents.
const typeDefs = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean)
    on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Query {
    catalog(first: Int = 2, private: Boolean = false): Page
    item(id: Int!): Item
    plain: String
    fixed: String @cacheControl(maxAge: 10)
    shortLived: Item @cacheControl(maxAge: 5, scope: PRIVATE)
    anything: [Thing!]!
    node: Node
    boom: Page
  }
  type Mutation { touch: Page }
  type Page @cacheControl(inheritMaxAge: true) { items: [Item!]! count: Int }
  type Item @cacheControl(inheritMaxAge: true) {
    id: Int!
    title: String
    related: Other
    pinned: Other @cacheControl(inheritMaxAge: true)
    slow: String @cacheControl(maxAge: 30)
    mine: Int
    owner: Owner
  }
  type Other { id: Int }
  type Owner @cacheControl(maxAge: 20) { id: Int }
  interface Node { id: Int }
  type A implements Node @cacheControl(inheritMaxAge: true) { id: Int a: Other }
  type B implements Node @cacheControl(maxAge: 40) { id: Int }
  union Thing = A | B
`;

const catalogHint = (info: GraphQLResolveInfo, context: object, isPrivate: boolean) =>
  setCacheHint(info, context, { maxAge: 60, scope: isPrivate ? 'PRIVATE' : 'PUBLIC' });

const items = (count: number) => Array.from({ length: count }, (_, i) => ({ id: i }));

const resolvers = {
  Query: {
    catalog: (
      _: unknown,
      args: { first: number; private: boolean },
      context: object,
      info: GraphQLResolveInfo,
    ) => {
      catalogHint(info, context, args.private);
      return { items: items(args.first), count: args.first };
    },
    item: (_: unknown, args: { id: number }, context: object, info: GraphQLResolveInfo) => {
      catalogHint(info, context, false);
      return args.id < 0 ? null : { id: args.id };
    },
    plain: () => 'plain',
    fixed: () => 'fixed',
    shortLived: () => ({ id: 1 }),
    anything: () => [
      { __typename: 'A', id: 1 },
      { __typename: 'B', id: 2 },
    ],
    node: (_: unknown, __: unknown, context: object, info: GraphQLResolveInfo) => {
      catalogHint(info, context, false);
      return { __typename: 'A', id: 3 };
    },
    boom: (_: unknown, __: unknown, context: object, info: GraphQLResolveInfo) => {
      catalogHint(info, context, false);
      throw new Error('boom');
    },
  },
  Mutation: {
    touch: (_: unknown, __: unknown, context: object, info: GraphQLResolveInfo) => {
      catalogHint(info, context, false);
      return { items: [], count: 0 };
    },
  },
  Item: {
    related: () => ({ id: 9 }),
    pinned: () => ({ id: 8 }),
    owner: () => ({ id: 7 }),
    mine: (_: unknown, __: unknown, context: object, info: GraphQLResolveInfo) => {
      setCacheHint(info, context, { maxAge: 0, scope: 'PRIVATE' });
      return 1;
    },
  },
  Node: { __resolveType: (value: { __typename: string }) => value.__typename },
  Thing: { __resolveType: (value: { __typename: string }) => value.__typename },
  A: { a: () => ({ id: 1 }) },
};

const documents: [string, Record<string, unknown>?, string?][] = [
  ['{ catalog { count items { id title } } }'],
  ['{ catalog(private: true) { items { id } } }'],
  ['{ a: catalog { count } b: catalog(private: true) { count } }'],
  ['{ catalog(first: 0) { items { related { id } } } }'],
  ['{ catalog(first: 1) { items { related { id } } } }'],
  ['{ catalog { items { pinned { id } } } }'],
  ['{ catalog { items { slow } } }'],
  ['{ catalog(first: 0) { items { slow } } }'],
  ['{ catalog { items { mine } } }'],
  ['{ catalog { items { owner { id } } } }'],
  ['{ item(id: -1) { related { id } owner { id } } }'],
  ['{ item(id: 1) { id ... on Item { title } } }'],
  ['{ ...Root } fragment Root on Query { catalog { count } }'],
  ['{ catalog { count } plain }'],
  ['{ catalog { count } fixed }'],
  ['{ fixed }'],
  ['{ plain }'],
  ['{ shortLived { id } }'],
  ['{ anything { ... on A { id a { id } } ... on B { id } } }'],
  ['{ node { id ... on A { a { id } } } }'],
  ['{ node { id } }'],
  ['query($on: Boolean!) { catalog { count } plain @include(if: $on) }', { on: false }],
  ['query($on: Boolean!) { catalog { count } plain @include(if: $on) }', { on: true }],
  ['{ __typename }'],
  ['{ __typename catalog { __typename count } }'],
  ['{ __schema { queryType { name } } }'],
  ['{ catalog { count } __schema { queryType { name } } }'],
  ['{ boom { count } }'],
  ['{ catalog { count } boom { count } }'],
  ['mutation { touch { count } }'],
  ['query One { catalog { count } } query Two { plain }', undefined, 'One'],
  ['query One { catalog { count } } query Two { plain }', undefined, 'Two'],
  ['query One { catalog { count } }', undefined, 'Missing'],
  ['{ catalog(first: "x") { count } }'],
  ['query($n: Int!) { catalog(first: $n) { count } }', { n: 'x' }],
];

async function headersOf(server: ApolloServer): Promise<(string | undefined)[]> {
  const headers: (string | undefined)[] = [];
  for (const [query, variables, operationName] of documents) {
    const response = await server.executeOperation(
      { query, variables, operationName },
      { contextValue: {} },
    );
    headers.push(response.http.headers.get('cache-control'));
  }
  return headers;
}

describe('cacheControlPlugin', () => {
  it("sets exactly the Cache-Control headers Apollo's own plugin sets, on every kind of document", async () => {
    const apollo = new ApolloServer({ typeDefs, resolvers });
    const own = new ApolloServer({
      typeDefs,
      resolvers,
      plugins: [ApolloServerPluginCacheControlDisabled(), cacheControlPlugin()],
    });
    await Promise.all([apollo.start(), own.start()]);
    try {
      const expected = await headersOf(apollo);
      // Twice: the second time every document's plan comes from the plugin's memo.
      expect(await headersOf(own)).toEqual(expected);
      expect(await headersOf(own)).toEqual(expected);
      // The documents cover cacheable and uncacheable answers, public and private.
      expect(new Set(expected)).toEqual(
        new Set([
          'max-age=60, public',
          'max-age=60, private',
          'max-age=30, public',
          'max-age=20, public',
          'max-age=10, public',
          'max-age=5, private',
          'no-store',
        ]),
      );
    } finally {
      await Promise.all([apollo.stop(), own.stop()]);
    }
  });
});
