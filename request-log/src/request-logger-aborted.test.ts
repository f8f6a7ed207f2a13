import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestLogger } from './request-logger';

// pino-http serialises the request when it arrives; requestLogger only when the line is
// written, after the response. For a request the client aborts (a slow or hostile client), the
// socket is gone by then: does the line still say who it was (req.remoteAddress)?

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

async function abortedLine(make: (logger: Logger) => Middleware): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const middleware = make(logger);
  // The route never answers: the client gives up.
  const server = createServer((req, res) => middleware(req, res, () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  for (let i = 0; i < 50 && lines.length === 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
}

it('logs the address of an aborted request, as pino-http does', async () => {
  const reference = await abortedLine((logger) => pinoHttp({ logger }) as unknown as Middleware);
  const ours = await abortedLine((logger) => requestLogger({ logger }));
  const addressOf = (line: Record<string, unknown>) =>
    (line.req as { remoteAddress?: unknown } | undefined)?.remoteAddress;
  expect(addressOf(reference)).toBe('127.0.0.1');
  expect({ msg: ours.msg, remoteAddress: addressOf(ours) }).toEqual({
    msg: reference.msg,
    remoteAddress: addressOf(reference),
  });
});
