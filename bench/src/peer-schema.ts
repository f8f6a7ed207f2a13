import type { Movie, MovieConnection, MovieFilter, MovieService } from 'graphql-api/movies/index';

/**
 * The peers' schema (Apollo plain, Yoga, Mercurius): the catalog part of the API's schema as
 * plain SDL, the way a team picking one of those servers would write it. Same type, field and
 * argument names as the API, so the API's documents (MOVIES_QUERY and the render server's
 * CatalogPublic) run unchanged and answer the same bytes.
 */
export const PEER_TYPE_DEFS = /* GraphQL */ `
  type Movie {
    id: ID!
    title: String!
    year: Int!
    cover: String!
    description: String!
    duration: Int!
    contentRating: String!
    source: String!
    tags: [String!]!
    inMyList: Boolean!
  }
  type MovieEdge {
    cursor: String!
    node: Movie!
  }
  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
  }
  type MovieConnection {
    edges: [MovieEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }
  input MovieFilter {
    tags: [String!]
    search: String
    year: Int
  }
  type Query {
    movies(filter: MovieFilter, first: Int! = 20, after: String, offset: Int): MovieConnection!
    movieTags: [String!]!
  }
`;

/** `movies`' arguments as the SDL declares them. */
interface MoviesArgs {
  filter?: MovieFilter | null;
  first: number;
  after?: string | null;
  offset?: number | null;
}

/**
 * The peers' resolvers: thin calls into the API's own MovieService, so every server sends the
 * same driver commands (a lean find, then countDocuments when `totalCount` is selected;
 * `distinct` for movieTags). The peers have no users: `inMyList` is false, as the API answers
 * a caller without a user.
 */
export function peerResolvers(movies: MovieService) {
  return {
    Query: {
      movies: (_root: unknown, args: MoviesArgs): Promise<MovieConnection> =>
        movies.list(args.filter ?? null, {
          first: args.first,
          after: args.after ?? null,
          offset: args.offset ?? null,
        }),
      movieTags: (): Promise<string[]> => movies.tags(),
    },
    Movie: {
      id: (movie: Movie): string => movie._id.toHexString(),
      inMyList: (): boolean => false,
    },
    MovieConnection: {
      totalCount: (connection: MovieConnection): Promise<number> => connection.totalCount(),
    },
  };
}
