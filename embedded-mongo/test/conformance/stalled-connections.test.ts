import { BSON } from 'bson';
import { MongoClient } from 'mongodb';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmbeddedMongo, EmbeddedMongoOptions, Logger } from '../../src/index';
import { startEmbeddedMongo } from '../../src/index';
import { hostAndPort, opMsg } from '../wire-client';

// Connection limits of the embedded server itself (frameTimeoutMs, idleTimeoutMs,
// maxPendingBytes): these tests start their own instances, also when MONGODB_URI points the rest
// of the suite at a mongod, because mongod has no such settings to test.

const ANNOUNCED = 48_000_000;

/** A 16-byte OP_MSG header announcing `length` bytes: the start of a frame, nothing more. */
function header(length: number): Buffer {
  const frame = Buffer.alloc(16);
  frame.writeInt32LE(length, 0);
  frame.writeInt32LE(1, 4);
  frame.writeInt32LE(2013, 12);
  return frame;
}

/** A raw connection that records when the server closed it and what it answered. */
interface RawConnection {
  socket: net.Socket;
  closed: Promise<number>;
  replies: Record<string, unknown>[];
}

async function connect(server: EmbeddedMongo): Promise<RawConnection> {
  const { host, port } = hostAndPort(server.uri);
  const socket = net.connect({ host, port });
  const replies: Record<string, unknown>[] = [];
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= 4 && received.length >= received.readInt32LE(0)) {
      const length = received.readInt32LE(0);
      replies.push(BSON.deserialize(received.subarray(21, length)));
      received = received.subarray(length);
    }
  });
  const closed = new Promise<number>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Date.now()));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, replies };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new RangeError('condition not met within the deadline');
    await sleep(10);
  }
}

function capturingLogger(): Logger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    warn: (message) => warnings.push(message),
    info: (message) => infos.push(message),
  };
}

