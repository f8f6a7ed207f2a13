import type { AuthCheckerFn } from 'type-graphql';
import type { Context, CurrentUser } from '../context';
import { forbidden, unauthenticated } from './errors';

/**
 * `@Authorized(scopes)`: every listed scope is required. No credentials at all is
 * UNAUTHENTICATED; credentials without a scope are FORBIDDEN naming the missing ones.
 * `@Authorized()` with no scopes only requires some credential.
 */
export const authChecker: AuthCheckerFn<Context, string> = ({ context }, scopes) => {
  if (!context.apiKey && !context.user) {
    throw unauthenticated('Send an API key (X-API-Key) or an access token (Authorization: Bearer)');
  }
  const missing = scopes.filter((scope) => !context.scopes.has(scope));
  if (missing.length > 0) throw forbidden(missing);
  return true;
};

/**
 * The signed-in user, or UNAUTHENTICATED for operations that need one (a person's own list,
 * sessions, account). Here rather than in context.ts so domains import only types from there.
 */
export function requireUser(context: Context): CurrentUser {
  if (!context.user) throw unauthenticated('Sign in to use this operation');
  return context.user;
}
