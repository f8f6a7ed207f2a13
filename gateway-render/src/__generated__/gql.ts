/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query MoviePoster($id: ID!) {\n  movie(id: $id) {\n    id\n    title\n    year\n    tags\n  }\n}": typeof types.MoviePosterDocument,
    "fragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...ViewerFields\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...ViewerFields\n  }\n}\n\nmutation SignProvider($input: SignProviderInput!) {\n  signProvider(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  signOut(refreshToken: $refreshToken)\n}\n\nmutation ConnectProvider($input: ConnectProviderInput!) {\n  connectProvider(input: $input) {\n    ...ViewerFields\n  }\n}": typeof types.AuthPayloadFieldsFragmentDoc,
    "query AccountPage {\n  me {\n    ...ViewerFields\n    hasPassword\n    providers\n  }\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ipAddress\n    rememberMe\n    current\n  }\n}\n\nmutation RequestEmailVerification {\n  requestEmailVerification\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ChangeEmail($newEmail: String!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n}\n\nmutation DisconnectProvider($provider: AuthProvider!) {\n  disconnectProvider(provider: $provider) {\n    ...ViewerFields\n    providers\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nmutation RevokeOtherSessions {\n  revokeOtherSessions\n}": typeof types.AccountPageDocument,
    "query CatalogPublic($filter: MovieFilter, $first: Int!, $offset: Int) {\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}": typeof types.CatalogPublicDocument,
    "query Catalog($filter: MovieFilter, $first: Int!, $offset: Int) {\n  me {\n    ...ViewerFields\n  }\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}": typeof types.CatalogDocument,
    "mutation VerifyEmail($token: String!) {\n  verifyEmail(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}\n\nmutation ConfirmEmailChange($token: String!) {\n  confirmEmailChange(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}": typeof types.VerifyEmailDocument,
    "mutation RequestPasswordReset($email: String!) {\n  requestPasswordReset(email: $email)\n}": typeof types.RequestPasswordResetDocument,
    "query MoviePagePublic($id: ID!) {\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}": typeof types.MoviePagePublicDocument,
    "query MoviePage($id: ID!) {\n  me {\n    ...ViewerFields\n  }\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}": typeof types.MoviePageDocument,
    "query MyList($first: Int!, $after: String) {\n  me {\n    ...ViewerFields\n  }\n  userMovies(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        id\n        createdAt\n        movie {\n          ...MovieCardFields\n        }\n      }\n    }\n  }\n}": typeof types.MyListDocument,
    "mutation ResetPassword($token: String!, $newPassword: String!) {\n  resetPassword(token: $token, newPassword: $newPassword)\n}": typeof types.ResetPasswordDocument,
    "fragment MovieCardFields on Movie {\n  id\n  title\n  year\n  cover\n  duration\n  tags\n  inMyList\n}": typeof types.MovieCardFieldsFragmentDoc,
    "query Viewer {\n  me {\n    ...ViewerFields\n  }\n}": typeof types.ViewerDocument,
    "fragment ViewerFields on User {\n  id\n  name\n  email\n  emailVerified\n  myListCount\n}": typeof types.ViewerFieldsFragmentDoc,
    "mutation AddUserMovie($movieId: ID!) {\n  addUserMovie(movieId: $movieId) {\n    id\n    movie {\n      id\n      inMyList\n    }\n  }\n}\n\nmutation RemoveUserMovie($movieId: ID!) {\n  removeUserMovie(movieId: $movieId)\n}": typeof types.AddUserMovieDocument,
};
const documents: Documents = {
    "query MoviePoster($id: ID!) {\n  movie(id: $id) {\n    id\n    title\n    year\n    tags\n  }\n}": types.MoviePosterDocument,
    "fragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...ViewerFields\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...ViewerFields\n  }\n}\n\nmutation SignProvider($input: SignProviderInput!) {\n  signProvider(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  signOut(refreshToken: $refreshToken)\n}\n\nmutation ConnectProvider($input: ConnectProviderInput!) {\n  connectProvider(input: $input) {\n    ...ViewerFields\n  }\n}": types.AuthPayloadFieldsFragmentDoc,
    "query AccountPage {\n  me {\n    ...ViewerFields\n    hasPassword\n    providers\n  }\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ipAddress\n    rememberMe\n    current\n  }\n}\n\nmutation RequestEmailVerification {\n  requestEmailVerification\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ChangeEmail($newEmail: String!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n}\n\nmutation DisconnectProvider($provider: AuthProvider!) {\n  disconnectProvider(provider: $provider) {\n    ...ViewerFields\n    providers\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nmutation RevokeOtherSessions {\n  revokeOtherSessions\n}": types.AccountPageDocument,
    "query CatalogPublic($filter: MovieFilter, $first: Int!, $offset: Int) {\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}": types.CatalogPublicDocument,
    "query Catalog($filter: MovieFilter, $first: Int!, $offset: Int) {\n  me {\n    ...ViewerFields\n  }\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}": types.CatalogDocument,
    "mutation VerifyEmail($token: String!) {\n  verifyEmail(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}\n\nmutation ConfirmEmailChange($token: String!) {\n  confirmEmailChange(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}": types.VerifyEmailDocument,
    "mutation RequestPasswordReset($email: String!) {\n  requestPasswordReset(email: $email)\n}": types.RequestPasswordResetDocument,
    "query MoviePagePublic($id: ID!) {\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}": types.MoviePagePublicDocument,
    "query MoviePage($id: ID!) {\n  me {\n    ...ViewerFields\n  }\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}": types.MoviePageDocument,
    "query MyList($first: Int!, $after: String) {\n  me {\n    ...ViewerFields\n  }\n  userMovies(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        id\n        createdAt\n        movie {\n          ...MovieCardFields\n        }\n      }\n    }\n  }\n}": types.MyListDocument,
    "mutation ResetPassword($token: String!, $newPassword: String!) {\n  resetPassword(token: $token, newPassword: $newPassword)\n}": types.ResetPasswordDocument,
    "fragment MovieCardFields on Movie {\n  id\n  title\n  year\n  cover\n  duration\n  tags\n  inMyList\n}": types.MovieCardFieldsFragmentDoc,
    "query Viewer {\n  me {\n    ...ViewerFields\n  }\n}": types.ViewerDocument,
    "fragment ViewerFields on User {\n  id\n  name\n  email\n  emailVerified\n  myListCount\n}": types.ViewerFieldsFragmentDoc,
    "mutation AddUserMovie($movieId: ID!) {\n  addUserMovie(movieId: $movieId) {\n    id\n    movie {\n      id\n      inMyList\n    }\n  }\n}\n\nmutation RemoveUserMovie($movieId: ID!) {\n  removeUserMovie(movieId: $movieId)\n}": types.AddUserMovieDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MoviePoster($id: ID!) {\n  movie(id: $id) {\n    id\n    title\n    year\n    tags\n  }\n}"): (typeof documents)["query MoviePoster($id: ID!) {\n  movie(id: $id) {\n    id\n    title\n    year\n    tags\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...ViewerFields\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...ViewerFields\n  }\n}\n\nmutation SignProvider($input: SignProviderInput!) {\n  signProvider(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  signOut(refreshToken: $refreshToken)\n}\n\nmutation ConnectProvider($input: ConnectProviderInput!) {\n  connectProvider(input: $input) {\n    ...ViewerFields\n  }\n}"): (typeof documents)["fragment AuthPayloadFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...ViewerFields\n  }\n}\n\nmutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...ViewerFields\n  }\n}\n\nmutation SignProvider($input: SignProviderInput!) {\n  signProvider(input: $input) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  signOut(refreshToken: $refreshToken)\n}\n\nmutation ConnectProvider($input: ConnectProviderInput!) {\n  connectProvider(input: $input) {\n    ...ViewerFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query AccountPage {\n  me {\n    ...ViewerFields\n    hasPassword\n    providers\n  }\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ipAddress\n    rememberMe\n    current\n  }\n}\n\nmutation RequestEmailVerification {\n  requestEmailVerification\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ChangeEmail($newEmail: String!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n}\n\nmutation DisconnectProvider($provider: AuthProvider!) {\n  disconnectProvider(provider: $provider) {\n    ...ViewerFields\n    providers\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nmutation RevokeOtherSessions {\n  revokeOtherSessions\n}"): (typeof documents)["query AccountPage {\n  me {\n    ...ViewerFields\n    hasPassword\n    providers\n  }\n  sessions {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ipAddress\n    rememberMe\n    current\n  }\n}\n\nmutation RequestEmailVerification {\n  requestEmailVerification\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    ...AuthPayloadFields\n  }\n}\n\nmutation ChangeEmail($newEmail: String!, $currentPassword: String!) {\n  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n}\n\nmutation DisconnectProvider($provider: AuthProvider!) {\n  disconnectProvider(provider: $provider) {\n    ...ViewerFields\n    providers\n  }\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nmutation RevokeOtherSessions {\n  revokeOtherSessions\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogPublic($filter: MovieFilter, $first: Int!, $offset: Int) {\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}"): (typeof documents)["query CatalogPublic($filter: MovieFilter, $first: Int!, $offset: Int) {\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Catalog($filter: MovieFilter, $first: Int!, $offset: Int) {\n  me {\n    ...ViewerFields\n  }\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}"): (typeof documents)["query Catalog($filter: MovieFilter, $first: Int!, $offset: Int) {\n  me {\n    ...ViewerFields\n  }\n  movieTags\n  movies(filter: $filter, first: $first, offset: $offset) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        ...MovieCardFields\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation VerifyEmail($token: String!) {\n  verifyEmail(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}\n\nmutation ConfirmEmailChange($token: String!) {\n  confirmEmailChange(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}"): (typeof documents)["mutation VerifyEmail($token: String!) {\n  verifyEmail(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}\n\nmutation ConfirmEmailChange($token: String!) {\n  confirmEmailChange(token: $token) {\n    id\n    email\n    emailVerified\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RequestPasswordReset($email: String!) {\n  requestPasswordReset(email: $email)\n}"): (typeof documents)["mutation RequestPasswordReset($email: String!) {\n  requestPasswordReset(email: $email)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MoviePagePublic($id: ID!) {\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}"): (typeof documents)["query MoviePagePublic($id: ID!) {\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MoviePage($id: ID!) {\n  me {\n    ...ViewerFields\n  }\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}"): (typeof documents)["query MoviePage($id: ID!) {\n  me {\n    ...ViewerFields\n  }\n  movie(id: $id) {\n    ...MovieCardFields\n    description\n    contentRating\n    source\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyList($first: Int!, $after: String) {\n  me {\n    ...ViewerFields\n  }\n  userMovies(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        id\n        createdAt\n        movie {\n          ...MovieCardFields\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query MyList($first: Int!, $after: String) {\n  me {\n    ...ViewerFields\n  }\n  userMovies(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n    edges {\n      cursor\n      node {\n        id\n        createdAt\n        movie {\n          ...MovieCardFields\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ResetPassword($token: String!, $newPassword: String!) {\n  resetPassword(token: $token, newPassword: $newPassword)\n}"): (typeof documents)["mutation ResetPassword($token: String!, $newPassword: String!) {\n  resetPassword(token: $token, newPassword: $newPassword)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment MovieCardFields on Movie {\n  id\n  title\n  year\n  cover\n  duration\n  tags\n  inMyList\n}"): (typeof documents)["fragment MovieCardFields on Movie {\n  id\n  title\n  year\n  cover\n  duration\n  tags\n  inMyList\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  me {\n    ...ViewerFields\n  }\n}"): (typeof documents)["query Viewer {\n  me {\n    ...ViewerFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ViewerFields on User {\n  id\n  name\n  email\n  emailVerified\n  myListCount\n}"): (typeof documents)["fragment ViewerFields on User {\n  id\n  name\n  email\n  emailVerified\n  myListCount\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AddUserMovie($movieId: ID!) {\n  addUserMovie(movieId: $movieId) {\n    id\n    movie {\n      id\n      inMyList\n    }\n  }\n}\n\nmutation RemoveUserMovie($movieId: ID!) {\n  removeUserMovie(movieId: $movieId)\n}"): (typeof documents)["mutation AddUserMovie($movieId: ID!) {\n  addUserMovie(movieId: $movieId) {\n    id\n    movie {\n      id\n      inMyList\n    }\n  }\n}\n\nmutation RemoveUserMovie($movieId: ID!) {\n  removeUserMovie(movieId: $movieId)\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;