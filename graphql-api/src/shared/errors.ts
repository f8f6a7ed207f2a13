import { GraphQLError } from 'graphql';

/** Every `extensions.code` the API returns on purpose (plus Apollo's own parse/validation codes). */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  RateLimited: 'RATE_LIMITED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
  /** A `persisted-only` API key sent a full document instead of a persisted document id. */
  PersistedQueryRequired: 'PERSISTED_QUERY_REQUIRED',
  /** A sensitive change needs a sign-in event of the last 5 minutes (`reauthenticate`). */
  ReauthenticationRequired: 'REAUTHENTICATION_REQUIRED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One failing input: the argument, the dotted path inside it ('' for a scalar argument), why. */
export interface FieldError {
  argument: string;
  field: string;
  constraints: Record<string, string>;
}

/** The same message for a wrong e-mail and a wrong password, so accounts cannot be probed. */
export const INVALID_CREDENTIALS = 'Invalid e-mail or password';

export function badUserInput(fields: FieldError[], message = 'Invalid input'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, fields } });
}

/**
 * BAD_USER_INPUT for one argument (or one field of an input argument): the message is both the
 * error's and the constraint's, so a form can show it next to the field.
 */
export function argumentError(
  argument: string,
  constraint: string,
  message: string,
  field = '',
): GraphQLError {
  return badUserInput([{ argument, field, constraints: { [constraint]: message } }], message);
}

/** `http.status` 401 makes Apollo answer with that status when raised while building the context. */
export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } },
  });
}

export function forbidden(missingScopes: string[]): GraphQLError {
  return new GraphQLError(
    `Missing scope${missingScopes.length > 1 ? 's' : ''}: ${missingScopes.join(', ')}`,
    {
      extensions: { code: ErrorCode.Forbidden, missingScopes },
    },
  );
}

/**
 * FORBIDDEN for what only its owner may read (no scope would help, so no `missingScopes`):
 * e.g. a user's list size for anyone but that user.
 */
export function ownerOnly(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Forbidden } });
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: ErrorCode.NotFound } });
}

export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Conflict } });
}

export function rateLimited(retryAfterSeconds: number): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new GraphQLError(`Too many attempts; retry in ${retryAfter} seconds`, {
    extensions: { code: ErrorCode.RateLimited, retryAfter },
  });
}

/** Something the API depends on (a provider's keys, the database) cannot be reached: HTTP 503. */
export function serviceUnavailable(message: string, retryAfterSeconds = 30): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.ServiceUnavailable,
      retryAfter: retryAfterSeconds,
      http: { status: 503, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * A `persisted-only` key's request carried a GraphQL document: HTTP 403, refused before
 * anything is parsed. Such a key may send only ids of the persisted-documents manifest.
 */
export function persistedQueryRequired(): GraphQLError {
  return new GraphQLError(
    'This API key may send only persisted document ids (extensions.persistedQuery.sha256Hash or documentId), not a GraphQL document',
    { extensions: { code: ErrorCode.PersistedQueryRequired, http: { status: 403 } } },
  );
}

/**
 * The signed-in session's last sign-in event is too old for a sensitive change: the client asks
 * the person to `reauthenticate` with one of `methods`, then repeats the change. Not a 401: the
 * session is fine, only this change needs fresh proof.
 */
export function reauthenticationRequired(methods: readonly string[]): GraphQLError {
  return new GraphQLError(
    'Confirm it is you: sign in again (password, passkey or a two-factor code) to make this change',
    { extensions: { code: ErrorCode.ReauthenticationRequired, methods: [...methods] } },
  );
}

/** A broken invariant: logged and masked as INTERNAL_SERVER_ERROR by the error formatter. */
export function unexpected(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.InternalServerError } });
}

/** Codes that reach the client unchanged; anything else is masked. */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.BadUserInput,
  ErrorCode.Unauthenticated,
  ErrorCode.Forbidden,
  ErrorCode.NotFound,
  ErrorCode.Conflict,
  ErrorCode.RateLimited,
  ErrorCode.ServiceUnavailable,
  ErrorCode.PersistedQueryRequired,
  ErrorCode.ReauthenticationRequired,
  // Apollo's own request errors: the client sent something unusable.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** True for a MongoDB duplicate-key error (E11000), optionally on a given key. */
export function isDuplicateKeyError(error: unknown, key?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, keyPattern, keyValue } = error as {
    code?: unknown;
    keyPattern?: Record<string, unknown>;
    keyValue?: Record<string, unknown>;
  };
  if (code !== 11000) return false;
  if (key === undefined) return true;
  const keys = Object.keys(keyPattern ?? keyValue ?? {});
  return keys.length === 0 || keys.includes(key);
}
