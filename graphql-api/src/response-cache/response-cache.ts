import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Express, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { ApiKeyPrincipal } from '../api-keys';
import { ByteBudgetLru } from './byte-budget-lru';
import { canonicalJson } from './canonical-json';
import type { CatalogVersion } from './catalog-version';

/** What the cache needs from the rest of the API (wired in app.ts). */
export interface ResponseCacheOptions {
  /** Budget of the kept responses (keys, bodies and headers), bytes; > 0. */
  maxBytes: number;
  version: CatalogVersion;
  /** The key a token belongs to (not revoked), as the context looks it up; null if none. */
  findApiKey: (token: string) => Promise<ApiKeyPrincipal | null>;
  /** The client's address as the request budget counts it (context.ts's `clientIp`). */
  clientIp: (req: Request, apiKey: ApiKeyPrincipal | null) => string;
  /** Charges the request budget of an anonymous caller; throws when it is used up. */
  admit: (request: { ip: string; user: null }) => void;
  /** Parses the JSON body exactly like the /graphql route's parser (same limit). */
  jsonParser: RequestHandler;
  /** That parser's limit, bytes: bodies that say they are longer go to it. */
  bodyLimitBytes: number;
}

/** A kept response: replayed byte for byte, with the headers the first answer had. */
interface CachedResponse {
  /** Header names (as set) and values of the first answer, minus the per-response ones. */
  headers: (string | string[])[];
  body: Buffer;
  /** The catalog version read before the response was computed. */
  version: string;
  storedAt: number;
  expiresAt: number;
}

/** A cacheable request on its way through the full pipeline. */
interface PendingResponse {
  key: string;
  version: string;
  /** Set by the Apollo plugin: the result had no errors and a PUBLIC policy this long. */
  maxAgeSeconds: number | null;
}

/** Where a request's context holds its pending entry (see `attach`). */
const PENDING = Symbol('response-cache.pending');

/** Headers that belong to one response, never replayed. */
const PER_RESPONSE_HEADERS = new Set([
  'x-request-id',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'age',
  'x-cache',
]);

/** What Apollo's cache-control plugin writes for a PUBLIC, cacheable result. */
const PUBLIC_CACHE_CONTROL = /^max-age=(\d+), public$/;

/** Documents that may carry a mutation or subscription: never looked up (mutations are never kept anyway). */
const NOT_A_QUERY = /\b(?:mutation|subscription)\b/;

/** Bytes an entry is counted for beyond its key, body and headers (the objects around them). */
const ENTRY_OVERHEAD_BYTES = 256;

const JSON_CONTENT_TYPE = /^application\/json\s*(?:;|$)/i;

/** JSON with no parameter but a UTF-8 charset (what {@link ResponseCache.readBody} reads). */
const PLAIN_JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** body-parser's error for a body the client stopped sending. */
function abortedBody(): Error {
  return Object.assign(new Error('request aborted'), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: 'request.aborted',
  });
}

