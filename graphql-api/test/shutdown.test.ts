import http from 'node:http';
import net from 'node:net';
import { listen } from '../src/http-server';
import type { TestApi } from '../src/testing';
import { startApi } from './execute-operation';

let api: TestApi;
beforeAll(async () => {
  // Each test's `{ movieTags }` must reach its held resolver: no response cache answering it.
  api = await startApi({ RESPONSE_CACHE_MAX_BYTES: '0' });
});
afterAll(() => api.stop());

/** A `{ movieTags }` resolver that waits until the test lets it go, and says when it started. */
function holdMovieTags(): { started: Promise<void>; release(): void; restore(): void } {
  let markStarted = (): void => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const spy = jest.spyOn(api.api.services.movies, 'tags').mockImplementationOnce(async () => {
    markStarted();
    await gate;
    return ['held'];
  });
  return { started, release: () => release(), restore: () => spy.mockRestore() };
}

/** POSTs `{ movieTags }` on a keep-alive connection; resolves with status and body. */
function postMovieTags(port: number, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'X-API-Key': api.publicApiKey },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ movieTags }' }));
  });
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown', () => {
  it('refuses new connections at once but finishes the request in flight', async () => {
    // Neither the grace period nor the keep-alive timeout may be what ends the drain here.
    const running = await listen(api.api.app, 0, { host: '127.0.0.1', graceMs: 10 * 60_000 });
    running.server.keepAliveTimeout = 10 * 60_000;
    const agent = new http.Agent({ keepAlive: true });
    const held = holdMovieTags();
    try {
      const inFlight = postMovieTags(running.port, agent);
      await held.started;
      const closed = running.close();
      expect(await connectionRefused(running.port)).toBe(true);
      held.release();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ data: { movieTags: ['held'] } });
      // Resolves once the (keep-alive) connection of that request is closed too.
      await closed;
      expect(running.server.listening).toBe(false);
    } finally {
      held.release();
      held.restore();
      agent.destroy();
    }
  });

  it('cuts a request that outlives the grace period instead of hanging forever', async () => {
    const running = await listen(api.api.app, 0, { host: '127.0.0.1', graceMs: 50 });
    const agent = new http.Agent({ keepAlive: true });
    const held = holdMovieTags();
    try {
      const inFlight = postMovieTags(running.port, agent);
      await held.started;
      await running.close();
      await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
    } finally {
      held.release();
      held.restore();
      agent.destroy();
    }
  });
});
