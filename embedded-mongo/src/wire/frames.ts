/** Wire-protocol opcodes this server uses; any other (OP_COMPRESSED included) is refused. */
export const OpCode = {
  REPLY: 1,
  QUERY: 2004,
  MSG: 2013,
} as const;

export const HEADER_SIZE = 16;
/** The limits advertised in `hello`; a frame larger than this closes the connection. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;

export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** One complete frame cut out of the byte stream. */
export interface Frame {
  header: MessageHeader;
  /** The bytes after the 16-byte header. */
  body: Buffer;
  /** The whole frame, header included (OP_MSG checksums cover it). */
  raw: Buffer;
}

/** A stream-level problem after which the byte stream cannot be resynchronised. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

export function readHeader(buffer: Buffer): MessageHeader {
  return {
    messageLength: buffer.readInt32LE(0),
    requestId: buffer.readInt32LE(4),
    responseTo: buffer.readInt32LE(8),
    opCode: buffer.readInt32LE(12),
  };
}

export function writeHeader(
  buffer: Buffer,
  messageLength: number,
  requestId: number,
  responseTo: number,
  opCode: number,
): void {
  buffer.writeInt32LE(messageLength, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
}

/**
 * Cuts a TCP byte stream into frames. TCP delivers arbitrary chunks, so bytes are
 * buffered until a whole frame (its length is the first int32) has arrived. The announced
 * length is only checked, never allocated: a header claiming 48 MB followed by silence holds
 * just the bytes received ({@link FrameReader.pendingBytes}), which the server caps and times out.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageSize: number = MAX_MESSAGE_SIZE_BYTES) {}

  /** Bytes held for a frame that has not fully arrived yet (0 between frames). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The announced length of the frame being received, once its first 4 bytes are in. */
  get pendingFrameLength(): number | undefined {
    return this.buffered >= 4 ? this.peek(4).readInt32LE(0) : undefined;
  }

  /** Adds bytes and returns every frame now complete. Throws FramingError on a bad length. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE) {
        throw new FramingError(`invalid message length ${length}`);
      }
      if (length > this.maxMessageSize) {
        throw new FramingError(
          `message length ${length} exceeds maxMessageSizeBytes ${this.maxMessageSize}`,
        );
      }
      if (this.buffered < length) break;
      const raw = this.take(length);
      frames.push({ header: readHeader(raw), body: raw.subarray(HEADER_SIZE), raw });
    }
    if (frames.length > 0 && this.chunks.length === 1) {
      // The tail was cut out of a buffer that also holds the frames just returned; copying it
      // lets that buffer go once they are handled, so pendingBytes is what is really kept.
      this.chunks[0] = Buffer.from(this.chunks[0]);
    }
    return frames;
  }

  private peek(size: number): Buffer {
    if (this.chunks.length > 1 && this.chunks[0].length < size) {
      this.chunks = [Buffer.concat(this.chunks)];
    }
    return this.chunks[0];
  }

  private take(size: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = all.subarray(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
