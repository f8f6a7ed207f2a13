import { Binary, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';

export type Doc = Record<string, unknown>;

/** A plain object (not an array, not a BSON value class, not a Date or RegExp). */
export function isPlainObject(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `{ $gt: 1 }` and the like: an object whose keys are query/update operators. */
export function isOperatorObject(value: unknown): value is Doc {
  if (!isPlainObject(value)) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && first.startsWith('$');
}

/**
 * Deep-copies the containers of a document. BSON value objects (ObjectId, Long, Binary, Date)
 * are immutable in practice and shared, which keeps copies cheap.
 */
export function cloneDoc<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneDoc(item)) as T;
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) {
      // `out.__proto__ = …` would set the copy's prototype instead of copying the field.
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: cloneDoc(value[key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = cloneDoc(value[key]);
      }
    }
    return out as T;
  }
  return value;
}

/** Reads a dotted path without array expansion (numeric segments index arrays). */
export function getPath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isPlainObject(current)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Sets a dotted path, creating intermediate objects (used to build upsert seeds). */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const segments = path.split('.');
  let current: Doc = doc;
  for (let i = 0; i < segments.length - 1; i += 1) {
    const next = current[segments[i]];
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created: Doc = {};
      current[segments[i]] = created;
      current = created;
    }
  }
  current[segments[segments.length - 1]] = value;
}

/**
 * All values a dotted path reaches, expanding arrays the way MongoDB indexes do
 * (`tags` → each tag; `items.sku` → each item's sku). An empty list means "missing".
 */
export function collectPathValues(doc: unknown, path: string): unknown[] {
  const segments = path.split('.');
  const out: unknown[] = [];
  const walk = (value: unknown, index: number): void => {
    if (index === segments.length) {
      if (Array.isArray(value)) {
        if (value.length === 0) out.push(value);
        else for (const item of value) out.push(item);
      } else {
        out.push(value);
      }
      return;
    }
    const segment = segments[index];
    if (Array.isArray(value)) {
      if (/^\d+$/.test(segment)) {
        walk(value[Number(segment)], index + 1);
        return;
      }
      for (const item of value) if (isPlainObject(item)) walk(item[segment], index + 1);
      return;
    }
    if (isPlainObject(value) && segment in value) walk(value[segment], index + 1);
  };
  walk(doc, 0);
  return out.filter((value) => value !== undefined);
}

/** MongoDB's name for a value's BSON type, as used in its error messages. */
export function bsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Long) return 'long';
  if (value instanceof Decimal128) return 'decimal';
  if (value instanceof Binary) return 'binData';
  if (value instanceof Timestamp) return 'timestamp';
  if (isPlainObject(value)) return 'object';
  return typeof value;
}

export function isNumeric(value: unknown): boolean {
  return (
    typeof value === 'number' ||
    value instanceof Long ||
    value instanceof Decimal128 ||
    value instanceof Int32 ||
    value instanceof Double
  );
}

/** Formats a value the way mongod prints it in messages: `"a"`, `ObjectId('…')`, `{ a: 1 }`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value instanceof Long) return value.toString();
  if (value instanceof Decimal128) return `Decimal128("${value.toString()}")`;
  if (value instanceof RegExp) return String(value);
  if (value instanceof Binary) return `BinData(${value.sub_type}, ${value.toString('hex')})`;
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`;
  if (isPlainObject(value)) return formatObject(value);
  return String(value);
}

/** `{ email: "a@b.c" }`, the shape of `dup key:` in E11000 messages. */
export function formatObject(doc: Doc): string {
  const keys = Object.keys(doc);
  if (keys.length === 0) return '{}';
  return `{ ${keys.map((key) => `${key}: ${formatValue(doc[key])}`).join(', ')} }`;
}
