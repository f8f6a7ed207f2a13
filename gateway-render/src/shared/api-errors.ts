import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import type { GraphQLFormattedError } from 'graphql';

/** Messages for one form, keyed by input field name (`email`, `password`, ...). */
export type FieldErrors = Record<string, string[]>;

/** An API failure, reduced to what decides the page the person sees. */
export type ApiFailure =
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'bad-input'; message: string; fields: FieldErrors }
  | { kind: 'rate-limited'; message: string; retryAfter: number }
  | { kind: 'conflict'; message: string }
  /** A sensitive change needs a fresh sign-in event; `methods` are what `reauthenticate` takes. */
  | { kind: 'reauthentication-required'; message: string; methods: string[] }
  | { kind: 'forbidden'; message: string }
  | { kind: 'unavailable'; message: string }
  | { kind: 'internal'; message: string };

/** Thrown by routes for an API failure; the error handler turns it into the matching page. */
export class ApiFailureError extends Error {
  override name = 'ApiFailureError';
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}

interface FieldErrorExtension {
  /** The input field (`password` of `input`), or `''` for a scalar argument. */
  field?: unknown;
  /** The argument (`input`, `token`, `newPassword`, ...). */
  argument?: unknown;
  constraints?: unknown;
}

function fieldErrors(extensions: Record<string, unknown> | undefined): FieldErrors {
  const fields: FieldErrors = {};
  const list = extensions?.fields;
  if (!Array.isArray(list)) return fields;
  for (const entry of list as FieldErrorExtension[]) {
    // Scalar arguments (`token`, `newPassword`) come with an empty field: the argument names
    // the form's field then.
    const field = typeof entry.field === 'string' ? entry.field : '';
    const key = field || (typeof entry.argument === 'string' ? entry.argument : '');
    if (!key) continue;
    // "tags.0" belongs to the form's "tags" field.
    const name = key.split('.')[0] ?? key;
    const constraints =
      entry.constraints && typeof entry.constraints === 'object'
        ? Object.values(entry.constraints as Record<string, unknown>).filter(
            (message): message is string => typeof message === 'string',
          )
        : [];
    fields[name] = [...(fields[name] ?? []), ...constraints];
  }
  return fields;
}

function fromGraphQLError(error: GraphQLFormattedError): ApiFailure {
  const code = error.extensions?.code;
  const message = error.message;
  switch (code) {
    case 'UNAUTHENTICATED':
      return { kind: 'unauthenticated', message };
    case 'NOT_FOUND':
      return { kind: 'not-found', message };
    case 'BAD_USER_INPUT':
    case 'GRAPHQL_VALIDATION_FAILED':
      return { kind: 'bad-input', message, fields: fieldErrors(error.extensions) };
    case 'RATE_LIMITED': {
      const retryAfter = Number(error.extensions?.retryAfter);
      return {
        kind: 'rate-limited',
        message,
        retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 60,
      };
    }
    case 'CONFLICT':
      return { kind: 'conflict', message };
    case 'REAUTHENTICATION_REQUIRED': {
      const methods = error.extensions?.methods;
      return {
        kind: 'reauthentication-required',
        message,
        methods: Array.isArray(methods)
          ? methods.filter((method): method is string => typeof method === 'string')
          : [],
      };
    }
    case 'FORBIDDEN':
      return { kind: 'forbidden', message };
    // The API is up but its database is not: the same 503 page as an API that is down.
    case 'SERVICE_UNAVAILABLE':
      return { kind: 'unavailable', message: 'The catalog service is unavailable' };
    default:
      return { kind: 'internal', message: 'The catalog service failed' };
  }
}

function errorsInBody(bodyText: string): GraphQLFormattedError[] {
  try {
    const body = JSON.parse(bodyText) as { errors?: unknown };
    return Array.isArray(body.errors) ? (body.errors as GraphQLFormattedError[]) : [];
  } catch {
    return [];
  }
}

/**
 * Classifies whatever an Apollo Client call threw. GraphQL errors map by `extensions.code`
 * (the first error decides); an unreachable, timed-out or 5xx-without-GraphQL API is
 * `unavailable`; anything else is `internal`.
 */
export function classifyApiError(error: unknown): ApiFailure {
  if (error instanceof ApiFailureError) return error.failure;
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    return first ? fromGraphQLError(first) : { kind: 'internal', message: 'Empty error' };
  }
  if (ServerError.is(error)) {
    // Apollo Server answers 401/400 with a GraphQL body; plain application/json lands here.
    const first = errorsInBody(error.bodyText)[0];
    if (first) return fromGraphQLError(first);
    if (error.statusCode >= 500) {
      return { kind: 'unavailable', message: 'The catalog service is unavailable' };
    }
    return { kind: 'internal', message: 'The catalog service failed' };
  }
  // fetch failed (connection refused, DNS) or AbortSignal.timeout fired. Checked by name,
  // not instanceof: undici's errors may come from another realm (jest's sandbox, workers).
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'unavailable', message: 'The catalog service is unavailable' };
  }
  return { kind: 'internal', message: 'Unexpected failure' };
}
