import { DBRef, ObjectId } from 'bson';
import { MingoError } from 'mingo/util';
import { MongoCommandError } from '../errors';
import type { Collation } from './collation';
import { collatedQuery } from './collation-operators';
import type { Doc } from './documents';
import { isPlainObject } from './documents';
import { compileQuery, queryOptions } from './mingo-options';

/**
 * mongod's wording for the query errors mingo reports in its own words, so a client sees the
 * same message from both servers. Anything else is left as it is (answered as BadValue).
 */
export function translateMingoError(error: unknown): unknown {
  if (!(error instanceof MingoError)) return error;
  const operator = /^unknown query operator (\$\S+)$/.exec(error.message);
  if (operator) return new MongoCommandError('BadValue', `unknown operator: ${operator[1]}`);
  const topLevel = /^unknown top level operator: (\$\S+)$/.exec(error.message);
  if (topLevel) {
    return new MongoCommandError(
      'BadValue',
      `unknown top level operator: ${topLevel[1]}. If you have a field name that starts with a ` +
        "'$' symbol, consider using $getField or $setField.",
    );
  }
  const variable = /^Use of undefined variable: (\S+)$/.exec(error.message);
  if (variable?.[1] === 'CLUSTER_TIME') {
    // A standalone has no cluster clock, so mongod 7.0 answers this for $$CLUSTER_TIME.
    return new MongoCommandError(
      'Location51144',
      "Builtin variable '$$CLUSTER_TIME' is not available",
    );
  }
  if (variable) {
    return new MongoCommandError('Location17276', `Use of undefined variable: ${variable[1]}`);
  }
  return error;
}

/**
 * mingo refuses any `__proto__` path (its guard against prototype pollution), but to MongoDB
 * `__proto__` is an ordinary field name. Filters naming it are matched on copies where that
 * name is replaced by one no BSON document can contain (field names cannot hold NUL), so
 * mingo never reads or writes a real `__proto__`.
 */
const PROTO = '__proto__';
const PROTO_STANDIN = '\u0000proto';

/**
 * DBRef fields (`$ref`, `$id`, `$db`) are legal field names in documents and query paths
 * (`{ 'ref.$id': x }`, `$elemMatch: { $id: x }`), where mingo would read them as operators:
 * they get stand-ins the same way. Stored DBRefs (bson decodes them to DBRef objects) are
 * matched as the plain `{ $ref, $id, $db }` documents mongod sees.
 */
const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

function standIn(name: string): string {
  if (name === PROTO) return PROTO_STANDIN;
  return DBREF_FIELDS.has(name) ? `\u0000${name}` : name;
}

function originalName(name: string): string {
  if (name === PROTO_STANDIN) return PROTO;
  return name.startsWith('\u0000$') ? name.slice(1) : name;
}

/**
 * Compiles a find filter into a predicate, failing like mongod on unknown operators. With a
 * `collation`, string comparisons ($eq, $ne, $in, $nin, $all, ranges, implicit equality,
 * inside arrays and sub-documents) follow it.
 */
export function compileFilter(filter: Doc, collation?: Collation): (doc: Doc) => boolean {
  const key = filterCacheKey(filter, collation);
  const cached = key === undefined ? undefined : compiledFilters.get(key);
  if (cached) {
    // Least recently used goes first: a hit moves to the end of the map's order.
    compiledFilters.delete(key as string);
    compiledFilters.set(key as string, cached);
    return cached;
  }
  const test = compileUncached(filter, collation);
  if (key !== undefined) {
    compiledFilters.set(key, test);
    if (compiledFilters.size > FILTER_CACHE_SIZE) {
      compiledFilters.delete(compiledFilters.keys().next().value as string);
    }
  }
  return test;
}

/**
 * Compiled filters by their exact content (see filterCacheKey): the same filter and
 * collation compile to a predicate that answers the same for every document, so commands
 * repeating a filter (a page of the catalog, a lookup by `_id`, validators' error details)
 * share one instead of compiling it each time. Bounded, least recently used out first.
 */
const compiledFilters = new Map<string, (doc: Doc) => boolean>();
const FILTER_CACHE_SIZE = 500;
/** Longer keys (large `$in` lists…) are compiled each time rather than held. */
const FILTER_KEY_MAX_LENGTH = 4096;

/** How many compiled filters are held (for tests). */
export function compiledFilterCount(): number {
  return compiledFilters.size;
}

const collationIds = new WeakMap<Collation, number>();
let nextCollationId = 1;

/**
 * A key that differs whenever two filters could answer differently: BSON types are tagged
 * (`1` and `'1'`, a Date and its milliseconds, regex flags), fields keep their order, and the
 * collation object (shared per distinct collation by parseCollation) is part of it. Undefined
 * means "do not cache": a filter with `$expr` (it may read the command's `let` variables,
 * which mingo binds when it compiles), a regex whose flags keep state between tests (`g`,
 * `y`), values of other BSON types, or a key too long to be worth holding.
 */
function filterCacheKey(filter: Doc, collation: Collation | undefined): string | undefined {
  const body = canonical(filter);
  if (body === undefined || body.length > FILTER_KEY_MAX_LENGTH) return undefined;
  if (!collation) return body;
  let id = collationIds.get(collation);
  if (id === undefined) {
    id = nextCollationId++;
    collationIds.set(collation, id);
  }
  return `${id}|${body}`;
}

function canonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? 'd-0' : `d${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'N';
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const key = canonical(item);
      if (key === undefined) return undefined;
      items.push(key);
    }
    return `[${items.join(',')}]`;
  }
  if (value instanceof RegExp) {
    return value.global || value.sticky
      ? undefined
      : `R${JSON.stringify(value.source)}/${value.flags}`;
  }
  if (value instanceof Date) return `D${value.getTime()}`;
  if (value instanceof ObjectId) return `O${value.toHexString()}`;
  if (!isPlainObject(value)) return undefined;
  const fields: string[] = [];
  for (const key of Object.keys(value)) {
    if (key === '$expr') return undefined;
    const item = value[key];
    if (key === '$options' && typeof item === 'string' && /[gy]/.test(item)) return undefined;
    const itemKey = canonical(item);
    if (itemKey === undefined) return undefined;
    fields.push(`${JSON.stringify(key)}:${itemKey}`);
  }
  return `{${fields.join(',')}}`;
}

function compileUncached(filter: Doc, collation?: Collation): (doc: Doc) => boolean {
  const make = (criteria: Doc): { test: (doc: Doc) => boolean } =>
    collation
      ? collatedQuery(criteria, queryOptions(), collation)
      : compileQuery(criteria, queryOptions());
  try {
    if (!mentionsProto(filter)) {
      const query = make(filter);
      return translated((doc) => query.test(doc));
    }
    const query = make(renameFilter(filter));
    return translated((doc) => query.test(renameValue(doc) as Doc));
  } catch (error) {
    throw translateMingoError(error);
  }
}

/** Some errors ($expr's undefined variables) only surface when a document is tested. */
function translated(test: (doc: Doc) => boolean): (doc: Doc) => boolean {
  return (doc) => {
    try {
      return test(doc);
    } catch (error) {
      throw translateMingoError(error);
    }
  };
}

function mentionsProto(value: unknown): boolean {
  if (value instanceof DBRef) return true;
  if (Array.isArray(value)) return value.some(mentionsProto);
  if (!isPlainObject(value)) return false;
  return Object.keys(value).some(
    (key) =>
      key.split('.').some((segment) => standIn(segment) !== segment) || mentionsProto(value[key]),
  );
}

/** Own data properties only: assigning `out.__proto__` would set the copy's prototype. */
function define(out: Doc, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A filter level: field keys are dotted paths, `$and`/`$or`/`$nor` hold filters. */
function renameFilter(filter: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      define(
        out,
        key,
        Array.isArray(value)
          ? value.map((item) => (isPlainObject(item) ? renameFilter(item) : item))
          : value,
      );
    } else if (key.startsWith('$') && !DBREF_FIELDS.has(key)) {
      define(out, key, value);
    } else {
      const path = key.split('.').map(standIn).join('.');
      define(out, path, renamePredicate(value));
    }
  }
  return out;
}

/** A field's predicate: operators take values, except `$elemMatch` (a filter) and `$not`. */
function renamePredicate(predicate: unknown): unknown {
  const isOperator = (key: string): boolean => key.startsWith('$') && !DBREF_FIELDS.has(key);
  if (!isPlainObject(predicate) || !Object.keys(predicate).some(isOperator)) {
    return renameValue(predicate);
  }
  const out: Doc = {};
  for (const [operator, argument] of Object.entries(predicate)) {
    if (operator === '$elemMatch' && isPlainObject(argument)) {
      define(out, operator, renameFilter(argument));
    } else if (operator === '$not') {
      define(out, operator, renamePredicate(argument));
    } else {
      define(out, operator, renameValue(argument));
    }
  }
  return out;
}

/** A copy of a value (a document, an equality operand) with `__proto__` fields renamed. */
function renameValue(value: unknown, seen: { proto: boolean } = { proto: false }): unknown {
  if (Array.isArray(value)) return value.map((item) => renameValue(item, seen));
  if (value instanceof DBRef) {
    seen.proto = true;
    return renameValue(value.toJSON(), seen);
  }
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const key of Object.keys(value)) {
    const renamed = standIn(key);
    if (renamed !== key) seen.proto = true;
    define(out, renamed, renameValue(value[key], seen));
  }
  return out;
}

/**
 * Copies documents for a mingo projection, `__proto__` fields renamed: mingo would drop them
 * and set the copy's prototype. `restore` renames them back in the projected copies.
 */
export function protoSafeCopies(docs: Doc[]): { copies: Doc[]; restore: (out: Doc[]) => Doc[] } {
  const seen = { proto: false };
  const copies = docs.map((doc) => renameValue(doc, seen) as Doc);
  if (!seen.proto) return { copies, restore: (out) => out };
  return { copies, restore: (out) => out.map((doc) => restoreValue(doc) as Doc) };
}

/** A projection whose paths may name `__proto__`, in the renamed form of protoSafeCopies. */
export function protoSafeProjection(projection: Doc): Doc {
  if (!mentionsProto(projection)) return projection;
  const out: Doc = {};
  for (const [path, value] of Object.entries(projection)) {
    define(out, path.split('.').map(standIn).join('.'), value);
  }
  return out;
}

function restoreValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreValue);
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const key of Object.keys(value)) {
    define(out, originalName(key), restoreValue(value[key]));
  }
  return out;
}
