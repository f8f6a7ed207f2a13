import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Context } from '../context';
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
  return {
    message: MASKED_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.InternalServerError },
  };
}

/** Logs unexpected errors with the request id and puts that id on the masked errors. */
export const errorPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const original = unwrapResolverError(error);
          const code = error.extensions?.code;
          if (typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) continue;
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
