import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, Kind, visit, visitInParallel } from 'graphql';
import type {
  DocumentNode,
  GraphQLSchema,
  OperationDefinitionNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { measureOperation } from './cost-limit';
import { QUERY_LIMITS } from './limits';

/** What the request says about the document being validated (known when validating in Apollo). */
export interface DocumentRequest {
  variables: Readonly<Record<string, unknown>>;
  operationName: string | null;
}

/** Options of {@link documentLimitsRule}. */
export interface DocumentLimitsRuleOptions {
  /** Introspection is served (outside production): `__schema` then has no depth limit. */
  introspection: boolean;
  /** The request of a document, for the cost of the operation it runs with its variables. */
  requestOf?: (document: DocumentNode) => DocumentRequest | undefined;
}

/**
 * The operation that will run: the named one, or the only one. Undefined when the name
 * matches nothing (Apollo answers that itself).
 */
export function selectedOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The refusal of an operation whose estimated cost is over {@link QUERY_LIMITS}.maxCost. */
export function costMessage(cost: number): string {
  return (
    `Query cost ${cost.toLocaleString('en-US')} exceeds the limit of ` +
    `${QUERY_LIMITS.maxCost.toLocaleString('en-US')} (lists count by their "first" argument)`
  );
}

/**
 * The estimated cost of `operation` with these variables, or a refusal message when it is
 * over the limit. Also used on every request whose document Apollo had validated before.
 */
export function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): string | null {
  const measure = measureOperation(schema, document, operation, {
    variables,
    maxFields: QUERY_LIMITS.maxFields,
  });
  return measure.cost > QUERY_LIMITS.maxCost ? costMessage(measure.cost) : null;
}

/** Every limit `operation` breaks, as messages (shape limits; cost only when `cost` is true). */
function operationRefusals(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  request: DocumentRequest | undefined,
  cost: boolean,
): string[] {
  const measure = measureOperation(schema, document, operation, {
    variables: request?.variables,
    maxFields: QUERY_LIMITS.maxFields,
  });
  const refusals: string[] = [];
  if (measure.truncated) {
    refusals.push(
      `Operation selects more than ${QUERY_LIMITS.maxFields.toLocaleString('en-US')} fields ` +
        'once fragments are expanded (the limit)',
    );
  }
  if (measure.rootFields > QUERY_LIMITS.maxRootFields) {
    refusals.push(
      `Operation has ${measure.rootFields} root fields; the limit is ${QUERY_LIMITS.maxRootFields}`,
    );
  }
  const repeated = measure.mostRepeated;
  if (repeated && repeated.count > QUERY_LIMITS.maxFieldRepetition) {
    refusals.push(
      `Field "${repeated.responseName}" is selected ${repeated.count.toLocaleString('en-US')} ` +
        `times in one selection set (at ${repeated.path}); the limit is ` +
        `${QUERY_LIMITS.maxFieldRepetition}`,
    );
  }
  if (cost && !measure.truncated && measure.cost > QUERY_LIMITS.maxCost) {
    refusals.push(costMessage(measure.cost));
  }
  return refusals;
}

/**
 * graphql-armor's depth, alias and directive limits, as messages. By default armor throws
 * (which Apollo answers with 500) and says "Syntax Error"; collected here, they are reported as
 * validation errors (400 GRAPHQL_VALIDATION_FAILED) with the rest.
 */
function armorRefusals(context: ValidationContext, introspection: boolean): string[] {
  const refusals: string[] = [];
  const options = {
    propagateOnRejection: false,
    onReject: [
      (_context: ValidationContext | null, error: GraphQLError) => {
        refusals.push(error.message.replace(/^Syntax Error: /, ''));
      },
    ],
  };
  const visitors = [
    maxDepthRule({ ...options, n: QUERY_LIMITS.maxDepth, ignoreIntrospection: introspection }),
    maxAliasesRule({ ...options, n: QUERY_LIMITS.maxAliases }),
    maxDirectivesRule({ ...options, n: QUERY_LIMITS.maxDirectives }),
  ].map((rule) => rule(context));
  visit(context.getDocument(), visitInParallel(visitors));
  return refusals;
}

/**
 * Apollo validation rule with every cheap limit of the document (see {@link QUERY_LIMITS}):
 * depth, aliases, directives, root fields, repetitions of a field in one selection set, fields
 * after expanding fragments, and the cost of the operation that runs (with the request's
 * variables when `requestOf` knows them, else their defaults).
 *
 * graphql-js runs every validation rule in one visit of the document, so a limit checked as an
 * ordinary rule would run alongside OverlappingFieldsCanBeMerged, whose work grows with the
 * square of a field's repetitions. This rule does its own checks (linear, bounded by the field
 * limit) when graphql-js creates it, before the visit; a refused document then ends the visit
 * at its root (the visitor returns null for the Document node, which replaces the root and
 * stops visitInParallel for every rule), so no other rule sees a single selection set.
 */
export function documentLimitsRule(options: DocumentLimitsRuleOptions): ValidationRule {
  return (context) => {
    const document = context.getDocument();
    const schema = context.getSchema();
    const request = options.requestOf?.(document);
    const runs = selectedOperation(document, request?.operationName);
    const refusals = armorRefusals(context, options.introspection);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      // Shape limits hold for every operation (validation checks them all); the cost only
      // for the one that runs, with this request's variables.
      const runsNow = definition === runs;
      refusals.push(
        ...operationRefusals(schema, document, definition, runsNow ? request : undefined, runsNow),
      );
    }
    if (refusals.length === 0) return {};
    for (const message of new Set(refusals)) context.reportError(new GraphQLError(message));
    return { Document: () => null };
  };
}
