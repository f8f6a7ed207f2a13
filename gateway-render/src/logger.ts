import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import type { RenderConfig } from './config';

/**
 * The process logger: JSON lines (production, tests) or, in development, one short readable
 * line per entry through pino-pretty (a devDependency, so loaded only then).
 */
export function createLogger(config: Pick<RenderConfig, 'logLevel' | 'nodeEnv'>): Logger {
  if (config.nodeEnv !== 'development') return pino({ level: config.logLevel });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as (options: PrettyOptions) => DestinationStream;
  const stream: DestinationStream = pretty({
    translateTime: 'SYS:HH:MM:ss',
    // The message already says method, URL, status and time; the JSON logs keep the fields.
    ignore: 'pid,hostname,req,res,responseTime',
    singleLine: true,
  });
  return pino({ level: config.logLevel }, stream);
}

/** pino-http's message options (none: its defaults). */
export interface RequestLogMessages {
  customSuccessMessage?: (req: IncomingMessage, res: ServerResponse, ms: number) => string;
  customErrorMessage?: (req: IncomingMessage, res: ServerResponse, error: Error) => string;
}

/**
 * pino-http's messages for one short line per request (`GET /movies/123 200 12ms`, the URL
 * through `urlForLog` so secrets stay out) when `compact`; otherwise pino-http's own.
 */
export function requestLogMessages(
  compact: boolean,
  urlForLog: (url: string) => string,
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
