import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy passed it on. */
export interface RoutedRequest {
  /** Index of the upstream it went to (in the order given to `setUpstreams`). */
  upstream: number;
  method: string;
  url: string;
  /** The GraphQL `operationName` of a JSON body that has one. */
  operationName?: string;
}

/** A round-robin load balancer in front of several processes (see {@link startRoundRobinProxy}). */
export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request passed on so far, in the order they were sent upstream. */
  routed: RoutedRequest[];
  setUpstreams(origins: string[]): void;
  /**
   * Holds requests of one GraphQL operation until `count` of them have arrived (or `timeoutMs`
   * passed), then passes them on together. They are sent upstream one after the other, so
   * with two upstreams two held requests go to different processes. Resolves with how many were
   * held. For tests that need two processes to handle the same request at the same moment.
   */
  holdTogether(operationName: string, count: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A plain `node:http` round-robin proxy: each request goes to the next upstream in turn (no
 * stickiness of any kind, not even per connection), with its method, path, headers (Host
 * included, as a load balancer keeps it) and body; the answer comes back as the upstream gave
 * it, every Set-Cookie included. An upstream that cannot be reached gives 502.
 */
export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let upstreams: URL[] = [];
  let next = 0;
  const routed: RoutedRequest[] = [];
  let gate:
    { operationName: string; count: number; held: (() => void)[]; open: () => void } | undefined;

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    operationName: string | undefined,
  ): void => {
    if (upstreams.length === 0) {
      res.writeHead(503).end();
      return;
    }
    const index = next % upstreams.length;
    next += 1;
    const target = upstreams[index] as URL;
    routed.push({
      upstream: index,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      operationName,
    });
    const upstreamRequest = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstreamRequest.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operationName = graphqlOperationName(req, body);
      const send = () => forward(req, res, body, operationName);
      if (gate && operationName === gate.operationName) {
        gate.held.push(send);
        if (gate.held.length >= gate.count) gate.open();
        return;
      }
      send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    routed,
    setUpstreams(origins) {
      upstreams = origins.map((origin) => new URL(origin));
    },
    holdTogether(operationName, count, timeoutMs = 3000) {
      return new Promise<number>((resolve) => {
        const open = (): void => {
          clearTimeout(timer);
          const held = gate?.held ?? [];
          gate = undefined;
          for (const send of held) send();
          resolve(held.length);
        };
        const timer = setTimeout(open, timeoutMs);
        gate = { operationName, count, held: [], open };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function graphqlOperationName(req: IncomingMessage, body: Buffer): string | undefined {
  if (!req.headers['content-type']?.includes('json') || body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { operationName?: unknown };
    return typeof parsed.operationName === 'string' ? parsed.operationName : undefined;
  } catch {
    return undefined;
  }
}
