import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One GraphQL call as the API would receive it. */
export interface ProxiedCall {
  operation: string;
  headers: IncomingHttpHeaders;
  /** The JSON body as sent (`query` absent when only a persisted document id went out). */
  body: Record<string, unknown>;
}

/** Options for {@link startApiProxy}. */
export interface ApiProxyOptions {
  /** Holds each call this long before passing it on (a slow API). */
  delayMs?: number;
  /** Passes the API's Cache-Control on (default: dropped, so nothing is cached behind the proxy). */
  passCacheControl?: boolean;
}

/**
 * A recording pass-through in front of the real API: the render server under test points its
 * API_URL here, and the test sees what the API receives (operation names, headers) or makes
 * the API slow.
 */
export async function startApiProxy(
  apiUrl: string,
  options: ApiProxyOptions = {},
): Promise<{ url: string; calls: ProxiedCall[]; close(): Promise<void> }> {
  const calls: ProxiedCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      calls.push({ operation: String(parsed.operationName), headers: req.headers, body: parsed });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length') {
          headers[name] = value;
        }
      }
      const forward = () =>
        fetch(apiUrl, { method: req.method, headers, body })
          .then(async (apiResponse) => {
            const cacheControl = apiResponse.headers.get('cache-control');
            res.writeHead(apiResponse.status, {
              'content-type': apiResponse.headers.get('content-type') ?? 'application/json',
              ...(options.passCacheControl && cacheControl
                ? { 'cache-control': cacheControl }
                : {}),
            });
            res.end(Buffer.from(await apiResponse.arrayBuffer()));
          })
          .catch(() => {
            if (!res.headersSent) res.writeHead(502);
            res.end();
          });
      setTimeout(() => void forward(), options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
