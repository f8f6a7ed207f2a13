import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import type { Context } from '../context';
import type { Logger } from '../logger';
import { ErrorCode, PUBLIC_ERROR_CODES } from './errors';

const MASKED_MESSAGE = 'Internal server error';

/**
 * Apollo's `formatError`: expected errors (a known `extensions.code`) pass through without
 * stack traces; anything else is masked. The request id is added by {@link errorPlugin}, which
 * also logs the original (formatError has no access to the context).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  _error: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) {
    // A GraphQLError thrown on purpose, or Apollo's own parse/validation/coercion errors.
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // Only the request id survives masking (set by maskContextError; errorPlugin adds it later
  // for errors raised during execution).
  const requestId = formatted.extensions?.requestId;
  return {
    message: MASKED_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: {
      code: ErrorCode.InternalServerError,
      ...(typeof requestId === 'string' ? { requestId } : {}),
    },
  };
}

function isPublicError(error: unknown): boolean {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code === 'string' && PUBLIC_ERROR_CODES.has(code);
}

/**
 * For failures while building the context (reading credentials): Apollo runs no request
 * plugins then, so {@link errorPlugin} would neither log the error nor add the request id.
 * Expected errors (UNAUTHENTICATED) pass; anything else is logged here and masked with the id.
 */
export function maskContextError(error: unknown, requestId: string, logger: Logger): GraphQLError {
  if (error instanceof GraphQLError && isPublicError(error)) return error;
  logger.error({ err: error, requestId }, 'unexpected error while reading credentials');
  return new GraphQLError(MASKED_MESSAGE, {
    extensions: { code: ErrorCode.InternalServerError, requestId, http: { status: 500 } },
  });
}

/** Logs unexpected errors with the request id and puts that id on the masked errors. */
export const errorPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          if (isPublicError(error)) continue;
          const original = unwrapResolverError(error);
          contextValue.logger.error(
            { err: original, path: error.path, requestId: contextValue.requestId },
            'unexpected error',
          );
        }
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors;
        if (!errors) return;
        response.body.singleResult.errors = errors.map((error) =>
          error.extensions?.code === ErrorCode.InternalServerError
            ? { ...error, extensions: { ...error.extensions, requestId: contextValue.requestId } }
            : error,
        );
      },
    };
  },
};
