import express from 'express';
import type { ErrorRequestHandler } from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { requestLogMessages, requestLogger } from './request-logger';
import type { RequestLoggerOptions } from './request-logger';

type Variant = 'render' | 'api';

/**
 * The options each server gives the request logger, with a logger writing into `lines`: the
 * render server's (redaction, its own serializers, compact lines with the query cut off) and
 * the API's (the root logger redacts, request ids from a header, /health not logged).
 */
function options(
  lines: string[],
  level: string,
  compact: boolean,
  variant: Variant,
): RequestLoggerOptions {
  const write = { write: (line: string) => void lines.push(line) };
  if (variant === 'api') {
    let id = 0;
    return {
      logger: pino(
        { level, redact: { paths: ['req.headers.cookie'], censor: '[redacted]' } },
        write,
      ),
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const value = typeof given === 'string' ? given : `generated-${(id += 1)}`;
        res.setHeader('X-Request-Id', value);
        return value;
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
      ...requestLogMessages(compact),
    };
  }
  return {
    logger: pino({ level }, write),
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization'], censor: '[redacted]' },
    serializers: {
      req: (req) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
    ...requestLogMessages(compact, (url) => url.split('?')[0] ?? url),
  };
}

/** An app whose routes answer, fail, and log through `req.log`, as the render server's do. */
function appWith(
  middleware: (req: express.Request, res: express.Response, next: () => void) => void,
) {
  const app = express();
  app.use(middleware);
  app.get('/ok', (req, res) => {
    req.log.warn({ detail: 1 }, 'a route warning');
    res.send('ok');
  });
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  app.get('/items/:id', (req, res) => {
    req.log.warn('a routed warning');
    res.send(req.params.id);
  });
  app.get('/fails', () => {
    throw new Error('boom');
  });
  const handler: ErrorRequestHandler = (error: Error, req, res, _next) => {
    req.log.error({ err: error }, 'request failed');
    res.status(500).send('failed');
  };
  app.use(handler);
  return app;
}

/** The lines without what differs from run to run (time, duration, stack frames). */
function comparable(lines: string[]): unknown[] {
  return lines.map((line) => {
    const entry = JSON.parse(line) as Record<string, unknown> & { err?: { stack?: string } };
    delete entry.time;
    // The standard serializer's connection details differ per app (another port each run).
    const req = entry.req as
      { headers?: Record<string, unknown>; remotePort?: unknown } | undefined;
    delete req?.headers?.host;
    delete req?.remotePort;
    if ('responseTime' in entry) entry.responseTime = 'ms';
    if (typeof entry.msg === 'string') entry.msg = entry.msg.replace(/ \d+ms$/, ' ms');
    if (entry.err?.stack) entry.err.stack = entry.err.stack.split('\n')[0];
    return entry;
  });
}

async function linesOf(
  make: (options: RequestLoggerOptions) => Parameters<typeof appWith>[0],
  level: string,
  compact: boolean,
  variant: Variant,
): Promise<unknown[]> {
  const lines: string[] = [];
  const app = appWith(make(options(lines, level, compact, variant)));
  for (const path of ['/ok?token=secret', '/fails', '/missing', '/health', '/items/7']) {
    await request(app)
      .get(path)
      .set('Cookie', 'access_token=secret')
      .set('X-Request-Id', `id-${path}`);
  }
  await request(app).get('/ok');
  return comparable(lines);
}

describe('requestLogger', () => {
  it.each([
    ['info', false, 'render'],
    ['info', true, 'render'],
    ['warn', false, 'render'],
    ['info', false, 'api'],
    ['info', true, 'api'],
    ['warn', false, 'api'],
  ] as const)(
    'writes what pino-http writes (level %s, compact %s, %s options)',
    async (level, compact, variant) => {
      const ours = await linesOf((o) => requestLogger(o), level, compact, variant);
      const theirs = await linesOf((o) => pinoHttp(o), level, compact, variant);
      expect(ours).toEqual(theirs);
      expect(ours.length).toBeGreaterThan(0);
      // The cookie is redacted in both; the render server's serializer also drops the query.
      expect(JSON.stringify(ours)).not.toContain('access_token=secret');
      if (variant === 'render') expect(JSON.stringify(ours)).not.toContain('secret');
    },
  );
});
