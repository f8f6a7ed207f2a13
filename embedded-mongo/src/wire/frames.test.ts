import { BSON } from 'bson';
import { crc32c } from './crc32c';
import { FrameReader, FramingError } from './frames';
import { encodeOpMsg, parseOpMsg } from './op-msg';

describe('FrameReader', () => {
  const one = encodeOpMsg(1, 0, { ping: 1, $db: 'admin' });
  const two = encodeOpMsg(2, 0, { hello: 1, $db: 'admin' });

  it('reassembles a frame delivered one byte at a time', () => {
    const reader = new FrameReader();
    const frames = [];
    for (const byte of one) frames.push(...reader.push(Buffer.from([byte])));
    expect(frames).toHaveLength(1);
    expect(parseOpMsg(frames[0]).command).toEqual({ ping: 1, $db: 'admin' });
  });

  it('splits several frames arriving in one chunk, keeping a partial tail', () => {
    const reader = new FrameReader();
    const frames = reader.push(Buffer.concat([one, two, two.subarray(0, 5)]));
    expect(frames.map((frame) => frame.header.requestId)).toEqual([1, 2]);
    expect(reader.push(two.subarray(5))).toHaveLength(1);
  });

  it('holds only the bytes received, whatever length a frame announces', () => {
    const reader = new FrameReader();
    const head = Buffer.alloc(16);
    head.writeInt32LE(48_000_000, 0);
    expect(reader.push(head)).toEqual([]);
    expect(reader.pendingBytes).toBe(16);
    expect(reader.pendingFrameLength).toBe(48_000_000);
    const tail = new FrameReader();
    expect(tail.push(Buffer.concat([one, two.subarray(0, 5)]))).toHaveLength(1);
    expect(tail.pendingBytes).toBe(5);
  });

  it('rejects lengths below a header or above the limit', () => {
    const tiny = Buffer.alloc(16);
    tiny.writeInt32LE(4, 0);
    expect(() => new FrameReader().push(tiny)).toThrow(FramingError);
    const huge = Buffer.alloc(16);
    huge.writeInt32LE(2000, 0);
    expect(() => new FrameReader(1000).push(huge)).toThrow(/exceeds maxMessageSizeBytes/);
  });
});

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('is what parseOpMsg verifies', () => {
    const frame = encodeOpMsg(3, 0, { ping: 1 });
    const withSum = Buffer.alloc(frame.length + 4);
    frame.copy(withSum);
    withSum.writeInt32LE(withSum.length, 0);
    withSum.writeUInt32LE(1, 16);
    withSum.writeUInt32LE(crc32c(withSum.subarray(0, frame.length)), frame.length);
    const reader = new FrameReader();
    const [parsed] = reader.push(withSum);
    expect(parseOpMsg(parsed).command).toEqual(BSON.deserialize(BSON.serialize({ ping: 1 })));
    withSum[withSum.length - 1] ^= 1;
    const [corrupt] = new FrameReader().push(withSum);
    expect(() => parseOpMsg(corrupt)).toThrow(/checksum/);
  });
});
