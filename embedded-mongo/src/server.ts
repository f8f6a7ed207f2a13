import * as net from 'node:net';
import type { CommandContext } from './commands';
import { CursorManager, helloReply, runCommand } from './commands';
import { ProtocolError, toErrorReply, MongoCommandError } from './errors';
import type { Logger } from './logger';
import type { Doc } from './query/documents';
import type { Store } from './storage/store';
import type { Frame } from './wire/frames';
import { FrameReader, FramingError, MAX_MESSAGE_SIZE_BYTES, OpCode } from './wire/frames';
import { encodeOpMsg, OpMsgFlags, parseOpMsg } from './wire/op-msg';
import { answerOpQuery } from './wire/op-query';

export interface WireServerOptions {
  store: Store;
  logger: Logger;
  host: string;
  maxMessageSizeBytes?: number;
  /** See {@link EmbeddedMongoOptions.frameTimeoutMs}; 0 turns it off. */
  frameTimeoutMs?: number;
  /** See {@link EmbeddedMongoOptions.idleTimeoutMs}; 0 turns it off. */
  idleTimeoutMs?: number;
  /** See {@link EmbeddedMongoOptions.maxPendingBytes}. */
  maxPendingBytes?: number;
}

/** Defaults of the connection limits; the reasons are on the options in index.ts. */
export const DEFAULT_FRAME_TIMEOUT_MS = 30_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 0;
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** A snapshot of the connections, for tests and diagnostics. */
export interface WireServerStats {
  /** Open client connections. */
  connections: number;
  /** Bytes buffered for frames not yet complete, across all connections. */
  pendingBytes: number;
}

const HANDSHAKE_COMMANDS = new Set(['hello', 'ismaster', 'isMaster']);

/**
 * The TCP side: one FrameReader per connection, frames handled strictly in order (a
 * connection's replies must come back in request order), and every failure contained to
 * the connection that caused it.
 */
