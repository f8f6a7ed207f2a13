/** The catalog read every API figure uses: the render server's catalog page asks for the same fields. */
export const MOVIES_QUERY =
  'query Movies { movies(first: 20) { totalCount pageInfo { endCursor hasNextPage } ' +
  'edges { cursor node { id title year cover duration tags } } } }';

/** P4: the caller's own list with each entry's movie; `$first` is 50 or 5. */
export const USER_MOVIES_QUERY =
  'query UserMovies($first: Int!) { userMovies(first: $first) { ' +
  'pageInfo { endCursor hasNextPage } edges { cursor node { id createdAt movie { id title year } } } } }';

/** P4's detail: the same plus totalCount, as the render server's My list page asks. */
export const USER_MOVIES_PAGE_QUERY = USER_MOVIES_QUERY.replace(
  '{ pageInfo',
  '{ totalCount pageInfo',
);

/** P7: the API's sign-in mutation, as the render server calls it. */
export const SIGN_IN_MUTATION =
  'mutation SignIn($input: SignInInput!) { signIn(input: $input) { accessToken user { id } } }';

/** The JSON body of a GraphQL POST. */
export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}
