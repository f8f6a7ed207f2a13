import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';

/** Options of {@link listen}. */
export interface ListenOptions {
  /** Interface to bind (default: every interface, like `app.listen(port)`). */
  host?: string;
  /** How long `close()` lets in-flight requests run before cutting their connections (default 10 s). */
  graceMs?: number;
  /** Where a forced close is reported. */
  logger?: Logger;
}

/** A listening server of the API. */
export interface RunningServer {
  server: Server;
  /** The bound port (the real one when asked for port 0). */
  port: number;
  /**
   * Graceful stop: refuses new connections at once, lets in-flight requests finish (cutting
   * them after `graceMs`), closes keep-alive connections as soon as they are idle, and resolves
   * when every connection is gone. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;

/** The port {@link listen} was asked for is taken; the message says what to do. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number) {
    super(
      `port ${port} is already in use (is another API running?): stop that process or set API_PORT`,
    );
  }
}

/**
 * Starts `app` (the API's request handler) on `port` (0 = any free port); shared by index.ts
 * and the test API. Rejects
 * with a {@link PortInUseError} when the port is taken.
 */
export async function listen(
  app: RequestListener,
  port: number,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const server = createServer(app);
  if (options.host === undefined) server.listen(port);
  else server.listen(port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
    });
  });
  const address = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  // A keep-alive connection whose request finishes during the drain would otherwise stay
  // open (idle) until its keep-alive timeout and hold close() up: tell the client it ends and
  // close it as soon as it is idle.
  // Prepended so it runs before express, which may answer synchronously (headers sent).
  server.prependListener('request', (_req, res) => {
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      const force = setTimeout(() => {
        options.logger?.warn('in-flight requests did not finish in time; closing connections');
        server.closeAllConnections();
      }, options.graceMs ?? DEFAULT_GRACE_MS);
      force.unref();
      server.close((error) => {
        clearTimeout(force);
        if (error) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  return { server, port: address.port, close };
}
