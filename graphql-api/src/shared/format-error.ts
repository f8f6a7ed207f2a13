import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import type { Context } from '../context';
import type { Logger } from '../logger';
import { ErrorCode, PUBLIC_ERROR_CODES, serviceUnavailable } from './errors';

const MASKED_MESSAGE = 'Internal server error';
const DATABASE_UNAVAILABLE = 'The database cannot be reached right now; try again shortly';
/** Seconds a client is told to wait when the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Request-level errors of the client's making (graphql-js and Apollo codes): answered with a
 * 4xx and logged at info, without a stack, because nothing is wrong with the server.
 */
const CLIENT_REQUEST_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Driver and mongoose errors that mean "no database right now", not a bug. */
const UNREACHABLE_DATABASE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClosedError',
]);

/** True when `error` (or what caused it) says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { name, message } = current as { name?: unknown; message?: unknown };
    if (typeof name === 'string' && UNREACHABLE_DATABASE_ERRORS.has(name)) return true;
    // mongoose queues commands while disconnected and gives up after bufferTimeoutMS.
    if (typeof message === 'string' && /buffering timed out after/.test(message)) return true;
    const next = current as { originalError?: unknown; cause?: unknown; reason?: unknown };
    current = next.originalError ?? next.cause ?? next.reason;
  }
  return false;
}

/** The error clients get for an unreachable database: HTTP 503 with Retry-After. */
export function databaseUnavailableError(): GraphQLError {
  return serviceUnavailable(DATABASE_UNAVAILABLE, DATABASE_RETRY_AFTER_SECONDS);
}

/**
 * The code of a request-level error of the client's making: graphql-js's and Apollo's own, or
 * BAD_REQUEST for Apollo's errors that carry only a 4xx (an APQ hash that does not match).
 */
function clientRequestCode(error: GraphQLError): string | undefined {
  const code = error.extensions.code;
  if (typeof code === 'string') return CLIENT_REQUEST_CODES.has(code) ? code : undefined;
  const status = httpStatusOf(error);
  return status !== undefined && status >= 400 && status < 500 && error.path === undefined
    ? 'BAD_REQUEST'
    : undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const http = error.extensions.http as { status?: unknown } | undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/**
 * Apollo's `formatError`: expected errors (a known `extensions.code`) pass through without
 * stack traces; anything else is masked. The request id is added by {@link errorPlugin}, which
 * also logs the original (formatError has no access to the context).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const where = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) {
    // A GraphQLError thrown on purpose, or Apollo's own parse/validation/coercion errors.
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    // graphql-js's recursive parser reports a document nested past the stack as a syntax
    // error with V8's text; the client learns what is wrong, not how the server broke.
    if (code === 'GRAPHQL_PARSE_FAILED' && /call stack/i.test(formatted.message)) {
      return {
        ...formatted,
        message: 'Syntax Error: the document is nested too deeply',
        extensions,
      };
    }
    return { ...formatted, extensions };
  }
  if (isDatabaseUnavailable(unwrapResolverError(error))) {
    return {
      message: DATABASE_UNAVAILABLE,
      ...where,
      extensions: { code: ErrorCode.ServiceUnavailable, retryAfter: DATABASE_RETRY_AFTER_SECONDS },
    };
  }
  // Apollo's own request errors that carry no code but a 4xx (an APQ hash that does not match
  // its query): the client's mistake, said in Apollo's words.
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500 && formatted.path === undefined) {
    return { message: formatted.message, ...where, extensions: { code: 'BAD_REQUEST' } };
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
  if (isDatabaseUnavailable(error)) {
    logger.warn(
      { requestId, reason: errorName(error) },
      'database unreachable while reading credentials',
    );
    return databaseUnavailableError();
  }
  logger.error({ err: error, requestId }, 'unexpected error while reading credentials');
  return new GraphQLError(MASKED_MESSAGE, {
    extensions: { code: ErrorCode.InternalServerError, requestId, http: { status: 500 } },
  });
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/**
 * Logs each error at the level it deserves (a client's request error at info without a
 * stack, an unreachable database at warn, anything unexpected at error with the request id),
 * puts the request id on masked errors, and gives client faults a 4xx and an unreachable
 * database a 503 with Retry-After.
 */
export const errorPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      // Subscriptions are not served over this endpoint: the client's mistake, said early.
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription') {
          throw new GraphQLError('Subscriptions are not supported; send a query or a mutation', {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
          });
        }
      },
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const code = clientRequestCode(error);
          if (code !== undefined) {
            contextValue.logger.info({ code, message: error.message }, 'client request refused');
            continue;
          }
          if (isPublicError(error)) continue;
          const original = unwrapResolverError(error);
          if (isDatabaseUnavailable(original)) {
            contextValue.logger.warn(
              { reason: errorName(original), path: error.path, requestId: contextValue.requestId },
              'database unreachable',
            );
            continue;
          }
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
        const codes = new Set(errors.map((error) => error.extensions?.code));
        if (codes.has(ErrorCode.ServiceUnavailable)) {
          response.http.status = 503;
          response.http.headers.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        } else if (
          (response.http.status ?? 200) === 200 &&
          response.body.singleResult.data === undefined &&
          [...codes].every((code) => typeof code === 'string' && CLIENT_REQUEST_CODES.has(code))
        ) {
          // Apollo answers an unknown persisted query with 200 (for its APQ retry dance); it
          // is still a request the server could not run.
          response.http.status = 400;
        }
        response.body.singleResult.errors = errors.map((error) =>
          error.extensions?.code === ErrorCode.InternalServerError
            ? { ...error, extensions: { ...error.extensions, requestId: contextValue.requestId } }
            : error,
        );
      },
    };
  },
};
