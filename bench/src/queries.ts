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
  'mutation SignIn($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken user { id } } } }';

/** The JSON body of a GraphQL POST. */
export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

/** Every scalar field of a movie. */
const MOVIE_FIELDS =
  'id title year cover description duration contentRating source tags createdAt updatedAt inMyList';

/**
 * What one page of {@link largestAllowedDocument} costs (movies 10, its connection 1,
 * totalCount 10, pageInfo 1, 100 edges and their nodes), and what `me` and `movieTags` add.
 */
const PAGE_COST = 222;
const EXTRAS_COST = 21;

/**
 * P9: about the largest document the API's limits allow, new each time (`id` goes into the
 * operation name, so Apollo's document cache never spares it the validation): as many movies
 * with every field as the cost limit allows (pages of 100, all but the first aliased), `me`
 * and `movieTags`, each field selected as often as a selection set may repeat one, so
 * validation's pairwise field comparison has the most to compare.
 */
export function largestAllowedDocument(
  id: number,
  limits: { maxCost: number; maxFieldRepetition: number; maxAliases: number },
): string {
  const repetitions = limits.maxFieldRepetition;
  const budget = limits.maxCost - EXTRAS_COST;
  const aliases = Math.floor(limits.maxAliases / repetitions);
  // Whole pages, then one page as large as the rest of the cost allows (each movie costs 2).
  const sizes = Array<number>(Math.min(Math.floor(budget / PAGE_COST), 1 + aliases)).fill(100);
  const rest = Math.floor((budget - sizes.length * PAGE_COST - (PAGE_COST - 200)) / 2);
  if (sizes.length <= aliases && rest > 0) sizes.push(rest);
  const page = (first: number) =>
    `movies(first: ${first}) { totalCount pageInfo { endCursor hasNextPage } ` +
    `edges { cursor node { ${MOVIE_FIELDS} } } }`;
  const viewer =
    'me { id name email emailVerified hasPassword isAdmin createdAt updatedAt providers }';
  const fields = sizes
    .map((first, i) => `${i === 0 ? '' : `p${i}: `}${page(first)}`)
    .concat(viewer, 'movieTags')
    .flatMap((field) => Array<string>(repetitions).fill(field));
  return `query Largest${id} { ${fields.join(' ')} }`;
}

/** P9's reference: one ordinary page of 100 movies, new each time like the hostile document. */
export function plainPageDocument(id: number): string {
  return `query Page${id} { movies(first: 100) { edges { node { ${MOVIE_FIELDS} } } } }`;
}
