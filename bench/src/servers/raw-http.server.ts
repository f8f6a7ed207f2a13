import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, exitOnSignal, requireEnv } from './ready';

/**
 * P1's baseline: a bare node:http server answering every request with the exact bytes the API
 * sent for the same query (captured once by the harness). It still reads the request body, as
 * any server must before answering a POST. Also P6's canned API, where `BENCH_HEADERS` (JSON)
 * adds the headers the real API sent with that response (its Cache-Control).
 */
function main(): void {
  const body = readFileSync(requireEnv('BENCH_BODY_FILE'));
  const extra = JSON.parse(process.env.BENCH_HEADERS ?? '{}') as Record<string, string>;
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, {
        ...extra,
        'content-type': 'application/json; charset=utf-8',
        'content-length': body.length,
      });
      res.end(body);
    });
  });
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