export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  readonly cursors = new CursorManager();
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private readonly startedAt = new Date();
  /** Sum of every connection's FrameReader.pendingBytes, checked against maxPendingBytes. */
  private pendingBytes = 0;
  port = 0;

  constructor(private readonly options: WireServerOptions) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, this.options.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (error) =>
          this.options.logger.warn(`server error: ${error.message}`),
        );
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        resolve(this.port);
      });
    });
  }

  stats(): WireServerStats {
    return { connections: this.sockets.size, pendingBytes: this.pendingBytes };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.cursors.clear();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connectionId = this.nextConnectionId++;
    const maxMessageSizeBytes = this.options.maxMessageSizeBytes ?? MAX_MESSAGE_SIZE_BYTES;
    const reader = new FrameReader(maxMessageSizeBytes);
    const context: CommandContext = {
      store: this.options.store,
      cursors: this.cursors,
      db: 'admin',
      connectionId,
      logger: this.options.logger,
      startedAt: this.startedAt,
      host: this.options.host,
      port: this.port,
      maxMessageSizeBytes,
    };
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const name = `connection ${connectionId} from ${peer}`;
    const frameTimeoutMs = this.options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
    const idleTimeoutMs = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const maxPendingBytes = this.options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    // This connection's share of this.pendingBytes; given back exactly once when it closes.
    let accounted = 0;
    const account = (): void => {
      this.pendingBytes += reader.pendingBytes - accounted;
      accounted = reader.pendingBytes;
    };
    const release = (): void => {
      this.pendingBytes -= accounted;
      accounted = 0;
    };
    const drop = (reason: string): void => {
      this.options.logger.warn(`${name}: ${reason}; closing it`);
      release();
      socket.destroy();
    };
    // One socket timer, re-armed only when its meaning changes. socket.setTimeout counts time
    // without socket activity (not total time), so a slow but progressing frame is never cut
    // off, and Node's socket timers are unref'd: they never keep the process alive.
    let inFlight = 0;
    let armedMs = -1;
    let armedFor: 'frame' | 'idle' | 'busy' = 'idle';
    const arm = (): void => {
      // While a command runs the client is waiting for us, so that silence is not idleness.
      armedFor = reader.pendingBytes > 0 ? 'frame' : inFlight > 0 ? 'busy' : 'idle';
      const ms = armedFor === 'frame' ? frameTimeoutMs : armedFor === 'idle' ? idleTimeoutMs : 0;
      if (ms !== armedMs) {
        armedMs = ms;
        socket.setTimeout(ms);
      }
    };
    socket.on('timeout', () => {
      if (socket.destroyed) return;
      if (armedFor === 'frame') {
        drop(
          `no bytes for ${frameTimeoutMs} ms with a message incomplete ` +
            `(${reader.pendingBytes} of ${reader.pendingFrameLength ?? '?'} bytes received)`,
        );
      } else if (armedFor === 'idle') {
        // Asked for by idleTimeoutMs, so routine: drivers reconnect on their next operation.
        this.options.logger.info(`${name}: idle for ${idleTimeoutMs} ms; closing it`);
        socket.destroy();
      }
    });
    arm();
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (error) {
        // The stream cannot be resynchronised after a bad length: drop this connection only.
        drop(error instanceof FramingError ? error.message : String(error));
        return;
      }
      account();
      if (accounted > 0 && this.pendingBytes > maxPendingBytes) {
        // Bounds what N half-sent frames can hold; the connection that crosses the cap goes.
        drop(
          `incomplete messages would hold ${this.pendingBytes} bytes, over maxPendingBytes ` +
            `${maxPendingBytes}`,
        );
        return;
      }
      inFlight += frames.length;
      for (const frame of frames) {
        queue = queue
          .then(() => this.handleFrame(frame, socket, context))
          .then(() => {
            inFlight -= 1;
            if (!socket.destroyed) arm();
          });
      }
      arm();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      release();
      this.sockets.delete(socket);
    });
  }

  private async handleFrame(
    frame: Frame,
    socket: net.Socket,
    context: CommandContext,
  ): Promise<void> {
    if (socket.destroyed) return;
    try {
      const reply = await this.dispatch(frame, context);
      if (reply && !socket.destroyed) socket.write(reply);
    } catch (error) {
      this.options.logger.warn(
        `connection ${context.connectionId}: ${error instanceof Error ? error.message : String(error)}; closing it`,
      );
      socket.destroy();
    }
  }

  private async dispatch(frame: Frame, context: CommandContext): Promise<Buffer | undefined> {
    const requestId = this.nextRequestId++;
    const { header } = frame;
    if (header.opCode === OpCode.MSG) {
      let command: Doc;
      let flags = 0;
      try {
        const parsed = parseOpMsg(frame);
        command = parsed.command;
        flags = parsed.flags;
      } catch (error) {
        // The frame's length was sound, so the connection can go on after an error reply.
        return encodeOpMsg(requestId, header.requestId, toErrorReply(error));
      }
      const db = command.$db;
      const reply = await runCommand(command, {
        ...context,
        db: typeof db === 'string' ? db : 'admin',
      });
      // moreToCome from the client means an unacknowledged write: no reply is expected.
      if (flags & OpMsgFlags.moreToCome) return undefined;
      try {
        return encodeOpMsg(requestId, header.requestId, reply);
      } catch (error) {
        // e.g. a result document over 16 MB: answer with an error rather than drop the connection.
        return encodeOpMsg(requestId, header.requestId, toErrorReply(error));
      }
    }
    if (header.opCode === OpCode.QUERY) {
      return answerOpQuery(frame, requestId, (command) => {
        const name = Object.keys(command)[0];
        if (name === undefined || !HANDSHAKE_COMMANDS.has(name)) {
          return new MongoCommandError(
            'UnsupportedOpQueryCommand',
            `Unsupported OP_QUERY command: ${String(name)}. The client driver may require an upgrade.`,
          ).toReply();
        }
        return helloReply(context, name !== 'hello');
      });
    }
    throw new ProtocolError(`unsupported opCode ${header.opCode}`);
  }
}
