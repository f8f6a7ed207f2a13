import 'reflect-metadata';
import { OverlappingFieldsCanBeMergedRule, parse, specifiedRules, validate } from 'graphql';
import type { GraphQLSchema, SelectionSetNode, ValidationRule } from 'graphql';
import { buildApiSchema } from '../schema';
import { documentLimitsRule } from './document-limits.rule';
import type { DocumentRequest } from './document-limits.rule';
import { QUERY_LIMITS } from './limits';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
});

/** The part of OverlappingFieldsCanBeMerged's visitor that does its work. */
interface SelectionSetVisitor {
  SelectionSet?: (node: SelectionSetNode) => unknown;
}

/** Selection sets OverlappingFieldsCanBeMerged (the quadratic rule) looked at. */
let overlapWork = 0;
const countedOverlapRule: ValidationRule = (context) => {
  const visitor = OverlappingFieldsCanBeMergedRule(context) as SelectionSetVisitor;
  return {
    SelectionSet(node: SelectionSetNode) {
      overlapWork += 1;
      return visitor.SelectionSet?.(node);
    },
  };
};

/** Validates as Apollo does: graphql-js's rules (the quadratic one counted), then ours. */
function check(query: string, request?: DocumentRequest): string[] {
  overlapWork = 0;
  const rules = [
    ...specifiedRules.map((rule) =>
      rule === OverlappingFieldsCanBeMergedRule ? countedOverlapRule : rule,
    ),
    documentLimitsRule({ introspection: false, requestOf: () => request }),
  ];
  return validate(schema, parse(query), rules).map((error) => error.message);
}

const repeat = (text: string, times: number): string => Array(times).fill(text).join(' ');

describe('documentLimitsRule', () => {
  it('lets an ordinary document through to every rule', () => {
    expect(check('{ movies(first: 20) { edges { node { id title } } } }')).toEqual([]);
    expect(overlapWork).toBeGreaterThan(0);
  });

  it('refuses a field repeated in one selection set before graphql-js compares any pair', () => {
    const errors = check(`{ movies { edges { node { ${repeat('title', 500)} } } } }`);
    expect(errors).toEqual([
      'Field "title" is selected 500 times in one selection set (at movies.edges.node); the limit is 5',
    ]);
    expect(overlapWork).toBe(0);
  });

  it('counts repetitions that fragments bring into one selection set', () => {
    const fragments = Array.from({ length: 6 }, (_, i) => `fragment F${i} on Movie { id }`);
    const spreads = fragments.map((_, i) => `...F${i}`).join(' ');
    expect(check(`{ movie(id: "x") { ${spreads} } } ${fragments.join(' ')}`)).toEqual([
      'Field "id" is selected 6 times in one selection set (at movie); the limit is 5',
    ]);
    expect(overlapWork).toBe(0);
  });

  it('stops the other rules too: a refused document gets only the refusal', () => {
    // Unknown fields would give 500 more errors if FieldsOnCorrectType ran.
    const errors = check(`{ me { ${repeat('nope', 500)} } }`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/"nope" is selected 500 times/);
  });

  it('refuses depth, aliases and directives over their limits (graphql-armor)', () => {
    expect(check(`{ me { ${'a { '.repeat(12)}b${' }'.repeat(12)} } }`)).toEqual([
      'Query depth limit of 10 exceeded, found 14.',
    ]);
    const aliases = Array.from({ length: 16 }, (_, i) => `t${i}: movieTags`).join(' ');
    expect(check(`{ ${aliases} }`)).toEqual([
      'Aliases limit of 15 exceeded, found 16.',
      'Operation has 16 root fields; the limit is 15',
    ]);
    expect(check(`{ me { id ${repeat('@include(if: true)', 21)} } }`)).toEqual([
      'Directives limit of 20 exceeded, found 21.',
    ]);
    expect(overlapWork).toBe(0);
  });

  it('refuses a cost over the limit, with the request’s variables', () => {
    const pages = (first: string) =>
      Array.from(
        { length: 5 },
        (_, i) => `m${i}: movies(first: ${first}) { edges { node { id } } }`,
      ).join(' ');
    expect(check(`{ ${pages('100')} }`)).toEqual([
      'Query cost 1,055 exceeds the limit of 400 (lists count by their "first" argument)',
    ]);
    expect(overlapWork).toBe(0);
    const query = `query Pages($n: Int!) { ${pages('$n')} }`;
    expect(check(query, { variables: { n: 10 }, operationName: null })).toEqual([]);
    expect(check(query, { variables: { n: 100 }, operationName: 'Pages' })).toHaveLength(1);
  });

  it('refuses more fields than the limit once fragments are expanded', () => {
    const fragments = Array.from(
      { length: 10 },
      (_, i) =>
        `fragment T${i} on __Type { name ofType { ...T${i + 1} } interfaces { ...T${i + 1} } ` +
        `possibleTypes { ...T${i + 1} } }`,
    ).join(' ');
    expect(
      check(`{ __schema { types { ...T0 } } } ${fragments} fragment T10 on __Type { name }`),
    ).toContain(
      `Operation selects more than ${QUERY_LIMITS.maxFields.toLocaleString('en-US')} fields once fragments are expanded (the limit)`,
    );
    expect(overlapWork).toBe(0);
  });
});
