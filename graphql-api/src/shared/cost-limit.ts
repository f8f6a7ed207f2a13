import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
} from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from './connection';

/**
 * How one field counts towards an operation's cost, after the GraphQL cost specification's
 * directives: `weight` is `@cost(weight:)`, `slicingArgument` + `sizedFields` are
 * `@listSize(slicingArguments:, sizedFields:)`, `assumedSize` is `@listSize(assumedSize:)`.
 * Kept here rather than as directives in the schema so the published SDL does not change.
 */
export interface FieldCost {
  /** Cost of resolving the field once, on top of the objects it returns (a database command: 10). */
  weight?: number;
  /** The argument that sets the page size (`first`) of the lists named in `sizedFields`. */
  slicingArgument?: string;
  /** The list fields of the returned object whose length is the slicing argument (`edges`). */
  sizedFields?: readonly string[];
  /** For a list without a size argument: the length assumed. */
  assumedSize?: number;
  /**
   * An argument that makes the database read past that many rows before the page (`offset`,
   * capped by its input): when it may be above 0, the field costs its `weight` once more, as a
   * count of the matches would (a literal above 0, a variable whose value or default is, or a
   * variable whose value is not known yet).
   */
  skipArgument?: string;
}

/** A field that sends a database command of its own (DataLoader-batched ones included). */
const DATABASE_COMMAND = 10;

/** Weights and list sizes by `Type.field`; fields not listed cost 0 plus the objects they return. */
export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  'Query.me': { weight: DATABASE_COMMAND },
  'User.myListCount': { weight: DATABASE_COMMAND },
  'Query.movie': { weight: DATABASE_COMMAND },
  'Query.movieTags': { weight: DATABASE_COMMAND },
  'Query.movies': {
    weight: DATABASE_COMMAND,
    slicingArgument: 'first',
    sizedFields: ['edges'],
    skipArgument: 'offset',
  },
  'Query.userMovies': {
    weight: DATABASE_COMMAND,
    slicingArgument: 'first',
    sizedFields: ['edges'],
  },
  // Unbounded: one entry per signed-in device within 30 days.
  'Query.sessions': { weight: DATABASE_COMMAND, assumedSize: 50 },
  'MovieConnection.totalCount': { weight: DATABASE_COMMAND },
  'UserMovieConnection.totalCount': { weight: DATABASE_COMMAND },
};

/** Every mutation writes to the database at least once. */
const MUTATION_FIELD_WEIGHT = DATABASE_COMMAND;

/** Length assumed for a list of objects that {@link FIELD_COSTS} does not size. */
export const DEFAULT_LIST_SIZE = 10;

/** What {@link measureOperation} found in one operation, fragments expanded as execution does. */
export interface OperationMeasure {
  /**
   * Estimated cost: per field its weight, plus, per returned object (a list's length times),
   * 1 for the object and the cost of its own selection. Introspection fields cost nothing.
   */
  cost: number;
  /** Field selections counted (stops just past `maxFields`). */
  fields: number;
  /** Distinct response names at the root. */
  rootFields: number;
  /** The response name selected most often within one merged selection set. */
  mostRepeated: { responseName: string; count: number; path: string } | null;
  /** The walk stopped at `maxFields`: `cost` and the rest are then lower bounds. */
  truncated: boolean;
}

/** Options of {@link measureOperation}. */
export interface MeasureOptions {
  /** The request's variables (values of `first`); defaults and the maximum page size otherwise. */
  variables?: Readonly<Record<string, unknown>>;
  /** Stop after this many field selections (the walk expands fragments, so bound its work). */
  maxFields: number;
}

/** One selection set merged into a position, with its parent type and the fragments it came through. */
interface MergedSet {
  selectionSet: SelectionSetNode;
  type: GraphQLNamedType | undefined;
  fragments: ReadonlySet<string>;
}

/** The fields with one response name in a merged position. */
interface Group {
  responseName: string;
  entries: {
    node: FieldNode;
    parentType: GraphQLNamedType | undefined;
    fragments: ReadonlySet<string>;
  }[];
}

