import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../src/app';
import type { ApiApp } from '../src/app';
import { createLogger } from '../src/logger';
import type { TestApi } from '../src/testing';
import { startApi } from './execute-operation';
import { unique } from './factories';

let api: TestApi;
let logged: ApiApp;
const lines: string[] = [];

beforeAll(async () => {
  api = await startApi();
  // A second app on the same database whose JSON logs (every level) land in `lines`.
  const logger = createLogger('trace', { write: (line: string) => lines.push(line) });
  logged = await createApp(api.config, { logger });
});
afterAll(async () => {
  await logged.stop();
  await api.stop();
});

const post = (body: unknown, headers: Record<string, string>) => {
  let call = request(logged.app).post('/graphql').set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  return call.send(JSON.stringify(body));
};

const logsOf = (requestId: string) => lines.filter((line) => line.includes(requestId)).join('\n');

describe('logs', () => {
  it('carry the request id but never passwords, tokens or API keys', async () => {
    const requestId = unique('req-redact');
    const headers = { 'X-API-Key': api.publicApiKey, 'X-Request-Id': requestId };
    const email = `${unique('logged')}@example.com`;
    const password = `pw-${unique('secret')}`;
    const signUp = await post(
      {
        query: 'mutation($input: SignUpInput!) { signUp(input: $input) { id } }',
        variables: { input: { name: 'Logged', email, password } },
      },
      headers,
    );
    expect(signUp.body.errors).toBeUndefined();
    const signIn = await post(
      {
        query:
          'mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken refreshToken } } }',
        variables: { input: { email, password } },
      },
      headers,
    );
    const { accessToken, refreshToken } = signIn.body.data.signIn as {
      accessToken: string;
      refreshToken: string;
    };
    const me = await post(
      { query: '{ me { id } }' },
      { ...headers, Authorization: `Bearer ${accessToken}` },
    );
    expect(me.body.errors).toBeUndefined();
    const refreshed = await post(
      {
        query: 'mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }',
        variables: { t: refreshToken },
      },
      headers,
    );
    const wrong = await post(
      {
        query:
          'mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }',
        variables: { input: { email, password: `${password}-wrong` } },
      },
      headers,
    );
    expect(wrong.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const text = logsOf(requestId);
    // The requests were logged (with their headers, redacted), so the checks below mean something.
    expect(text.split('\n').length).toBeGreaterThanOrEqual(5);
    expect(text).toContain('[redacted]');
    for (const secret of [
      password,
      accessToken,
      refreshToken,
      refreshed.body.data.refreshSession.refreshToken as string,
      api.publicApiKey,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs an unexpected failure while reading credentials and answers it masked with the request id', async () => {
    const requestId = unique('req-context');
    const spy = jest
      .spyOn(logged.services.apiKeys, 'findByToken')
      // Every lookup while the key store fails (the response cache looks the key up first).
      .mockRejectedValue(new Error('secret key-store detail'));
    try {
      const response = await post(
        { query: '{ movieTags }' },
        { 'X-API-Key': api.publicApiKey, 'X-Request-Id': requestId },
      );
      expect(response.status).toBe(500);
      expect(response.body.errors).toEqual([
        {
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
        },
      ]);
      expect(response.text).not.toContain('secret key-store detail');
      expect(response.text).not.toMatch(/stacktrace/i);
    } finally {
      spy.mockRestore();
    }
    const logged500 = lines
      .filter((line) => line.includes(requestId))
      .map((line) => JSON.parse(line) as { level: number; err?: { message?: string } });
    expect(logged500).toContainEqual(
      expect.objectContaining({
        level: 50,
        err: expect.objectContaining({ message: 'secret key-store detail' }),
      }),
    );
  });

  it('logs unexpected resolver errors with the request id', async () => {
    const requestId = unique('req-resolver');
    const spy = jest
      .spyOn(logged.services.movies, 'tags')
      .mockRejectedValueOnce(new Error('resolver detail'));
    try {
      const response = await post(
        { query: '{ movieTags }' },
        { 'X-API-Key': api.publicApiKey, 'X-Request-Id': requestId },
      );
      expect(response.body.errors[0].extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId,
      });
    } finally {
      spy.mockRestore();
    }
    expect(logsOf(requestId)).toContain('resolver detail');
  });

  it('logs a request answered from the response cache like any other, with its own id', async () => {
    const body = { query: '{ movies(first: 1) { totalCount } }' };
    const key = { 'X-API-Key': api.publicApiKey };
    const missId = unique('req-miss');
    const hitId = unique('req-hit');
    const miss = await post(body, { ...key, 'X-Request-Id': missId });
    const hit = await post(body, { ...key, 'X-Request-Id': hitId });
    expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual(['miss', 'hit']);
    expect(hit.headers['x-request-id']).toBe(hitId);
    const line = lines
      .map(
        (text) =>
          JSON.parse(text) as {
            req?: { id?: string };
            msg?: string;
            res?: { statusCode?: number; headers?: Record<string, string> };
          },
      )
      .find((entry) => entry.req?.id === hitId && entry.msg === 'request completed');
    expect(line?.res?.statusCode).toBe(200);
    expect(line?.res?.headers?.['x-cache']).toBe('hit');
    // The request's API key never reaches the log.
    expect(logsOf(hitId)).not.toContain(api.publicApiKey);
  });

  it('takes a client that goes away mid-body for what it is, not a fault', async () => {
    const server = createServer(logged.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const requestId = unique('req-aborted');
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          `X-API-Key: ${api.publicApiKey}\r\nX-Request-Id: ${requestId}\r\n` +
          'Content-Length: 500\r\n\r\n{"query": "{ movie',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const errors = lines
        .filter((line) => line.includes(requestId))
        .map((line) => JSON.parse(line) as { level: number; msg?: string })
        .filter((entry) => entry.level >= 50);
      expect(errors).toEqual([]);
      // And the server goes on answering.
      const after = await post({ query: '{ movieTags }' }, { 'X-API-Key': api.publicApiKey });
      expect(after.status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
