import type { MaxDepthOptions } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError } from 'graphql';

/** Query shape limits enforced before execution. */
export const QUERY_LIMITS = {
  /** Deepest selection allowed (introspection exempt in development, where Sandbox needs it). */
  maxDepth: 10,
  /** Most aliases per operation: aliases could otherwise multiply expensive fields. */
  maxAliases: 15,
} as const;

/**
 * graphql-armor throws by default, which Apollo answers with 500; reporting the error as a
 * validation error gives the client a 400 GRAPHQL_VALIDATION_FAILED instead.
 */
type RejectCallback = NonNullable<MaxDepthOptions['onReject']>[number];

export const reportRejection: RejectCallback = (context, error) => {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
};

/** Options shared by the graphql-armor rules. */
export const ARMOR_OPTIONS = { propagateOnRejection: false, onReject: [reportRejection] };
