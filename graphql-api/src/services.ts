import mongoose from 'mongoose';
import { ApiKeyService } from './api-keys';
import { AuthResolver, AuthService, PasswordService, SignInLimiter, TokenService } from './auth';
import type { ApiConfig } from './config';
import { MovieResolver, MovieService } from './movies';
import type { MovieServiceHooks } from './movies';
import { SessionService } from './sessions';
import { unexpected } from './shared/errors';
import { UserMovieResolver, UserMovieService } from './user-movies';
import { UserResolver, UserService } from './users';

/** Every service of one API instance. */
export interface Services {
  apiKeys: ApiKeyService;
  auth: AuthService;
  movies: MovieService;
  passwords: PasswordService;
  sessions: SessionService;
  tokens: TokenService;
  userMovies: UserMovieService;
  users: UserService;
}

/** The composition root: builds the services once per app, wired by hand. */
export function createServices(config: ApiConfig): Services {
  const users = new UserService();
  const sessions = new SessionService();
  const tokens = new TokenService(config.jwt);
  const passwords = new PasswordService(config.passwordHash);
  const limiter = new SignInLimiter(mongoose.connection, config.signInLimits);
  // Deleting a movie drops it from every list (wired here so movies/ need not know user-movies/).
  const movieHooks: MovieServiceHooks = {};
  const movies = new MovieService(movieHooks);
  const userMovies = new UserMovieService(movies);
  movieHooks.onDeleted = (movieId) => userMovies.removeForMovie(movieId);
  return {
    apiKeys: new ApiKeyService(),
    auth: new AuthService(users, sessions, tokens, passwords, limiter),
    movies,
    passwords,
    sessions,
    tokens,
    userMovies,
    users,
  };
}

/** The resolvers, in schema order. */
export const RESOLVERS = [AuthResolver, UserResolver, MovieResolver, UserMovieResolver] as const;

/** type-graphql's `container`: each resolver class gets its service. */
export function createResolverContainer(services: Services): { get(cls: unknown): unknown } {
  const instances = new Map<unknown, unknown>([
    [AuthResolver, new AuthResolver(services.auth)],
    [UserResolver, new UserResolver(services.users)],
    [MovieResolver, new MovieResolver(services.movies)],
    [UserMovieResolver, new UserMovieResolver(services.userMovies)],
  ]);
  return {
    get(cls: unknown): unknown {
      const instance = instances.get(cls);
      if (instance === undefined) {
        throw unexpected(`No instance registered for ${String((cls as { name?: string }).name)}`);
      }
      return instance;
    },
  };
}
