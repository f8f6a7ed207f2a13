import { Binary, Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { isPlainObject } from '../query/documents';

/**
 * A string that is equal for two values exactly when MongoDB considers them equal for
 * indexing: numbers compare by value across int/long/double, objects by ordered fields.
 * Index maps and the `_id` map are keyed by it.
 */
export function canonicalKey(value: unknown): string {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'number':
      return Number.isNaN(value) ? 'nNaN' : `n${value === 0 ? 0 : value}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'bigint':
      return `n${Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()}`;
    default:
      break;
  }
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Long) {
    const asNumber = value.toNumber();
    return `n${Number.isSafeInteger(asNumber) ? asNumber : value.toString()}`;
  }
  if (value instanceof Int32 || value instanceof Double) return canonicalKey(value.valueOf());
  if (value instanceof Decimal128) {
    const asNumber = Number(value.toString());
    return Number.isFinite(asNumber) ? canonicalKey(asNumber) : `m${value.toString()}`;
  }
  if (value instanceof RegExp) return `r${String(value)}`;
  if (value instanceof Binary) return `x${value.sub_type}:${value.toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .map((key) => `${JSON.stringify(key)}:${canonicalKey(value[key])}`)
      .join(',')}}`;
  }
  const tagged = value as { _bsontype?: string; toString(): string };
  return `t${tagged._bsontype ?? 'unknown'}:${JSON.stringify(value) ?? tagged.toString()}`;
}
