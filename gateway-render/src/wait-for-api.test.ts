import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiNotReadyError, readyUrlOf, waitForApi } from './wait-for-api';

/** A real local server whose /ready answers 503 `failures` times, then 200. */
async function startReadyServer(
  failures: number,
): Promise<{ server: Server; url: string; hits: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    res.statusCode = req.url === '/ready' && count > failures ? 200 : 503;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/ready`, hits: () => count };
}

describe('waitForApi', () => {
  it('derives the ready URL from the GraphQL endpoint', () => {
    expect(readyUrlOf('http://localhost:4100/graphql')).toBe('http://localhost:4100/ready');
  });

  it('polls until /ready answers 200, and says once what it waits for', async () => {
    const { server, url, hits } = await startReadyServer(3);
    const log = jest.fn();
    try {
      await waitForApi(url, { intervalMs: 10, timeoutMs: 5_000, log });
    } finally {
      server.close();
    }
    expect(hits()).toBe(4);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toMatch(
      /waiting for the API: GET http:\/\/127\.0\.0\.1:\d+\/ready \(HTTP 503\)/,
    );
  });

  it('gives up with a clear error when nothing answers in time', async () => {
    // A port that was free a moment ago: connection refused on every attempt.
    const { server, url } = await startReadyServer(0);
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    await expect(waitForApi(url, { intervalMs: 20, timeoutMs: 300 })).rejects.toThrow(
      ApiNotReadyError,
    );
    await expect(waitForApi(url, { intervalMs: 20, timeoutMs: 300 })).rejects.toThrow(
      /was not ready within 0\.3 s \(last: ECONNREFUSED\)\. Start it/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
