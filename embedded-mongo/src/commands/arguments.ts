import { Long } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { isPlainObject } from '../query/documents';
import type { Collection } from '../storage/collection';
import type { CommandContext } from './context';

/** The collection a command names in its first field (`{ find: 'users' }`). */
export function collectionName(command: Doc, name: string): string {
  const value = command[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new MongoCommandError(
      'InvalidNamespace',
      `collection name has invalid type ${value === undefined ? 'missing' : typeof value}`,
    );
  }
  return value;
}

export function optionalDoc(command: Doc, field: string): Doc | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeof value}', expected type 'object'`,
    );
  }
  return value;
}

export function optionalNumber(command: Doc, field: string): number | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (value instanceof Long) return value.toNumber();
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeof value}', expected a number`,
    );
  }
  return value;
}

export function optionalArray(command: Doc, field: string): unknown[] | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeof value}', expected type 'array'`,
    );
  }
  return value;
}

export function requireArrayOfDocs(command: Doc, field: string): Doc[] {
  const value = optionalArray(command, field);
  if (!value) {
    throw new MongoCommandError(
      'FailedToParse',
      `BSON field '${field}' is missing but a required field`,
    );
  }
  if (!value.every(isPlainObject)) {
    throw new MongoCommandError('TypeMismatch', `BSON field '${field}' must contain only objects`);
  }
  return value;
}

/** The `cursor: { batchSize }` option of aggregate, listCollections and listIndexes. */
export function cursorBatchSize(command: Doc): number | undefined {
  const cursor = optionalDoc(command, 'cursor');
  return cursor ? optionalNumber(cursor, 'batchSize') : undefined;
}

export function toLong(value: unknown, field: string): Long {
  if (value instanceof Long) return value;
  if (typeof value === 'number' && Number.isInteger(value)) return Long.fromNumber(value);
  throw new MongoCommandError('TypeMismatch', `BSON field '${field}' must be an int64 cursor id`);
}

export function existingCollection(context: CommandContext, name: string): Collection | undefined {
  return context.store.getCollection(context.db, name);
}

export function namespace(context: CommandContext, name: string): string {
  return `${context.db}.${name}`;
}
