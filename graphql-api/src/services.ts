import mongoose from 'mongoose';
import { AccountMailComposer, AccountResolver, AccountService } from './account';
import { AccountTokenService } from './account-tokens';
import { ApiKeyService } from './api-keys';
import {
  AuthResolver,
  AuthService,
  PasswordHashPool,
  PasswordService,
  SessionIssuer,
  SignInLimiter,
  TokenService,
} from './auth';
import type { ApiConfig } from './config';
import { GoogleIdTokenVerifier } from './identity';
import type { IdTokenVerifier } from './identity';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { OutboxService } from './mail';
import type { MailComposer } from './mail';
import { MovieResolver, MovieService } from './movies';
import type { MovieServiceHooks } from './movies';
import { CatalogVersion } from './response-cache';
import { RefreshTokenCodec, SessionResolver, SessionService } from './sessions';
import { unexpected } from './shared/errors';
import { RequestLimiter } from './shared/request-limiter';
import { SigningKeyService } from './signing-keys';
import { UserListResolver, UserMovieResolver, UserMovieService } from './user-movies';
import { AuthProvider, UserResolver, UserService } from './users';

/** Every service of one API instance. */
export interface Services {
  account: AccountService;
  accountTokens: AccountTokenService;
  apiKeys: ApiKeyService;
  auth: AuthService;
  /** The catalog's change counter: movie writes move it, the response cache reads it. */
  catalogVersion: CatalogVersion;
  /** Composes the account mails when the outbox worker sends them. */
  mailComposer: MailComposer;
  movies: MovieService;
  outbox: OutboxService;
  passwords: PasswordService;
  sessions: SessionService;
  /** The access tokens' Ed25519 keys (createApp starts their reload and age limit). */
  signingKeys: SigningKeyService;
  tokens: TokenService;
  userMovies: UserMovieService;
  users: UserService;
}

/** The composition root: builds the services once per app, wired by hand. */
export function createServices(
  config: ApiConfig,
  logger: Logger = createLogger(config.logLevel),
): Services {
  const connection = mongoose.connection;
  const users = new UserService();
  const sessions = new SessionService(
    new RefreshTokenCodec(config.jwt.secret),
    config.refreshReuseIntervalSeconds * 1000,
  );
  const signingKeys = new SigningKeyService(config, logger);
  const tokens = new TokenService(config.jwt, signingKeys);
  const passwords = new PasswordService(
    config.passwordHash,
    new PasswordHashPool(config.passwordHashPool),
  );
  const issuer = new SessionIssuer(sessions, tokens);
  const accountTokens = new AccountTokenService();
  const outbox = new OutboxService();
  const signIn = new SignInLimiter(connection, config.signInLimits);
  const { requestLimits } = config;
  const identityVerifiers: Record<AuthProvider, IdTokenVerifier> = {
    [AuthProvider.GOOGLE]: new GoogleIdTokenVerifier(config.google, logger),
  };
  const account = new AccountService(
    users,
    sessions,
    issuer,
    passwords,
    accountTokens,
    outbox,
    {
      signIn,
      mailPerEmail: new RequestLimiter(connection, 'mail-email', requestLimits.mailPerEmail),
      mailPerIp: new RequestLimiter(connection, 'mail-ip', requestLimits.mailPerIp),
    },
    identityVerifiers,
  );
  // Deleting a movie drops it from every list (wired here so movies/ need not know user-movies/).
  const movieHooks: MovieServiceHooks = {};
  const movies = new MovieService(movieHooks);
  const userMovies = new UserMovieService(movies);
  movieHooks.onDeleted = (movieId) => userMovies.removeForMovie(movieId);
  // Every catalog write moves the shared counter, so no process serves a cached answer from
  // before it (src/response-cache).
  const catalogVersion = new CatalogVersion({
    trustMs: config.responseCache.versionTrustMs,
  });
  movieHooks.onChanged = () => catalogVersion.bump();
  // Counts of matching movies are kept until the counter moves.
  movieHooks.catalogVersion = () => catalogVersion.current();
  return {
    account,
    accountTokens,
    apiKeys: new ApiKeyService(),
    auth: new AuthService(
      users,
      sessions,
      issuer,
      passwords,
      {
        signIn,
        signUpPerIp: new RequestLimiter(connection, 'signup-ip', requestLimits.signUpPerIp),
      },
      identityVerifiers,
      account,
    ),
    catalogVersion,
    mailComposer: new AccountMailComposer(users, accountTokens, config.publicOrigin),
    movies,
    outbox,
    passwords,
    sessions,
    signingKeys,
    tokens,
    userMovies,
    users,
  };
}

/** The resolvers, in schema order. */
export const RESOLVERS = [
  AuthResolver,
  AccountResolver,
  UserResolver,
  SessionResolver,
  MovieResolver,
  UserMovieResolver,
  UserListResolver,
] as const;

/** type-graphql's `container`: each resolver class gets its service. */
export function createResolverContainer(services: Services): { get(cls: unknown): unknown } {
  const instances = new Map<unknown, unknown>([
    [AuthResolver, new AuthResolver(services.auth)],
    [AccountResolver, new AccountResolver(services.account)],
    [UserResolver, new UserResolver(services.users)],
    [SessionResolver, new SessionResolver(services.sessions)],
    [MovieResolver, new MovieResolver(services.movies)],
    [UserMovieResolver, new UserMovieResolver(services.userMovies)],
    [UserListResolver, new UserListResolver(services.userMovies)],
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