/** body-parser's error for a body that is not JSON (the route answers it with its 400). */
function malformedBody(): Error {
  return Object.assign(new SyntaxError('Malformed JSON body'), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: 'entity.parse.failed',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A response cache for the catalog reads the API marks PUBLIC (key-only and anonymous
 * callers: no `Authorization`, no cookie), answered right after the request logger (which
 * gives the request its id and logs its line), before express, helmet, the routes and Apollo.
 *
 * - **Key**: the API key's id, document policy and scopes (or "no key"), the `Accept` header
 *   (Apollo picks the response's content type from it) and the whole JSON body in canonical
 *   form (document or persisted id, operationName, variables, extensions). Nothing else of the
 *   request reaches a PUBLIC answer: a user's token never takes this path, and the client
 *   address only counts for the budget, which is still charged on every hit.
 * - **Kept**: only what the full pipeline answered with status 200, a single result without
 *   errors, Apollo's overall cache policy PUBLIC with maxAge > 0 and the matching
 *   `Cache-Control: max-age=N, public` header; for that maxAge. Never a response that sets a
 *   cookie. The body and headers are replayed as they were, plus `Age` and `X-Cache: hit`.
 * - **Invalidated**: each entry carries the catalog version read before it was computed, and
 *   is served only while that is still the version (see {@link CatalogVersion}).
 * - **Same checks**: an unknown or revoked key, a body that does not parse, a batch, an
 *   exhausted budget: the request goes on to the full pipeline, which answers as it would.
 */
export class ResponseCache {
  private readonly entries: ByteBudgetLru<CachedResponse>;
  private readonly pendingByRequest = new WeakMap<IncomingMessage, PendingResponse>();
  /** Body-parser errors of requests read here, for the /graphql route to report in its place. */
  private readonly bodyErrors = new WeakMap<IncomingMessage, unknown>();
  private lastVersion: string | null = null;

  constructor(private readonly options: ResponseCacheOptions) {
    this.entries = new ByteBudgetLru(options.maxBytes);
  }

  /** Bytes kept now (for tests and logs). */
  get bytes(): number {
    return this.entries.bytes;
  }

  /** Entries kept now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Right after the request logger, before express: answers cached requests, and hands every
   * other one to `next` (express), with its body already read when it was looked up.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    app: Express,
    next: (req: IncomingMessage, res: ServerResponse) => void,
  ): void {
    const { headers } = req;
    if (
      req.method !== 'POST' ||
      req.url !== '/graphql' ||
      headers.authorization !== undefined ||
      headers.cookie !== undefined ||
      headers['content-encoding'] !== undefined ||
      !JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')
    ) {
      next(req, res);
      return;
    }
    // The request and response express makes of them (it does the same again on a miss): its
    // `req.ip` follows the app's 'trust proxy', as the context's does.
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    this.lookUpRequest(req as Request, res as Response, () => next(req, res));
  }

  private lookUpRequest(req: Request, res: Response, next: () => void): void {
    const afterBody = (error?: unknown): void => {
      if (error !== undefined) {
        // Reported where the route's own parser would have, after logging and helmet.
        this.bodyErrors.set(req, error);
        next();
        return;
      }
      this.lookUp(req, res).then(
        (answered) => {
          if (!answered) next();
        },
        () => next(),
      );
    };
    if (this.readsItself(req)) this.readBody(req, afterBody);
    else this.options.jsonParser(req, res, afterBody);
  }

  /**
   * Whether this request's body is read here rather than by body-parser: a declared length
   * within the limit, no transfer coding, JSON in UTF-8 (the body-parser route's only charset
   * here). body-parser costs about a tenth of a kept answer's CPU; everything else goes to it.
   */
  private readsItself(req: Request): boolean {
    const length = req.headers['content-length'];
    if (length === undefined || req.headers['transfer-encoding'] !== undefined) return false;
    const bytes = Number(length);
    if (!Number.isInteger(bytes) || bytes > this.options.bodyLimitBytes) return false;
    return PLAIN_JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '');
  }

  /**
   * Reads and parses the body as body-parser's `json()` would (strict: an object or array;
   * empty is `{}`; a UTF-8 BOM is dropped), leaving `req.body` set and the stream finished, so
   * the route's parser skips it. A body that does not parse gets body-parser's 400.
   */
  private readBody(req: Request, finish: (error?: unknown) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const done = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      finish(error);
    };
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    // A client that goes away mid-body: body-parser's 400 `request.aborted`, not a fault.
    req.once('error', () => done(abortedBody()));
    req.once('end', () => {
      let text = Buffer.concat(chunks, size).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0) {
        req.body = {};
        done();
        return;
      }
      // Only whitespace is refused too, as body-parser's strict mode does.
      const first = /\S/.exec(text)?.[0];
      if (first !== '{' && first !== '[') {
        done(malformedBody());
        return;
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        done(malformedBody());
        return;
      }
      done();
    });
  }

  /** In place of the /graphql route's `express.json()`: the same, or the error it had here. */
  bodyParser(): RequestHandler {
    return (req, res, next) => {
      if (this.bodyErrors.has(req)) {
        const error = this.bodyErrors.get(req);
        this.bodyErrors.delete(req);
        next(error);
        return;
      }
      this.options.jsonParser(req, res, next);
    };
  }

  /** Called with each request's context once it is built: links it to its pending entry. */
  attach(req: IncomingMessage, context: object): void {
    const pending = this.pendingByRequest.get(req);
    // A property, not a WeakMap entry: Apollo runs the operation with a shallow copy of the
    // context, which copies it.
    if (pending) (context as Record<symbol, unknown>)[PENDING] = pending;
  }

  /** Marks a pending entry keepable when its result is; a no-op for every other request. */
  readonly plugin: ApolloServerPlugin = {
    requestDidStart: async ({ contextValue }) => {
      const pending = (contextValue as Record<symbol, PendingResponse | undefined>)[PENDING];
      if (!pending) return;
      return {
        async willSendResponse({ response, overallCachePolicy }) {
          if (response.body.kind !== 'single' || response.body.singleResult.errors) return;
          if ((response.http.status ?? 200) !== 200) return;
          const policy = overallCachePolicy.policyIfCacheable();
          if (!policy || policy.scope !== 'PUBLIC' || policy.maxAge <= 0) return;
          pending.maxAgeSeconds = policy.maxAge;
        },
      };
    },
  };

  /** Drops every entry (e.g. when this process knows the catalog changed). */
  clear(): void {
    this.entries.clear();
  }

  /** Answers from the cache (true), or sets the request up to be kept and lets it through. */
  private async lookUp(req: Request, res: Response): Promise<boolean> {
    const arrivedAt = Date.now();
    const request = await this.keyFor(req);
    if (request === null) return false;
    const { key, apiKey } = request;
    const version = await this.options.version.current();
    if (version !== this.lastVersion) {
      // Entries of other versions are never served again: free their memory now.
      this.entries.clear();
      this.lastVersion = version;
    }
    const cached = this.entries.get(key);
    if (cached && cached.version === version && cached.expiresAt > Date.now()) {
      try {
        this.options.admit({ ip: this.options.clientIp(req, apiKey), user: null });
      } catch {
        // Over budget: the full pipeline refuses it again, with its own 429 answer.
        return false;
      }
      this.send(res, cached, arrivedAt);
      return true;
    }
    const pending: PendingResponse = { key, version, maxAgeSeconds: null };
    this.pendingByRequest.set(req, pending);
    this.captureOnEnd(res, pending);
    return false;
  }

  /**
   * The request's cache key and API key, or null when it is not one to cache. The API key is
   * looked up the way the context does: an unknown or revoked one gets no entry (the pipeline
   * refuses it). The body is keyed as it came (a `documentId` is rewritten the same way every
   * time by the route, so the same body means the same request).
   */
  private async keyFor(
    req: Request,
  ): Promise<{ key: string; apiKey: ApiKeyPrincipal | null } | null> {
    const body: unknown = req.body;
    if (!isRecord(body)) return null;
    const { query } = body;
    if (query !== undefined && query !== null && typeof query !== 'string') return null;
    if (typeof query === 'string' && NOT_A_QUERY.test(query)) return null;
    const apiKey = await this.apiKeyOf(req);
    if (apiKey === undefined) return null;
    const caller = apiKey
      ? `key:${apiKey.id}:${apiKey.documentPolicy}:${[...apiKey.scopes].sort().join(',')}`
      : 'anonymous';
    const accept = req.headers.accept ?? '';
    return { key: `${caller}\n${accept}\n${canonicalJson(body)}`, apiKey };
  }

  /** The request's key: null without one, undefined when its token is unknown or revoked. */
  private async apiKeyOf(req: Request): Promise<ApiKeyPrincipal | null | undefined> {
    const token = req.headers['x-api-key'];
    if (token === undefined) return null;
    if (typeof token !== 'string') return undefined;
    return (await this.options.findApiKey(token)) ?? undefined;
  }

  /** Replays a kept answer; the request logger (already run) set `X-Request-Id` and logs it. */
  private send(res: Response, cached: CachedResponse, arrivedAt: number): void {
    const ageSeconds = Math.max(0, Math.floor((arrivedAt - cached.storedAt) / 1000));
    res.writeHead(200, [...cached.headers, 'Age', String(ageSeconds), 'X-Cache', 'hit']);
    res.end(cached.body);
  }

  /** Keeps the response when it ends, if the pipeline found it keepable. */
  private captureOnEnd(res: Response, pending: PendingResponse): void {
    const end = res.end;
    const capture = (chunk: unknown, encoding: unknown): void => {
      const maxAgeSeconds = pending.maxAgeSeconds;
      if (maxAgeSeconds === null || res.statusCode !== 200 || res.headersSent) return;
      const header = res.getHeader('cache-control');
      const match = typeof header === 'string' ? PUBLIC_CACHE_CONTROL.exec(header) : null;
      const headerMaxAge = Number(match?.[1] ?? 0);
      if (headerMaxAge <= 0 || res.getHeader('set-cookie') !== undefined) return;
      let body: Buffer;
      if (Buffer.isBuffer(chunk)) body = chunk;
      else if (typeof chunk === 'string') {
        body = Buffer.from(
          chunk,
          typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
        );
      } else return;
      const headers: (string | string[])[] = [];
      let bytes = ENTRY_OVERHEAD_BYTES + pending.key.length + body.length;
      // The names as they were set (the wire's spelling), not getHeaders()'s lower case.
      const names = (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames();
      for (const name of names) {
        if (PER_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
        const value = res.getHeader(name);
        if (value === undefined) continue;
        const text = Array.isArray(value) ? value : String(value);
        headers.push(name, text);
        bytes += name.length + (Array.isArray(text) ? text.join('').length : text.length);
      }
      const storedAt = Date.now();
      const ttlMs = Math.min(maxAgeSeconds, headerMaxAge) * 1000;
      this.entries.set(
        pending.key,
        { headers, body, version: pending.version, storedAt, expiresAt: storedAt + ttlMs },
        bytes,
      );
      res.setHeader('X-Cache', 'miss');
    };
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      const [chunk, encoding] = args;
      try {
        capture(typeof chunk === 'function' ? undefined : chunk, encoding);
      } catch {
        // Keeping a response is never worth failing it.
      }
      return (end as (...endArgs: unknown[]) => ServerResponse).apply(this, args);
    } as Response['end'];
  }
}

/** The largest /graphql body, bytes (100 KiB, as body-parser reads `'100kb'`). */
export const GRAPHQL_BODY_LIMIT_BYTES = 100 * 1024;

/** The /graphql route's body parser, shared by the cache and the route so both read alike. */
export function graphqlJsonParser(): RequestHandler {
  return express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES });
}
