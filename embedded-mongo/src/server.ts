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
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (error) {
        // The stream cannot be resynchronised after a bad length: drop this connection only.
        const message = error instanceof FramingError ? error.message : String(error);
        this.options.logger.warn(`connection ${connectionId}: ${message}; closing it`);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        queue = queue.then(() => this.handleFrame(frame, socket, context));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
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
