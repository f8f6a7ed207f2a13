import type { IncomingMessage, ServerResponse } from 'node:http';
import { stdSerializers } from 'pino';
import type { Logger, SerializedError, SerializedRequest, SerializedResponse } from 'pino';

/** A request's id, as pino-http types it. */
export type ReqId = number | string | object;

// What the middleware adds to requests and responses, declared as pino-http declares it (the
// same types, so both may be loaded together).
declare module 'http' {
  interface IncomingMessage {
    id: ReqId;
    log: Logger;
  }
  interface ServerResponse {
    err?: Error | undefined;
  }
}

/** pino-http's message options (none: its defaults). */
export interface RequestLogMessages {
  customSuccessMessage?: (req: IncomingMessage, res: ServerResponse, ms: number) => string;
  customErrorMessage?: (req: IncomingMessage, res: ServerResponse, error: Error) => string;
}

/** Options of {@link requestLogger}: the part of pino-http's options in use, same meaning. */
export interface RequestLoggerOptions extends RequestLogMessages {
  /** The logger the request lines (and `req.log`) derive from. */
  logger: Logger;
  /** The request's id (`req.id`); default: a counter per middleware, as pino-http's. */
  genReqId?: (req: IncomingMessage, res: ServerResponse) => ReqId;
  /** false: no request lines; `ignore`: none for the requests it accepts. Default: every request. */
  autoLogging?: boolean | { ignore?: (req: IncomingMessage) => boolean };
  /** Paths never written (pino's `redact`), applied to the request lines and `req.log`. */
  redact?: { paths: string[]; censor?: string };
  /**
   * Serializers for `req`, `res` and `err`; like pino-http, each receives what pino's standard
   * serializer made of the object (a custom `req` serializer sees `{ id, method, url, … }`).
   */
  serializers?: {
    req?: (req: SerializedRequest) => Record<string, unknown>;
    res?: (res: SerializedResponse) => Record<string, unknown>;
    err?: (err: SerializedError) => Record<string, unknown>;
  };
}

/** A request with what {@link requestLogger} adds (as pino-http does). */
type LoggedRequest = IncomingMessage & { params?: unknown };

/**
 * pino-http's middleware with its output (the same `req.id`, `req.log` bindings, line fields,
 * messages and level) at a fraction of its cost per request. pino-http builds
 * `logger.child({ req })` for every request up front, which serializes and redacts the request
 * although at the production level (`warn`) no request line is written and nearly every request
 * logs nothing else. Here `req.log` is that same child (the request as it was when it arrived:
 * express changes `req.params` as it routes, and an aborted request loses its socket), built
 * when first read; the one line at the end
 * (level `info`, as pino-http writes it) is written only when `info` is enabled, and without it
 * no listeners are added either.
 */
export function requestLogger(
  options: RequestLoggerOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const { genReqId, customSuccessMessage, customErrorMessage } = options;
  const serializers = options.serializers ?? {};
  // What pino-http makes of its options: the serializers wrapped around the standard ones.
  const logger = options.logger.child(
    {},
    {
      ...(options.redact ? { redact: options.redact } : {}),
      serializers: {
        req: serializers.req
          ? stdSerializers.wrapRequestSerializer(serializers.req)
          : stdSerializers.req,
        res: serializers.res
          ? stdSerializers.wrapResponseSerializer(serializers.res)
          : stdSerializers.res,
        err: serializers.err
          ? stdSerializers.wrapErrorSerializer(serializers.err)
          : stdSerializers.err,
      },
    },
  );
  const autoLogging = options.autoLogging !== false;
  const ignore = typeof options.autoLogging === 'object' ? options.autoLogging.ignore : undefined;
  let nextId = 0;

  return (request, res, next) => {
    const req = request as LoggedRequest;
    req.id ??= genReqId ? genReqId(req, res) : (nextId = (nextId + 1) & 0x7fffffff);
    let requestLog: Logger | undefined;
    const { params } = req;
    // The peer as it was on arrival: a request the client gave up on has no socket by the time
    // its line is written (pino-http serialises the request on arrival).
    const { remoteAddress, remotePort } = req.socket;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: () =>
        (requestLog ??= logger.child({
          req: Object.create(req, {
            params: { value: params, enumerable: true },
            socket: { value: { remoteAddress, remotePort } },
          }) as unknown,
        })),
      set: (value: Logger) => {
        requestLog = value;
      },
    });
    if (!autoLogging || !logger.isLevelEnabled('info')) {
      next();
      return;
    }
    const startedAt = Date.now();
    const logged = !ignore?.(req);
    const onDone = (error?: Error): void => {
      res.off('close', onDone);
      res.off('finish', onDone);
      res.off('error', onDone);
      const responseTime = Date.now() - startedAt;
      const log = req.log as Logger;
      const failure =
        error ??
        (res as ServerResponse & { err?: Error }).err ??
        (res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : null);
      if (failure) {
        log.info(
          { res, err: failure, responseTime },
          customErrorMessage ? customErrorMessage(req, res, failure) : 'request errored',
        );
        return;
      }
      log.info(
        { res, responseTime },
        customSuccessMessage
          ? customSuccessMessage(req, res, responseTime)
          : !req.readableAborted && res.writableEnded
            ? 'request completed'
            : 'request aborted',
      );
    };
    if (logged) {
      res.on('close', onDone);
      res.on('finish', onDone);
    }
    res.on('error', onDone);
    next();
  };
}

/**
 * pino-http's messages for one short line per request (`GET /movies/123 200 12ms`, the URL
 * through `urlForLog`, so secrets in it stay out) when `compact`; otherwise pino-http's own.
 */
export function requestLogMessages(
  compact: boolean,
  urlForLog: (url: string) => string = (url) => url,
): RequestLogMessages {
  if (!compact) return {};
  const line = (req: IncomingMessage, status: number): string =>
    `${req.method ?? '?'} ${urlForLog(originalUrl(req))} ${status}`;
  return {
    customSuccessMessage: (req, res, ms) => `${line(req, res.statusCode)} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res, error) => `${line(req, res.statusCode)} ${error.message}`,
  };
}

/** The URL as the client sent it: express's mounted routers strip their prefix from `req.url`. */
function originalUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
}
