import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** The port {@link listen} was asked for is taken; the message says what to do. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number) {
    super(
      `port ${port} is already in use (is another render server running?): stop that process or set RENDER_PORT`,
    );
  }
}

/**
 * Starts `app` on `port` (0 = any free port) and resolves with the server and its real port
 * once it listens; rejects with a {@link PortInUseError} when the port is taken (express's
 * `app.listen` callback alone would never hear of it).
 */
export async function listen(
  app: Express,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = app.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