class FieldBudgetSpent extends Error {}

/**
 * Walks one operation the way execution sees it: fields of the same response name (also from
 * fragments and inline fragments) merge into one position, whose sub-selections merge in turn.
 * It counts the cost, the fields, the root fields and the largest repetition of one response
 * name in one merged selection set, which is what makes graphql-js's OverlappingFieldsCanBeMerged
 * rule quadratic. Linear in the fields visited, stopping at `maxFields`; fragment cycles (an
 * invalid document, reported by validation) are not followed.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  options: MeasureOptions,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) {
      variableDefaults.set(definition.variable.name.value, definition.defaultValue);
    }
  }
  const measure: OperationMeasure = {
    cost: 0,
    fields: 0,
    rootFields: 0,
    mostRepeated: null,
    truncated: false,
  };

  /**
   * Every field of a merged position by response name; a fragment spread more than once in the
   * position counts once, as execution collects it.
   */
  const collect = (sets: readonly MergedSet[]): Group[] => {
    const groups = new Map<string, Group>();
    const spread = new Set<string>();
    const add = (set: MergedSet): void => {
      const visit = (
        selectionSet: SelectionSetNode,
        type: GraphQLNamedType | undefined,
        via: ReadonlySet<string>,
      ): void => {
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) {
            measure.fields += 1;
            if (measure.fields > options.maxFields) throw new FieldBudgetSpent();
            const responseName = selection.alias?.value ?? selection.name.value;
            let group = groups.get(responseName);
            if (!group) {
              group = { responseName, entries: [] };
              groups.set(responseName, group);
            }
            group.entries.push({ node: selection, parentType: type, fragments: via });
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            const condition = selection.typeCondition?.name.value;
            visit(selection.selectionSet, condition ? schema.getType(condition) : type, via);
          } else {
            const name = selection.name.value;
            const fragment = fragments.get(name);
            if (!fragment || spread.has(name) || via.has(name)) continue;
            spread.add(name);
            visit(
              fragment.selectionSet,
              schema.getType(fragment.typeCondition.name.value),
              new Set([...via, name]),
            );
          }
        }
      };
      visit(set.selectionSet, set.type, set.fragments);
    };
    for (const set of sets) add(set);
    return [...groups.values()];
  };

  const sliceSize = (
    nodes: readonly FieldNode[],
    field: GraphQLField<unknown, unknown>,
    argument: string,
  ): number => {
    let size = 0;
    for (const node of nodes) {
      const value = node.arguments?.find((arg) => arg.name.value === argument)?.value;
      size = Math.max(
        size,
        intValue(value, options.variables, variableDefaults) ?? defaultOf(field, argument),
      );
    }
    return size;
  };

  const skips = (nodes: readonly FieldNode[], argument: string): boolean =>
    nodes.some((node) =>
      mayBePositive(
        node.arguments?.find((arg) => arg.name.value === argument)?.value,
        options.variables,
        variableDefaults,
      ),
    );

  /** Cost of the merged selection sets at one position; `sized` gives the lengths set by the parent. */
  const walk = (
    sets: readonly MergedSet[],
    path: string,
    sized: ReadonlyMap<string, number>,
  ): number => {
    const groups = collect(sets);
    if (path === '') measure.rootFields = groups.length;
    let cost = 0;
    for (const group of groups) {
      const count = group.entries.length;
      if (!measure.mostRepeated || count > measure.mostRepeated.count) {
        measure.mostRepeated = { responseName: group.responseName, count, path: path || '(root)' };
      }
      const first = group.entries[0];
      if (!first) continue;
      const fieldName = first.node.name.value;
      const parentType = first.parentType;
      const field = fieldOf(parentType, fieldName);
      const childPath = path ? `${path}.${group.responseName}` : group.responseName;
      const children: MergedSet[] = [];
      const childType = field ? getNamedType(field.type) : undefined;
      for (const entry of group.entries) {
        if (entry.node.selectionSet) {
          children.push({
            selectionSet: entry.node.selectionSet,
            type: childType,
            fragments: entry.fragments,
          });
        }
      }
      // Introspection (development only; refused in production) and unknown fields (refused by
      // validation) cost nothing, but their selections still count as fields and repetitions.
      if (!field || !parentType || fieldName.startsWith('__')) {
        if (children.length > 0) walk(children, childPath, new Map());
        continue;
      }
      const rule = FIELD_COSTS[`${parentType.name}.${fieldName}`];
      const childSized = new Map<string, number>();
      if (rule?.slicingArgument) {
        const size = sliceSize(
          group.entries.map((entry) => entry.node),
          field,
          rule.slicingArgument,
        );
        for (const sizedField of rule.sizedFields ?? []) childSized.set(sizedField, size);
      }
      const length = isListType(getNullableType(field.type))
        ? (sized.get(fieldName) ?? rule?.assumedSize ?? DEFAULT_LIST_SIZE)
        : 1;
      const baseWeight =
        rule?.weight ?? (parentType === schema.getMutationType() ? MUTATION_FIELD_WEIGHT : 0);
      const skipping =
        rule?.skipArgument !== undefined &&
        skips(
          group.entries.map((entry) => entry.node),
          rule.skipArgument,
        );
      const weight = skipping ? 2 * baseWeight : baseWeight;
      const perObject = isCompositeType(childType)
        ? 1 + (children.length > 0 ? walk(children, childPath, childSized) : 0)
        : 0;
      cost += weight + length * perObject;
    }
    return cost;
  };

  const rootType = rootTypeOf(schema, operation);
  try {
    measure.cost = walk(
      [{ selectionSet: operation.selectionSet, type: rootType, fragments: new Set() }],
      '',
      new Map(),
    );
  } catch (error) {
    if (!(error instanceof FieldBudgetSpent)) throw error;
    measure.truncated = true;
  }
  return measure;
}

function rootTypeOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
): GraphQLCompositeType | undefined {
  if (operation.operation === 'mutation') return schema.getMutationType() ?? undefined;
  if (operation.operation === 'subscription') return schema.getSubscriptionType() ?? undefined;
  return schema.getQueryType() ?? undefined;
}

function fieldOf(
  type: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
  return type.getFields()[name];
}

/** An integer argument from a literal, the request's variables or the variable's default. */
function intValue(
  value: ValueNode | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
  defaults: ReadonlyMap<string, ValueNode>,
): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Math.max(0, Number.parseInt(value.value, 10));
  if (value.kind !== Kind.VARIABLE) return undefined;
  const name = value.name.value;
  const given = variables?.[name];
  if (typeof given === 'number' && Number.isFinite(given)) return Math.max(0, Math.trunc(given));
  const fallback = defaults.get(name);
  return fallback?.kind === Kind.INT ? Math.max(0, Number.parseInt(fallback.value, 10)) : undefined;
}

/**
 * Whether an integer argument may be above 0: a literal above 0; a variable whose value (or,
 * when the request has none for it, whose default) is; a variable not known yet (no variables:
 * the document is measured before its request).
 */
function mayBePositive(
  value: ValueNode | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
  defaults: ReadonlyMap<string, ValueNode>,
): boolean {
  if (!value) return false;
  if (value.kind === Kind.INT) return Number.parseInt(value.value, 10) > 0;
  if (value.kind !== Kind.VARIABLE) return false;
  const name = value.name.value;
  if (!variables) return true;
  const given = variables[name];
  if (given !== undefined) return given !== null && (typeof given !== 'number' || given > 0);
  const fallback = defaults.get(name);
  return fallback?.kind === Kind.INT && Number.parseInt(fallback.value, 10) > 0;
}

/** The argument's schema default, else the largest page a connection serves. */
function defaultOf(field: GraphQLField<unknown, unknown>, argument: string): number {
  const value = field.args.find((arg) => arg.name === argument)?.defaultValue;
  return typeof value === 'number' ? value : MAX_PAGE_SIZE;
}
