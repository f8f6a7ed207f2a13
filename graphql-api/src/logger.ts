import pino from 'pino';
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

// Request lines: pino-http's output without its per-request cost (the request-log workspace).
export { requestLogger, requestLogMessages } from 'request-log';
export type { RequestLoggerOptions, RequestLogMessages } from 'request-log';
