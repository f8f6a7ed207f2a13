import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

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

/** The process logger: JSON lines on stdout (or `destination`, e.g. in tests), credentials redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'graphql-api' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