describe('embedded server only: stalled and idle connections', () => {
  const running: EmbeddedMongo[] = [];
  const sockets: net.Socket[] = [];

  async function start(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
    const server = await startEmbeddedMongo(options);
    running.push(server);
    return server;
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(running.splice(0).map((server) => server.stop()));
  });

  it('holds only the bytes received for a frame announcing 48 MB, and closes it after the stall limit', async () => {
    const logger = capturingLogger();
    const server = await start({ logger, frameTimeoutMs: 500 });
    const before = process.memoryUsage().arrayBuffers;
    const raw = await connect(server);
    sockets.push(raw.socket);
    raw.socket.write(Buffer.concat([header(ANNOUNCED), Buffer.alloc(48)]));
    const sentAt = Date.now();
    await until(() => server.stats().pendingBytes === 64);
    // The announced length is checked, never allocated (the server runs in this process).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    const closedAt = await raw.closed;
    expect(closedAt - sentAt).toBeGreaterThanOrEqual(450);
    expect(closedAt - sentAt).toBeLessThan(3000);
    // The client can see the close a moment before the server's own 'close' event runs.
    await until(() => server.stats().connections === 0);
    expect(server.stats().pendingBytes).toBe(0);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/from 127\.0\.0\.1:\d+: no bytes for 500 ms/);
    expect(logger.warnings[0]).toMatch(/64 of 48000000 bytes received/);
  });

  it('closes the connection whose half-sent frame crosses maxPendingBytes; the others at the stall limit', async () => {
    const logger = capturingLogger();
    const server = await start({ logger, frameTimeoutMs: 2000, maxPendingBytes: 1024 * 1024 });
    const part = Buffer.concat([header(ANNOUNCED), Buffer.alloc(400 * 1024 - 16)]);
    const conns: RawConnection[] = [];
    for (let i = 0; i < 3; i += 1) {
      const raw = await connect(server);
      sockets.push(raw.socket);
      conns.push(raw);
    }
    conns[0].socket.write(part);
    await until(() => server.stats().pendingBytes === part.length);
    conns[1].socket.write(part);
    await until(() => server.stats().pendingBytes === 2 * part.length);
    const thirdSentAt = Date.now();
    conns[2].socket.write(part);
    const thirdClosedAt = await conns[2].closed;
    // Closed for the cap, well before the 2 s stall limit, and its bytes given back.
    expect(thirdClosedAt - thirdSentAt).toBeLessThan(1000);
    await until(() => server.stats().connections === 2);
    expect(server.stats().pendingBytes).toBe(2 * part.length);
    expect(logger.warnings).toEqual([expect.stringMatching(/over maxPendingBytes 1048576/)]);
    const [first, second] = await Promise.all([conns[0].closed, conns[1].closed]);
    expect(first - thirdSentAt).toBeGreaterThanOrEqual(1500);
    expect(second - thirdSentAt).toBeGreaterThanOrEqual(1500);
    await until(() => server.stats().connections === 0);
    expect(server.stats().pendingBytes).toBe(0);
    expect(logger.warnings).toHaveLength(3);
  });

  it('completes a 10 MB frame sent in pieces over longer than the stall limit, pausing less than it', async () => {
    const server = await start({ logger: capturingLogger(), frameTimeoutMs: 500 });
    const frame = opMsg({
      insert: 'slow',
      documents: [{ _id: 1, pad: 'x'.repeat(10 * 1024 * 1024) }],
      $db: 'stalled',
    });
    const raw = await connect(server);
    sockets.push(raw.socket);
    const pieces = 10;
    const size = Math.ceil(frame.length / pieces);
    const startedAt = Date.now();
    for (let i = 0; i < pieces; i += 1) {
      raw.socket.write(frame.subarray(i * size, (i + 1) * size));
      if (i < pieces - 1) await sleep(250);
    }
    await until(() => raw.replies.length === 1);
    expect(Date.now() - startedAt).toBeGreaterThan(2000);
    expect(raw.replies[0]).toMatchObject({ ok: 1, n: 1 });
    expect(server.stats()).toEqual({ connections: 1, pendingBytes: 0 });
  });

  it('keeps the real driver working with the limits on, across an idle pause shorter than idleTimeoutMs', async () => {
    const logger = capturingLogger();
    const server = await start({
      logger,
      frameTimeoutMs: 500,
      idleTimeoutMs: 3000,
      maxPendingBytes: 16 * 1024 * 1024,
    });
    const client = await MongoClient.connect(server.uri);
    try {
      const movies = client.db('stalled').collection('movies');
      await movies.insertOne({ name: 'big', pad: 'x'.repeat(5 * 1024 * 1024) });
      await movies.insertMany(Array.from({ length: 1000 }, (_, i) => ({ i })));
      await sleep(1000);
      expect(await movies.countDocuments()).toBe(1001);
      const big = await movies.findOne({ name: 'big' });
      expect(big?.pad).toHaveLength(5 * 1024 * 1024);
      expect(logger.warnings).toEqual([]);
      expect(logger.infos.filter((line) => line.includes('idle'))).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('closes an idle connection after idleTimeoutMs, and the driver reconnects on its next operation', async () => {
    const logger = capturingLogger();
    const server = await start({ logger, idleTimeoutMs: 300 });
    const raw = await connect(server);
    sockets.push(raw.socket);
    raw.socket.write(opMsg({ ping: 1, $db: 'admin' }));
    await until(() => raw.replies.length === 1);
    const repliedAt = Date.now();
    const closedAt = await raw.closed;
    expect(closedAt - repliedAt).toBeGreaterThanOrEqual(250);
    expect(closedAt - repliedAt).toBeLessThan(2000);
    // Closing an idle connection was asked for, so it is routine (info), not a warning.
    expect(logger.warnings).toEqual([]);
    expect(logger.infos).toEqual([expect.stringMatching(/from 127\.0\.0\.1:\d+: idle for 300 ms/)]);

    const client = await MongoClient.connect(server.uri);
    try {
      const movies = client.db('stalled').collection('movies');
      await movies.insertOne({ title: 'Alien' });
      await sleep(1000);
      await until(() => server.stats().connections === 0);
      // Every pooled and monitoring connection was closed while idle; the next operations reconnect.
      await movies.insertOne({ title: 'Heat' });
      expect(await movies.countDocuments()).toBe(2);
    } finally {
      await client.close();
    }
  });
});
