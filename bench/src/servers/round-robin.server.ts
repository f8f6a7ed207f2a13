import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * P10's load balancer: a plain node:http round-robin proxy in its own process. Each request
 * goes to the next upstream in turn (`BENCH_UPSTREAMS`, JSON array of base URLs), method, path,
 * headers and body as received; the answer is streamed back as the upstream gave it. The same
 * script runs in front of one API and in front of two, so the proxy's cost is on both sides.
 */
function main(): void {
  const upstreams = (JSON.parse(requireEnv('BENCH_UPSTREAMS')) as string[]).map((u) => new URL(u));
  if (upstreams.length === 0) throw new TypeError('BENCH_UPSTREAMS must name at least one server');
  let next = 0;
  const server = createServer((req, res) => {
    const target = upstreams[next % upstreams.length] as URL;
    next += 1;
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  // Upstream connections are kept alive (Node's global agent does), as a load balancer's are.
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    exitOnSignal(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    announceReady({ url: `http://127.0.0.1:${port}` });
  });
}

main();
