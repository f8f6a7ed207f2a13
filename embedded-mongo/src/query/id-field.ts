import { BSONRegExp } from 'bson';
import { MongoCommandError } from '../errors';

/**
 * The `_id` types mongod refuses to store (its `storage_validation::storageValidIdField`,
 * used by inserts, replacements, pipeline updates and upserts since 5.0): an array, a regex
 * or `undefined`. Answers 53 InvalidIdField with mongod's message.
 */
export function checkIdType(id: unknown): void {
  const type = Array.isArray(id)
    ? 'array'
    : id instanceof RegExp || id instanceof BSONRegExp
      ? 'regex'
      : undefined;
  if (type) throw invalidIdType(type);
}

/** 53 InvalidIdField: `The '_id' value cannot be of type <type>`. */
export function invalidIdType(type: 'array' | 'regex' | 'undefined'): MongoCommandError {
  return new MongoCommandError('InvalidIdField', `The '_id' value cannot be of type ${type}`);
}
