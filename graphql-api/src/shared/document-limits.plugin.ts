import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { DocumentNode, OperationDefinitionNode, ValidationRule } from 'graphql';
import { costRefusal, documentLimitsRule } from './document-limits.rule';
import type { DocumentRequest } from './document-limits.rule';

/** The validation rule and the plugin of {@link createDocumentLimits}, used together. */
export interface DocumentLimits<TContext extends BaseContext> {
  /** Goes in Apollo's `validationRules`. */
  rule: ValidationRule;
  /** Goes in Apollo's `plugins`. */
  plugin: ApolloServerPlugin<TContext>;
}

/**
 * The document limits of {@link documentLimitsRule}, with the request's variables: a
 * validation rule sees only the document, so the plugin hands it the variables and the
 * operation name just before validation starts. Apollo validates a document only the first
 * time it sees it (later requests take it from its document cache, possibly with other
 * variables), so the plugin checks the cost itself on every request that was not validated.
 */
export function createDocumentLimits<TContext extends BaseContext>(options: {
  introspection: boolean;
}): DocumentLimits<TContext> {
  const requests = new WeakMap<DocumentNode, DocumentRequest>();
  // The refusal of operations without variables: their cost is the same on every request.
  const constantRefusals = new WeakMap<OperationDefinitionNode, string | null>();
  return {
    rule: documentLimitsRule({
      introspection: options.introspection,
      requestOf: (document) => requests.get(document),
    }),
    plugin: {
      async requestDidStart() {
        let validated = false;
        return {
          async validationDidStart({ document, request }) {
            validated = true;
            requests.set(document, {
              variables: request.variables ?? {},
              operationName: request.operationName ?? null,
            });
          },
          async didResolveOperation({ document, operation, request, schema }) {
            if (validated || !operation) return;
            const constant = !operation.variableDefinitions?.length;
            let refusal = constant ? constantRefusals.get(operation) : undefined;
            if (refusal === undefined) {
              refusal = costRefusal(schema, document, operation, request.variables);
              if (constant) constantRefusals.set(operation, refusal);
            }
            if (refusal === null) return;
            throw new GraphQLError(refusal, {
              extensions: {
                code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
                http: { status: 400 },
              },
            });
          },
        };
      },
    },
  };
}
