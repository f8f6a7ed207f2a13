import { BSON } from 'bson';
import { ProtocolError, toErrorReply } from '../errors';
import type { Frame } from './frames';
import { HEADER_SIZE, OpCode, writeHeader } from './frames';
import { deserializeDocument } from './bson-codec';

export interface OpQueryRequest {
  fullCollectionName: string;
  query: Record<string, unknown>;
}

/**
 * Parses a legacy OP_QUERY. Drivers only send it for the first handshake (`ismaster` on
 * `admin.$cmd`); the command may be wrapped as `{ $query: {...} }`.
 */
export function parseOpQuery(frame: Frame): OpQueryRequest {
  const { body } = frame;
  let offset = 4; // flags
  const nul = body.indexOf(0, offset);
  if (nul < 0) throw new ProtocolError('OP_QUERY collection name is not terminated');
  const fullCollectionName = body.toString('utf8', offset, nul);
  offset = nul + 1 + 8; // numberToSkip, numberToReturn
  if (offset + 5 > body.length) throw new ProtocolError('OP_QUERY has no query document');
  const size = body.readInt32LE(offset);
  if (size < 5 || offset + size > body.length) {
    throw new ProtocolError('OP_QUERY query document size is invalid');
  }
  let query = deserializeDocument(body.subarray(offset, offset + size));
  const wrapped = query.$query;
  if (wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped)) {
    query = wrapped as Record<string, unknown>;
  }
  return { fullCollectionName, query };
}

/** Encodes the legacy OP_REPLY carrying a single document. */
export function encodeOpReply(
  requestId: number,
  responseTo: number,
  document: Record<string, unknown>,
): Buffer {
  const payload = BSON.serialize(document);
  const length = HEADER_SIZE + 20 + payload.length;
  const buffer = Buffer.alloc(length);
  writeHeader(buffer, length, requestId, responseTo, OpCode.REPLY);
  buffer.writeInt32LE(0, HEADER_SIZE); // responseFlags
  buffer.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  buffer.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  buffer.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  buffer.set(payload, HEADER_SIZE + 20);
  return buffer;
}

/** Answers a legacy OP_QUERY frame with OP_REPLY, turning parse errors into error documents. */
export function answerOpQuery(
  frame: Frame,
  requestId: number,
  answer: (command: Record<string, unknown>) => Record<string, unknown>,
): Buffer {
  let reply: Record<string, unknown>;
  try {
    reply = answer(parseOpQuery(frame).query);
  } catch (error) {
    reply = toErrorReply(error);
  }
  return encodeOpReply(requestId, frame.header.requestId, reply);
}
