import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import DataLoader from 'dataloader';
import type { Request } from 'express';
import { Types } from 'mongoose';
import type { ApiKeyPrincipal } from './api-keys';
import type { Logger } from './logger';
import type { Movie } from './movies';
import type { Services } from './services';
import { unauthenticated } from './shared/errors';
import { KEY_ONLY_SCOPES } from './shared/scopes';
import type { Scope } from './shared/scopes';

/** The signed-in user of a request, from a verified access token of a live session. */
export interface CurrentUser {
  id: Types.ObjectId;
  sessionId: string;
  name: string;
  email: string;
  scopes: readonly Scope[];
}

/** Per-request batching: each loader runs one query per tick for all keys asked for. */
export interface Loaders {
  movieById: DataLoader<string, Movie | null>;
  /** Keyed by movie id; always false without a user. */
  inMyList: DataLoader<string, boolean>;
}

/** Everything a resolver knows about the request. Built only by {@link createContext}. */
export interface Context {
  requestId: string;
  ip: string;
  userAgent: string | null;
  logger: Logger;
  apiKey: ApiKeyPrincipal | null;
  user: CurrentUser | null;
  /**
   * Union of the key's and the user's scopes (each alone never exceeds what it was granted),
   * except that the sign-in scopes count only from the key (see KEY_ONLY_SCOPES).
   */
  scopes: ReadonlySet<string>;
  /**
   * Hex ids of the users this request has proven to be: the access token's, plus the one a
   * sign-up or sign-in mutation of this request authenticated (its answer's `user` is that
   * person's own). What only an owner may read (`User.myListCount`) checks it.
   */
  provenUserIds: Set<string>;
  loaders: Loaders;
}

/** The request fields the context reads (an express request, or a stand-in in tests). */
export type ContextRequest = Pick<Request, 'headers' | 'ip'> & { id?: unknown; log?: Logger };

function header(req: ContextRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function createLoaders(services: Services, user: CurrentUser | null): Loaders {
  return {
    movieById: new DataLoader(async (ids) => {
      const movies = await services.movies.findByIds(ids.map((id) => new Types.ObjectId(id)));
      const byId = new Map(movies.map((movie) => [movie._id.toHexString(), movie]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    inMyList: new DataLoader(async (movieIds) => {
      if (!user) return movieIds.map(() => false);
      const listed = await services.userMovies.listedMovieIds(
        user.id,
        movieIds.map((id) => new Types.ObjectId(id)),
      );
      return movieIds.map((id) => listed.has(id));
    }),
  };
}

/**
 * The client's address, as the per-IP limits and the sessions list see it: the connection's
 * (or, behind load balancers named in TRUST_PROXY, express's reading of X-Forwarded-For), except
 * for the render server: its key may forward the browser's address as `X-Client-IP`. Any other
 * caller's `X-Client-IP` is ignored, so nobody can choose the address their attempts count for.
 */
export function clientIp(req: ContextRequest, apiKey: ApiKeyPrincipal | null): string {
  const forwarded = apiKey?.forwardsClientIp ? header(req, CLIENT_IP_HEADER)?.trim() : undefined;
  if (forwarded && isIP(forwarded) !== 0) return forwarded;
  return req.ip ?? 'unknown';
}

/** The header the render server puts the browser's address in (see {@link clientIp}). */
export const CLIENT_IP_HEADER = 'x-client-ip';

/**
 * Apollo copies the context once per operation (`Object.assign` onto an object with the same
 * prototype), which would read a getter of the context itself. So `logger` is a getter on the
 * prototype, reading a memoized thunk the copy shares: the request's logger is built only
 * when something logs (`req.log` serializes the request's headers, request-logger in logger.ts).
 */
const LOGGER = Symbol('logger');
const contextPrototype = {
  get logger(): Logger {
    return (this as unknown as { [LOGGER]: () => Logger })[LOGGER]();
  },
};

/**
 * Builds the context from the credentials: `X-API-Key` (looked up by its SHA-256) and/or
 * `Authorization: Bearer <access token>` (verified, and its session checked so signing out
 * takes effect at once). Credentials that are present but invalid fail the whole request with
 * UNAUTHENTICATED (HTTP 401), never silently downgrade to anonymous.
 */
export async function createContext(
  services: Services,
  req: ContextRequest,
  baseLogger: Logger,
): Promise<Context> {
  const requestId = typeof req.id === 'string' && req.id ? req.id : randomUUID();

  const keyToken = header(req, 'x-api-key');
  let apiKey: ApiKeyPrincipal | null = null;
  if (keyToken !== undefined) {
    apiKey = await services.apiKeys.findByToken(keyToken);
    if (!apiKey) throw unauthenticated('Invalid API key');
  }

  const authorization = header(req, 'authorization');
  let user: CurrentUser | null = null;
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization.trim());
    if (!match?.[1]) throw unauthenticated('Authorization must be "Bearer <access token>"');
    const claims = await services.tokens.verify(match[1]);
    if (!(await services.sessions.isActive(claims.sid, claims.sub))) {
      throw unauthenticated('Session ended; sign in again');
    }
    user = {
      id: new Types.ObjectId(claims.sub),
      sessionId: claims.sid,
      name: claims.name,
      email: claims.email,
      scopes: claims.scopes,
    };
  }

  const userScopes = (user?.scopes ?? []).filter((scope) => !KEY_ONLY_SCOPES.has(scope));
  const scopes = new Set<string>([...(apiKey?.scopes ?? []), ...userScopes]);
  let logger: Logger | undefined;
  const fields = {
    requestId,
    ip: clientIp(req, apiKey),
    userAgent: header(req, 'user-agent') ?? null,
    [LOGGER]: (): Logger => (logger ??= req.log ?? baseLogger.child({ reqId: requestId })),
    apiKey,
    user,
    scopes,
    provenUserIds: new Set(user ? [user.id.toHexString()] : []),
    loaders: createLoaders(services, user),
  };
  return Object.assign(Object.create(contextPrototype) as Pick<Context, 'logger'>, fields);
}
