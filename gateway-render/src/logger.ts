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

// Request lines: pino-http's output without its per-request cost (the request-log workspace).
export { requestLogger, requestLogMessages } from 'request-log';
export type { RequestLoggerOptions, RequestLogMessages } from 'request-log';
