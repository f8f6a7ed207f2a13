import pino from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
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
