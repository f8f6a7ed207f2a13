import { BSON } from 'bson';
import { ProtocolError } from '../errors';
import { crc32c } from './crc32c';
import type { Frame } from './frames';
import { HEADER_SIZE, OpCode, writeHeader } from './frames';
import { deserializeDocument } from './bson-codec';

export const OpMsgFlags = {
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const;

// Bits 0-15 are "required": a receiver must refuse a message with an unknown one set.
const KNOWN_REQUIRED_BITS = OpMsgFlags.checksumPresent | OpMsgFlags.moreToCome;

export interface OpMsgRequest {
  flags: number;
  /** The kind-0 body with kind-1 document sequences merged in as arrays. */
  command: Record<string, unknown>;
}

/** Parses an OP_MSG frame: flag bits, optional CRC-32C, one body section and any sequences. */
export function parseOpMsg(frame: Frame): OpMsgRequest {
  const { body } = frame;
  if (body.length < 5) throw new ProtocolError('OP_MSG too short');
  const flags = body.readUInt32LE(0);
  if ((flags & 0xffff & ~KNOWN_REQUIRED_BITS) !== 0) {
    throw new ProtocolError(`OP_MSG contains unknown required flag bits: ${flags}`);
  }
  let end = body.length;
  if (flags & OpMsgFlags.checksumPresent) {
    if (body.length < 9) throw new ProtocolError('OP_MSG too short for its checksum');
    end -= 4;
    const expected = body.readUInt32LE(end);
    const actual = crc32c(frame.raw.subarray(0, HEADER_SIZE + end));
    if (expected !== actual) throw new ProtocolError('OP_MSG checksum mismatch');
  }
  let offset = 4;
  let command: Record<string, unknown> | undefined;
  const sequences: Array<[string, Record<string, unknown>[]]> = [];
  while (offset < end) {
    const kind = body[offset];
    offset += 1;
    if (kind === 0) {
      if (command) throw new ProtocolError('OP_MSG has more than one body section');
      const size = readDocumentSize(body, offset, end);
      command = deserializeDocument(body.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('OP_MSG document sequence truncated');
      const size = body.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) {
        throw new ProtocolError('OP_MSG document sequence has an invalid size');
      }
      let cursor = offset + 4;
      const nul = body.indexOf(0, cursor);
      if (nul < 0 || nul >= sectionEnd) {
        throw new ProtocolError('OP_MSG document sequence identifier is not terminated');
      }
      const identifier = body.toString('utf8', cursor, nul);
      cursor = nul + 1;
      const documents: Record<string, unknown>[] = [];
      while (cursor < sectionEnd) {
        const docSize = readDocumentSize(body, cursor, sectionEnd);
        documents.push(deserializeDocument(body.subarray(cursor, cursor + docSize)));
        cursor += docSize;
      }
      sequences.push([identifier, documents]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`OP_MSG section kind ${kind} is not supported`);
    }
  }
  if (!command) throw new ProtocolError('OP_MSG has no body section');
  for (const [identifier, documents] of sequences) {
    if (identifier in command) {
      throw new ProtocolError(`OP_MSG field '${identifier}' is both in the body and a sequence`);
    }
    command[identifier] = documents;
  }
  return { flags, command };
}

function readDocumentSize(buffer: Buffer, offset: number, end: number): number {
  if (offset + 5 > end) throw new ProtocolError('BSON document truncated');
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > end) {
    throw new ProtocolError(`BSON document size ${size} does not fit in the message`);
  }
  return size;
}

/** Encodes a reply as an OP_MSG with one body section (no checksum, no flags). */
export function encodeOpMsg(
  requestId: number,
  responseTo: number,
  document: Record<string, unknown>,
): Buffer {
  const payload = BSON.serialize(document);
  const length = HEADER_SIZE + 4 + 1 + payload.length;
  // Every byte is written below, so the buffer need not be zero-filled first.
  const buffer = Buffer.allocUnsafe(length);
  writeHeader(buffer, length, requestId, responseTo, OpCode.MSG);
  buffer.writeUInt32LE(0, HEADER_SIZE);
  buffer[HEADER_SIZE + 4] = 0;
  buffer.set(payload, HEADER_SIZE + 5);
  return buffer;
}
