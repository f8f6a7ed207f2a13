import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLScalarType, parse } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { executorGateway, jitExecutor } from './jit-executor';

const attempts: number[] = [];
const schema = makeExecutableSchema({
  typeDefs: `type Query { item(id: Int!): Item, boom: Item, items(first: Int = 2): [Item!]! }
    type Mutation { attempt(n: Int!): Int! }
    type Item { id: Int!, name: String!, strict: String! }`,
  resolvers: {
    Query: {
      item: (_: unknown, { id }: { id: number }) => ({ id }),
      boom: () => {
        throw Object.assign(new Error('no such item'), { extensions: { code: 'NOT_FOUND' } });
      },
      items: (_: unknown, { first }: { first: number }) =>
        Array.from({ length: first }, (_v, id) => ({ id })),
    },
    Mutation: {
      attempt: (_: unknown, { n }: { n: number }) => {
        attempts.push(n);
        throw new Error(`attempt ${n} failed`);
      },
    },
    Item: { name: ({ id }: { id: number }) => `item ${id}`, strict: () => null },
  },
});

async function serverWith(
  threshold: number,
  plugins: ApolloServerPlugin[] = [],
  maxCompiled?: number,
) {
  const jit = jitExecutor(schema, { threshold, maxCompiled });
  // Apollo's own cache-control plugin follows every field (willResolveField), which keeps
  // requests on graphql-js; the API replaces it (shared/cache-control.plugin.ts).
  const server = new ApolloServer({
    gateway: executorGateway(schema, jit.executor),
    plugins: [ApolloServerPluginCacheControlDisabled(), ...plugins],
  });
  await server.start();
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('single result expected');
    return response.body.singleResult;
  };
  return { server, jit, run };
}

