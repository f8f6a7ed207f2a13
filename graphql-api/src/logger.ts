import pino from 'pino';
import type { Logger } from 'pino';

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

/** The process logger: JSON lines, credentials redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'graphql-api' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}
