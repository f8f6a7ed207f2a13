import pino from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { PrettyOptions } from 'pino-pretty';

export type { Logger };

/** Paths never written to the logs (credentials, passwords, tokens). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  'variables.input.password',
  'variables.refreshToken',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * One short readable line per entry on stdout (pino-pretty; development), instead of JSON
   * lines (production, tests). Ignored with a `destination`.
   */
  pretty?: boolean;
}

/**
 * The process logger: JSON lines on stdout (or `destination`, e.g. in tests), credentials
 * redacted; with `pretty`, readable lines for a person at a terminal.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  loggerOptions: LoggerOptions = {},
): Logger {
  const options = {
    level,
    base: { service: 'graphql-api' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  return loggerOptions.pretty ? pino(options, prettyStream()) : pino(options);
}

/**
 * pino-pretty, loaded only when asked for: it is a devDependency, absent from a production
 * install. The request fields are left out (the message already says method, URL, status and
 * time; the JSON logs keep them), other fields stay, on the same line.
 */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as (options: PrettyOptions) => DestinationStream;
  return pretty({
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,req,res,responseTime,reqId',
    singleLine: true,
  });
}

/** pino-http's message options (none: its defaults). */
export interface RequestLogMessages {
  customSuccessMessage?: (req: IncomingMessage, res: ServerResponse, ms: number) => string;
  customErrorMessage?: (req: IncomingMessage, res: ServerResponse, error: Error) => string;
}

/**
 * pino-http's messages for one short line per request (`GET /graphql 200 12ms`) when
 * `compact`; otherwise none, keeping pino-http's own messages in the JSON logs.
 */
export function requestLogMessages(
  compact: boolean,
  urlForLog: (url: string) => string = (url) => url,
): RequestLogMessages {
  if (!compact) return {};
  const line = (req: IncomingMessage, status: number): string =>
    `${req.method ?? '?'} ${urlForLog(originalUrl(req))} ${status}`;
  return {
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number): string =>
      `${line(req, res.statusCode)} ${Math.round(ms)}ms`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse, error: Error): string =>
      `${line(req, res.statusCode)} ${error.message}`,
  };
}

/** The URL as the client sent it: express's mounted routers strip their prefix from `req.url`. */
function originalUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
}

/** Options of {@link requestLogger}: the part of pino-http's options the API uses, same meaning. */
export type RequestLoggerOptions = Pick<
  PinoHttpOptions,
  'genReqId' | 'autoLogging' | 'customSuccessMessage' | 'customErrorMessage'
> & {
  /** The logger the request lines (and `req.log`) derive from. */
  logger: Logger;
};

/**
 * pino-http's middleware, with its output (same `req.id`, `req.log` bindings, line fields,
 * messages and level), at a fraction of its cost per request. pino-http builds
 * `logger.child({ req })` for every request up front, serializing and redacting all of the
 * request's headers, although at the production level (`warn`) no request line is written and
 * most requests never log anything else. Here `req.log` is that same child, built when first
 * read; the one line at the end (level `info`, as pino-http writes it) is written only when
 * `info` is enabled, and without it no listeners are added either.
 */
export function requestLogger(
  options: RequestLoggerOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  // pino-http's logger: the standard serializers for `req`, `res` and `err` (pino-http wraps
  // them, which for the standard ones returns them unchanged).
  const { stdSerializers } = pino;
  const logger = options.logger.child(
    {},
    { serializers: { req: stdSerializers.req, res: stdSerializers.res, err: stdSerializers.err } },
  );
  const { genReqId, customSuccessMessage, customErrorMessage } = options;
  const autoLogging = options.autoLogging !== false;
  const ignore = typeof options.autoLogging === 'object' ? options.autoLogging.ignore : undefined;
  let nextId = 0;

  return (req, res, next) => {
    req.id ??= genReqId ? genReqId(req, res) : (nextId = (nextId + 1) & 0x7fffffff);
    let requestLog: Logger | undefined;
    // The route parameters as pino-http saw them: express changes `req.params` as it routes.
    const { params } = req as { params?: unknown };
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: () =>
        (requestLog ??= logger.child({
          req: Object.create(req, { params: { value: params, enumerable: true } }) as unknown,
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
      const failure =
        error ??
        res.err ??
        (res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : null);
      if (failure) {
        req.log.info(
          { res, err: failure, responseTime },
          customErrorMessage ? customErrorMessage(req, res, failure) : 'request errored',
        );
        return;
      }
      req.log.info(
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
