/** Every scope the API checks. */
export const Scope = {
  SignInAuth: 'signin:auth',
  SignUpAuth: 'signup:auth',
  SignInProvider: 'signin:provider',
  ReadMovies: 'read:movies',
  ReadUserMovies: 'read:user-movies',
  CreateUserMovies: 'create:user-movies',
  DeleteUserMovies: 'delete:user-movies',
  CreateMovies: 'create:movies',
  UpdateMovies: 'update:movies',
  DeleteMovies: 'delete:movies',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** The render server's key: sign-in/up, the catalog, a user's own list. */
export const PUBLIC_KEY_SCOPES: readonly Scope[] = [
  Scope.SignInAuth,
  Scope.SignUpAuth,
  Scope.SignInProvider,
  Scope.ReadMovies,
  Scope.ReadUserMovies,
  Scope.CreateUserMovies,
  Scope.DeleteUserMovies,
];

/** Scopes a user's token carries only when the user is an admin. */
export const MOVIE_WRITE_SCOPES: readonly Scope[] = [
  Scope.CreateMovies,
  Scope.UpdateMovies,
  Scope.DeleteMovies,
];

/**
 * Scopes honoured only from an API key (a server-side secret), never from a user's token: they
 * vouch for identities (signin:provider) or start sessions. The token still lists them (its
 * scopes are the key's), but an end user holding their own token could otherwise sign in as
 * anyone by naming that account's e-mail as verified.
 */
export const KEY_ONLY_SCOPES: ReadonlySet<string> = new Set<Scope>([
  Scope.SignInAuth,
  Scope.SignUpAuth,
  Scope.SignInProvider,
]);

export const ADMIN_KEY_SCOPES: readonly Scope[] = [...PUBLIC_KEY_SCOPES, ...MOVIE_WRITE_SCOPES];

const ALL: ReadonlySet<string> = new Set(ADMIN_KEY_SCOPES);

export function isScope(value: string): value is Scope {
  return ALL.has(value);
}

/**
 * The scopes of a user's access token: those of the key the user signed in through, minus the
 * movie-writing ones unless the user is an admin.
 */
export function userTokenScopes(keyScopes: readonly string[], isAdmin: boolean): Scope[] {
  return keyScopes
    .filter(isScope)
    .filter((scope) => isAdmin || !MOVIE_WRITE_SCOPES.includes(scope));
}