describe('jitExecutor', () => {
  it('compiles at the threshold-th execution, not before', async () => {
    const { server, jit, run } = await serverWith(3);
    try {
      for (let i = 0; i < 2; i += 1) await run('{ items { id } }');
      expect(jit.stats).toEqual({ compiled: 0, interpreted: 2, variableFallbacks: 0 });
      await run('{ items { id } }');
      await run('{ items { id } }');
      expect(jit.stats.compiled).toBe(2);
      // Another document counts on its own.
      await run('{ items { name } }');
      expect(jit.stats.interpreted).toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('answers resolver errors, null bubbling and variable errors like graphql-js', async () => {
    const js = await serverWith(0);
    const compiled = await serverWith(1);
    try {
      const documents: [string, Record<string, unknown>?][] = [
        ['{ boom { id } items(first: 1) { id name } }'],
        ['{ items(first: 2) { id strict } }'],
        ['query($id: Int!) { item(id: $id) { id name } }', { id: 'x' }],
        ['query($id: Int!) { item(id: $id) { id name } }', {}],
        ['query($id: Int!) { item(id: $id) { id name } }', { id: 4 }],
      ];
      for (const [query, variables] of documents) {
        expect(await compiled.run(query, variables)).toEqual(await js.run(query, variables));
      }
      // The two refused variables were judged by graphql-js and never reached compiled code.
      expect(compiled.jit.stats.compiled).toBe(3);
      expect(compiled.jit.stats.variableFallbacks).toBe(2);
    } finally {
      await js.server.stop();
      await compiled.server.stop();
    }
  });

  it("keeps a plugin's willResolveField working, even for an operation compiled before", async () => {
    const resolved: string[] = [];
    let follow = false;
    const fieldHook: ApolloServerPlugin = {
      async requestDidStart() {
        return {
          async executionDidStart() {
            if (!follow) return;
            return {
              willResolveField({ info }) {
                resolved.push(`${info.parentType.name}.${info.fieldName}`);
              },
            };
          },
        };
      },
    };
    const { server, jit, run } = await serverWith(1, [fieldHook]);
    try {
      await run('{ item(id: 1) { name } }');
      expect(jit.stats.compiled).toBe(1);
      follow = true;
      const result = await run('{ item(id: 1) { name } }');
      expect(result.data).toEqual({ item: { name: 'item 1' } });
      expect(resolved).toEqual(['Query.item', 'Item.name']);
      expect(jit.stats.interpreted).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('runs mutations on graphql-js: after a failed non-null field, the next ones never run', async () => {
    const { server, jit, run } = await serverWith(1);
    try {
      for (let i = 0; i < 2; i += 1) {
        attempts.length = 0;
        const result = await run('mutation { a: attempt(n: 1) b: attempt(n: 2) c: attempt(n: 3) }');
        expect(result.data).toBeNull();
        expect(attempts).toEqual([1]);
      }
      expect(jit.stats.compiled).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('keeps at most maxCompiled operations compiled; an evicted one counts again', async () => {
    const { server, jit, run } = await serverWith(2, [], 2);
    try {
      const documents = ['{ items { id } }', '{ items { name } }', '{ items { id name } }'];
      for (const query of documents) for (let i = 0; i < 2; i += 1) await run(query);
      expect(jit.stats.compiled).toBe(3);
      // The first was evicted by the third: it runs on graphql-js until seen twice again.
      const interpreted = jit.stats.interpreted;
      await run(documents[0] as string);
      expect(jit.stats.interpreted).toBe(interpreted + 1);
      await run(documents[0] as string);
      expect(jit.stats.compiled).toBe(4);
      // The third is still compiled.
      await run(documents[2] as string);
      expect(jit.stats.compiled).toBe(5);
    } finally {
      await server.stop();
    }
  });

  it('judges variables with graphql-js first: a list for an input object is refused', async () => {
    const typed = makeExecutableSchema({
      typeDefs: `input F { tag: String } type Query { count(f: F): Int }`,
      resolvers: { Query: { count: () => 3 } },
    });
    const results = [];
    for (const threshold of [0, 1]) {
      const jit = jitExecutor(typed, { threshold });
      const server = new ApolloServer({
        gateway: executorGateway(typed, jit.executor),
        plugins: [ApolloServerPluginCacheControlDisabled()],
      });
      await server.start();
      try {
        const response = await server.executeOperation({
          query: 'query($f: F) { count(f: $f) }',
          variables: { f: [] },
        });
        results.push(response);
      } finally {
        await server.stop();
      }
    }
    expect(JSON.stringify(results[1]?.body)).toBe(JSON.stringify(results[0]?.body));
    expect(JSON.stringify(results[0]?.body)).toContain('to be an object');
  });

  it('never compiles operations with @oneOf or custom-scalar variables (graphql-jit reads them differently)', async () => {
    const typed = makeExecutableSchema({
      typeDefs: `directive @oneOf on INPUT_OBJECT
        input O @oneOf { x: Int, y: String }
        scalar D
        type Query { o(o: O): String, d(d: D): String }`,
      resolvers: {
        D: new GraphQLScalarType({
          name: 'D',
          parseValue: (value) => new Date(String(value)),
          parseLiteral: (ast) => new Date((ast as { value: string }).value),
          serialize: (value) => String(value),
        }),
        Query: {
          o: (_: unknown, args: unknown) => JSON.stringify(args),
          d: (_: unknown, args: { d: unknown }) => String(args.d instanceof Date),
        },
      },
    });
    const jit = jitExecutor(typed, { threshold: 1 });
    const server = new ApolloServer({
      gateway: executorGateway(typed, jit.executor),
      plugins: [ApolloServerPluginCacheControlDisabled()],
    });
    await server.start();
    try {
      for (let i = 0; i < 2; i += 1) {
        const scalar = await server.executeOperation({
          query: 'query($d: D = "2020-01-01T00:00:00Z") { d(d: $d) }',
        });
        expect(scalar.body.kind === 'single' && scalar.body.singleResult.data).toEqual({
          d: 'true',
        });
        await server.executeOperation({
          query: 'query($v: O) { o(o: $v) }',
          variables: { v: { x: 1 } },
        });
      }
      expect(jit.stats.compiled).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('leaves documents graphql-jit cannot compile to graphql-js', async () => {
    const failures: unknown[] = [];
    const jit = jitExecutor(schema, {
      threshold: 1,
      onCompileFailure: (_n, e) => failures.push(e),
    });
    // Apollo refuses such a document before execution: ask the executor directly.
    const document = parse('query A { items { id } } query B { items { name } }');
    const result = await jit.executor({
      document,
      operation: document.definitions[0],
      operationName: null,
      request: { variables: {} },
      context: {},
    } as never);
    expect(result.errors?.[0]?.message).toBe(
      'Must provide operation name if query contains multiple operations.',
    );
    expect(failures).toHaveLength(1);
    expect(jit.stats.interpreted).toBe(1);
  });

  it("runs everything on graphql-js under Apollo's own cache-control plugin", async () => {
    const jit = jitExecutor(schema, { threshold: 1 });
    const server = new ApolloServer({ gateway: executorGateway(schema, jit.executor) });
    await server.start();
    try {
      for (let i = 0; i < 2; i += 1) await server.executeOperation({ query: '{ items { id } }' });
      expect(jit.stats).toEqual({ compiled: 0, interpreted: 2, variableFallbacks: 0 });
    } finally {
      await server.stop();
    }
  });
});
