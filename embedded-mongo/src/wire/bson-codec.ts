import { BSON } from 'bson';
import { MongoCommandError } from '../errors';

/**
 * How every incoming document is decoded.
 *
 * int64 decision: `promoteLongs` stays on (bson's default) so int64 values that fit in a
 * double's 53-bit mantissa become plain numbers, which mingo compares, sorts and `$inc`s
 * like any number. Values beyond ±2^53 stay `Long` objects (bson never promotes them), so
 * they are stored exactly; the update code does `$inc`/`$mul` on them with Long arithmetic.
 * `useBigInt64` is off because mingo cannot compare bigint with number.
 * Trade-off: a promoted int64 is written back as int32 or double (the value is unchanged).
 */
export const DESERIALIZE_OPTIONS: BSON.DeserializeOptions = {
  promoteLongs: true,
  promoteValues: true,
  promoteBuffers: false,
  useBigInt64: false,
  bsonRegExp: false,
  validation: { utf8: true },
};

export function deserializeDocument(bytes: Uint8Array): Record<string, unknown> {
  try {
    return BSON.deserialize(bytes, DESERIALIZE_OPTIONS) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MongoCommandError('InvalidBSON', `invalid BSON: ${message}`);
  }
}
