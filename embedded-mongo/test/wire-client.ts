import { BSON } from 'bson';
import * as net from 'node:net';

/**
 * What came back on a raw connection: a reply document, the server closing it, or (only when
 * asked for with `silenceMs`) nothing at all while the connection stayed open.
 */
export type RawOutcome =
  | { kind: 'reply'; opCode: number; doc: Record<string, unknown> }
  | { kind: 'closed' }
  | { kind: 'silent' };

export function hostAndPort(uri: string): { host: string; port: number } {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)/.exec(uri);
  if (!match) throw new TypeError(`cannot take host and port from ${uri}`);
  return { host: match[1], port: Number(match[2]) };
}

/**
 * Sends raw bytes on a fresh connection and reports the first reply or the close. With no
 * answer within `timeoutMs` it rejects, unless `silenceMs` is given: then silence for that
 * long is itself the outcome (a mongod ignores some messages it cannot use).
 */
export function sendRaw(
  uri: string,
  bytes: Buffer,
  timeoutMs = 5000,
  options: { silenceMs?: number } = {},
): Promise<RawOutcome> {
  const { host, port } = hostAndPort(uri);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      if (options.silenceMs !== undefined) resolve({ kind: 'silent' });
      else reject(new RangeError('no reply and no close within the deadline'));
    }, options.silenceMs ?? timeoutMs);
    const finish = (outcome: RawOutcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const length = received.readInt32LE(0);
      if (received.length < length) return;
      const opCode = received.readInt32LE(12);
      // OP_MSG: flags(4) kind(1) doc; OP_REPLY: flags(4) cursorId(8) from(4) n(4) doc.
      const offset = opCode === 2013 ? 21 : 36;
      const doc = BSON.deserialize(received.subarray(offset, length));
      finish({ kind: 'reply', opCode, doc });
    });
    socket.on('error', () => finish({ kind: 'closed' }));
    socket.on('close', () => finish({ kind: 'closed' }));
  });
}

/** An OP_MSG frame with one body section; `checksum` appends a CRC-32C when given. */
export function opMsg(
  command: Record<string, unknown>,
  options: { requestId?: number; flags?: number; checksum?: (bytes: Buffer) => number } = {},
): Buffer {
  const body = BSON.serialize(command);
  const flags = (options.flags ?? 0) | (options.checksum ? 1 : 0);
  const length = 16 + 4 + 1 + body.length + (options.checksum ? 4 : 0);
  const frame = Buffer.alloc(length);
  frame.writeInt32LE(length, 0);
  frame.writeInt32LE(options.requestId ?? 1, 4);
  frame.writeInt32LE(0, 8);
  frame.writeInt32LE(2013, 12);
  frame.writeUInt32LE(flags >>> 0, 16);
  frame[20] = 0;
  frame.set(body, 21);
  if (options.checksum)
    frame.writeUInt32LE(options.checksum(frame.subarray(0, length - 4)), length - 4);
  return frame;
}

/** An OP_MSG with a kind-1 document sequence, the way drivers send insert batches. */
export function opMsgWithSequence(
  command: Record<string, unknown>,
  identifier: string,
  documents: Record<string, unknown>[],
): Buffer {
  const body = Buffer.from(BSON.serialize(command));
  const docs = Buffer.concat(documents.map((doc) => Buffer.from(BSON.serialize(doc))));
  const id = Buffer.from(`${identifier}\0`, 'utf8');
  const sequenceSize = 4 + id.length + docs.length;
  const length = 16 + 4 + 1 + body.length + 1 + sequenceSize;
  const frame = Buffer.alloc(length);
  frame.writeInt32LE(length, 0);
  frame.writeInt32LE(9, 4);
  frame.writeInt32LE(2013, 12);
  let offset = 20;
  frame[offset++] = 0;
  body.copy(frame, offset);
  offset += body.length;
  frame[offset++] = 1;
  frame.writeInt32LE(sequenceSize, offset);
  id.copy(frame, offset + 4);
  docs.copy(frame, offset + 4 + id.length);
  return frame;
}

/** The legacy OP_QUERY a driver sends first: `{ isMaster: 1 }` on `admin.$cmd`. */
export function opQuery(command: Record<string, unknown>, collection = 'admin.$cmd'): Buffer {
  const body = BSON.serialize(command);
  const name = Buffer.from(`${collection}\0`, 'utf8');
  const length = 16 + 4 + name.length + 8 + body.length;
  const frame = Buffer.alloc(length);
  frame.writeInt32LE(length, 0);
  frame.writeInt32LE(7, 4);
  frame.writeInt32LE(0, 8);
  frame.writeInt32LE(2004, 12);
  frame.writeInt32LE(0, 16);
  name.copy(frame, 20);
  frame.writeInt32LE(0, 20 + name.length);
  frame.writeInt32LE(-1, 24 + name.length);
  frame.set(body, 28 + name.length);
  return frame;
}
