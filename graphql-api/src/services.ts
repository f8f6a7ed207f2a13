import mongoose from 'mongoose';
import { AccountMailComposer, AccountResolver, AccountService, PRODUCT_NAME } from './account';
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
import { MfaResolver, MfaService, SecondFactorLimiter } from './mfa';
import { MovieResolver, MovieService } from './movies';
import { PasskeyResolver, PasskeyService } from './passkeys';
import type { MovieServiceHooks } from './movies';
import { CatalogVersion } from './response-cache';
import { RefreshTokenCodec, SessionResolver, SessionService } from './sessions';
import type { SessionServiceHooks } from './sessions';
import { unexpected } from './shared/errors';
import { RequestLimiter } from './shared/request-limiter';
import { SecretCipher } from './shared/secret-cipher';
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
  /** Two-factor codes (TOTP), recovery codes and sign-ins' second step. */
  mfa: MfaService;
  movies: MovieService;
  outbox: OutboxService;
  passkeys: PasskeyService;
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
  // Step-up errors say what the account can re-authenticate with (auth/ knows; wired below).
  const sessionHooks: SessionServiceHooks = {};
  const sessions = new SessionService(
    new RefreshTokenCodec(config.jwt.secret),
    config.refreshReuseIntervalSeconds * 1000,
    sessionHooks,
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
  const mfa = new MfaService(
    users,
    sessions,
    outbox,
    new SecretCipher(config.jwt.secret, 'totp-secret-encryption-v1'),
    new SecondFactorLimiter(connection, config.secondFactorLimits),
  );
  // The relying party is the site people open: its host name is the RP ID.
  const passkeys = new PasskeyService(
    users,
    sessions,
    outbox,
    { id: new URL(config.publicOrigin).hostname, name: PRODUCT_NAME, origin: config.publicOrigin },
    config.jwt.secret,
    new RequestLimiter(connection, 'passkey-options-ip', requestLimits.passkeyOptionsPerIp),
  );
  const factors = { mfa, passkeys };
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
    factors,
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
  const auth = new AuthService(
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
    factors,
  );
  sessionHooks.reauthenticationMethods = (userId) => auth.reauthenticationMethods(userId);
  return {
    account,
    accountTokens,
    apiKeys: new ApiKeyService(),
    auth,
    catalogVersion,
    mailComposer: new AccountMailComposer(users, accountTokens, config.publicOrigin),
    mfa,
    movies,
    outbox,
    passkeys,
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
  PasskeyResolver,
  MfaResolver,
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
    [PasskeyResolver, new PasskeyResolver(services.passkeys)],
    [MfaResolver, new MfaResolver(services.mfa)],
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
