import 'reflect-metadata';
import { getIntrospectionQuery, Kind, parse } from 'graphql';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { renderDocuments } from '../../test/render-documents';
import { buildApiSchema } from '../schema';
import { measureOperation } from './cost-limit';
import type { OperationMeasure } from './cost-limit';
import { QUERY_LIMITS } from './limits';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
});

function measure(
  query: string,
  variables: Record<string, unknown> = {},
  maxFields = 100_000,
): OperationMeasure {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw new TypeError('no operation');
  return measureOperation(schema, document, operation, { variables, maxFields });
}

const PAGE = '{ totalCount pageInfo { endCursor } edges { cursor node { id title } } }';

describe('measureOperation', () => {
  it('counts a page by its first argument: each edge and its node are objects', () => {
    // movies 10 + its connection 1 + totalCount 10 + pageInfo 1 + 100 × (edge 1 + node 1).
    expect(measure(`{ movies(first: 100) ${PAGE} }`).cost).toBe(222);
    expect(measure(`{ movies(first: 5) ${PAGE} }`).cost).toBe(32);
  });

  it('reads first from the variables, then the variable default, then the schema default', () => {
    const query = `query ($n: Int! = 7) { movies(first: $n) ${PAGE} }`;
    expect(measure(query, { n: 100 }).cost).toBe(222);
    expect(measure(query).cost).toBe(36);
    // movies(first: Int! = 20): no argument at all is a page of 20.
    expect(measure(`{ movies ${PAGE} }`).cost).toBe(62);
    // A variable without value or default leaves the argument's default, as in execution.
    expect(measure(`query ($n: Int) { movies(first: $n) ${PAGE} }`).cost).toBe(62);
  });

  it('counts an offset above 0 as one more database command (a skip reads like a count)', () => {
    expect(measure(`{ movies(first: 100, offset: 200) ${PAGE} }`).cost).toBe(232);
    expect(measure(`{ movies(first: 100, offset: 10000) ${PAGE} }`).cost).toBe(232);
    expect(measure(`{ movies(first: 100, offset: 0) ${PAGE} }`).cost).toBe(222);
    expect(measure(`{ movies(first: 100, offset: null) ${PAGE} }`).cost).toBe(222);
    const query = `query ($o: Int) { movies(first: 100, offset: $o) ${PAGE} }`;
    expect(measure(query, { o: 40 }).cost).toBe(232);
    expect(measure(query, { o: 0 }).cost).toBe(222);
    expect(measure(query, { o: null }).cost).toBe(222);
    expect(measure(query, {}).cost).toBe(222);
    expect(measure(`query ($o: Int = 5) { movies(first: 100, offset: $o) ${PAGE} }`).cost).toBe(
      232,
    );
    // Measured before its request's variables are known: the upper bound.
    const document = parse(query);
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect(measureOperation(schema, document, operation, { maxFields: 1000 }).cost).toBe(232);
  });

  it("keeps a numbered catalog page with the viewer's list count well inside the limit", () => {
    const catalog = `query Catalog($filter: MovieFilter, $first: Int!, $offset: Int) {
      me { id name email emailVerified myListCount }
      movieTags
      movies(filter: $filter, first: $first, offset: $offset) {
        totalCount
        pageInfo { endCursor hasNextPage hasPreviousPage }
        edges { cursor node { id title year cover duration tags inMyList } }
      }
    }`;
    // me 10 + 1 + myListCount 10, movieTags 10, movies 10 + offset 10 + 1 + totalCount 10 +
    // pageInfo 1 + 100 × 2.
    expect(measure(catalog, { first: 100, offset: 9900 }).cost).toBe(263);
    expect(measure(catalog, { first: 100, offset: 9900 }).cost).toBeLessThan(QUERY_LIMITS.maxCost);
  });

  it('sizes unbounded lists with their assumed size', () => {
    // sessions 10 + 50 × 1.
    expect(measure('{ sessions { id current } }').cost).toBe(60);
  });

  it('merges fields like execution: repeating a field costs nothing more, aliases do', () => {
    const once = measure(`{ movies(first: 100) ${PAGE} }`);
    const twice = measure(`{ movies(first: 100) ${PAGE} movies(first: 100) ${PAGE} }`);
    expect(twice.cost).toBe(once.cost);
    expect(twice.mostRepeated).toMatchObject({ responseName: 'movies', count: 2 });
    const aliased = measure(`{ a: movies(first: 100) ${PAGE} b: movies(first: 100) ${PAGE} }`);
    expect(aliased.cost).toBe(2 * once.cost);
    expect(aliased.rootFields).toBe(2);
  });

  it('counts repetitions through fragments and inline fragments, in the merged selection set', () => {
    const result = measure(
      '{ movies { edges { node { title ...A ... on Movie { title } } } } movies { edges { node { title } } } } ' +
        'fragment A on Movie { title ...A }',
    );
    // Three titles in the first node selection, one in the second: merged, four (the cycle
    // through A is not followed).
    expect(result.mostRepeated).toEqual({
      responseName: 'title',
      count: 4,
      path: 'movies.edges.node',
    });
  });

  it('stops at maxFields, however fragments multiply', () => {
    // Each level spreads the next in three positions: 3^12 selections if expanded in full.
    const fragments = Array.from(
      { length: 12 },
      (_, i) =>
        `fragment T${i} on __Type { ofType { ...T${i + 1} } interfaces { ...T${i + 1} } ` +
        `possibleTypes { ...T${i + 1} } }`,
    ).join(' ');
    const result = measure(
      `{ __schema { types { ...T0 } } } ${fragments} fragment T12 on __Type { name }`,
      {},
      500,
    );
    expect(result.truncated).toBe(true);
    expect(result.fields).toBe(501);
  });

  it('gives introspection no cost (it is refused in production)', () => {
    const result = measure(
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
    );
    expect(result.cost).toBe(0);
    expect(result.fields).toBeLessThan(QUERY_LIMITS.maxFields);
  });

  it('keeps every render-server document, with first: 100, well inside the limits', () => {
    const documents = renderDocuments();
    expect(documents.length).toBeGreaterThan(10);
    const breaches = documents.flatMap(({ name, query, variables }) => {
      const result = measure(query, variables);
      const problems = [
        result.cost > QUERY_LIMITS.maxCost && `cost ${result.cost}`,
        result.rootFields > QUERY_LIMITS.maxRootFields && `${result.rootFields} root fields`,
        (result.mostRepeated?.count ?? 0) > QUERY_LIMITS.maxFieldRepetition && 'repetition',
        result.truncated && 'fields',
      ].filter(Boolean);
      return problems.length > 0 ? [`${name}: ${problems.join(', ')}`] : [];
    });
    expect(breaches).toEqual([]);
    const myList = documents.find((document) => document.name === 'MyList');
    expect(myList && measure(myList.query, myList.variables).cost).toBe(343);
    // The catalog's numbered pages: the skip counts as one more command.
    const catalog = documents.find((document) => document.name === 'Catalog');
    expect(catalog && measure(catalog.query, catalog.variables).cost).toBe(263);
  });
});
