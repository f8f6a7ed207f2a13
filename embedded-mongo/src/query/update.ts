import { Decimal128, Long, ObjectId } from 'bson';
import { MongoCommandError } from '../errors';
import { canonicalKey } from '../storage/keys';
import type { Doc } from './documents';
import {
  bsonTypeName,
  cloneDoc,
  formatValue,
  getPath,
  isNumeric,
  isOperatorObject,
  isPlainObject,
  setPath,
} from './documents';
import { translateMingoError } from './filter';
import { checkIdType } from './id-field';
import { MINGO_OPTIONS, compileAggregator, compileQuery } from './mingo-options';
import { applyMingoUpdate } from './mingo-update';

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$rename',
  '$setOnInsert',
  '$min',
  '$max',
  '$currentDate',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$bit',
]);

const PIPELINE_UPDATE_STAGES = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
]);

export type UpdateSpec = Doc | Doc[];

export interface ApplyUpdateOptions {
  /** The update's filter: mingo needs it to resolve the positional `$` operator. */
  query?: Doc;
  arrayFilters?: Doc[];
  /** True when the update builds an upserted document: `$setOnInsert` applies only then. */
  isInsert: boolean;
}

/** Checks the shape of an update (operators, pipeline stages or a replacement document). */
export function validateUpdateSpec(spec: unknown): asserts spec is UpdateSpec {
  if (Array.isArray(spec)) {
    for (const stage of spec) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !PIPELINE_UPDATE_STAGES.has(name)) {
        throw new MongoCommandError(
          'InvalidOptions',
          `${String(name)} is not allowed to be used within an update`,
        );
      }
    }
    return;
  }
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      'FailedToParse',
      'Update argument must be either an object or an array',
    );
  }
  const keys = Object.keys(spec);
  const operators = keys.filter((key) => key.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new MongoCommandError(
      'FailedToParse',
      `Unknown modifier: ${keys.find((key) => !key.startsWith('$')) ?? ''}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  for (const operator of operators) {
    if (!UPDATE_OPERATORS.has(operator)) {
      throw new MongoCommandError(
        'FailedToParse',
        `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(spec[operator])) {
      throw new MongoCommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${bsonTypeName(spec[operator])} instead. For example: {$mod: {<field>: ...}} not {${operator}: ${formatValue(spec[operator])}}`,
      );
    }
  }
}

export function isOperatorUpdate(spec: UpdateSpec): boolean {
  return !Array.isArray(spec) && Object.keys(spec).some((key) => key.startsWith('$'));
}

/**
 * Computes the document an update produces, never touching `doc` itself: the caller commits
 * the result only after unique-index checks, so a failing update changes nothing.
 * Fills mingo's gaps: `$setOnInsert`, Long arithmetic, MongoDB's type errors where mingo
 * silently does nothing, and `_id` immutability.
 */
export function applyUpdate(doc: Doc, spec: UpdateSpec, options: ApplyUpdateOptions): Doc {
  let next: Doc;
  if (Array.isArray(spec)) {
    // compileAggregator uses queryOptions(): the command's `let` (and the statement's `c`)
    // are visible as `$$name`.
    let result: Doc | undefined;
    try {
      [result] = compileAggregator(spec).run([cloneDoc(doc)]) as Doc[];
    } catch (error) {
      throw translateMingoError(error);
    }
    next = result ?? {};
    // mongod replaces the document with the pipeline's output and, like a replacement, keeps
    // the original `_id` when that output has none (`$project: { _id: 0 }`, `$replaceWith`).
    if (next._id === undefined && doc._id !== undefined) next = { _id: doc._id, ...next };
  } else if (isOperatorUpdate(spec)) {
    next = applyOperators(cloneDoc(doc), spec as Doc, options);
  } else {
    next = { _id: doc._id, ...cloneDoc(spec as Doc) };
  }
  // A replacement or pipeline result is validated for storage before the immutable `_id`
  // check, as mongod's ObjectReplaceExecutor does: `{ _id: [1] }` answers 53, not 66.
  if (!isOperatorUpdate(spec)) checkIdType(next._id);
  if ('_id' in doc && canonicalKey(next._id) !== canonicalKey(doc._id)) {
    throw new MongoCommandError(
      'ImmutableField',
      `Performing an update on the path '_id' would modify the immutable field '_id'`,
    );
  }
  if (doc._id === undefined && next._id === undefined) delete next._id;
  return withIdFirst(next);
}

function applyOperators(doc: Doc, spec: Doc, options: ApplyUpdateOptions): Doc {
  const modifier: Doc = {};
  for (const [operator, fields] of Object.entries(spec)) {
    if (operator === '$setOnInsert') {
      if (!options.isInsert) continue;
      modifier.$set = { ...((modifier.$set as Doc | undefined) ?? {}), ...(fields as Doc) };
      continue;
    }
    modifier[operator] = { ...((modifier[operator] as Doc | undefined) ?? {}), ...(fields as Doc) };
  }
  checkConflicts(spec);
  resolveSharedArrayPaths(doc, modifier, options);
  for (const [operator, fields] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(fields as Doc)) {
      checkOperand(doc, operator, path, value);
    }
  }
  checkIdUntouched(doc, modifier, options.isInsert);
  dropUnchangedId(doc, modifier);
  applyUpsertedId(doc, modifier, options.isInsert);
  moveLongArithmetic(doc, modifier);
  moveLogicalPulls(doc, modifier, options);
  if (Object.keys(modifier).length === 0) return doc;
  const positional = Object.values(modifier).some((fields) =>
    Object.keys(fields as Doc).some((path) => /(^|\.)\$(\.|$)/.test(path)),
  );
  const hasArrayFilters = (options.arrayFilters?.length ?? 0) > 0;
  applyMingoUpdate(
    doc,
    modifier,
    hasArrayFilters ? options.arrayFilters : undefined,
    positional ? options.query : undefined,
  );
  return doc;
}

/**
 * `_id` never changes after insert. mingo refuses such updates with a generic error, so the
 * check happens here, first: setting `_id` to its current value is allowed, as in MongoDB.
 */
function checkIdUntouched(doc: Doc, modifier: Doc, isInsert: boolean): void {
  for (const [operator, fields] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(fields as Doc)) {
      if (path !== '_id' && !path.startsWith('_id.')) continue;
      const unchanged =
        operator === '$set' && path === '_id' && canonicalKey(value) === canonicalKey(doc._id);
      if (unchanged || (isInsert && doc._id === undefined)) continue;
      throw new MongoCommandError(
        'ImmutableField',
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
  }
}

/**
 * `$set: { _id: <its current value> }` is a no-op MongoDB allows (checkIdUntouched has checked
 * the value), but mingo refuses any `_id` path, so the entry is dropped before mingo runs.
 */
function dropUnchangedId(doc: Doc, modifier: Doc): void {
  const fields = modifier.$set as Doc | undefined;
  if (!fields || !('_id' in fields) || doc._id === undefined) return;
  delete fields._id;
  if (Object.keys(fields).length === 0) delete modifier.$set;
}

/**
 * An upsert whose query gives no `_id` may set one (`$set` or `$setOnInsert: { _id: ... }`),
 * as mongod allows; mingo refuses every `_id` path, so those entries are applied here, before
 * mingo runs (checkIdUntouched has already refused them in every other case).
 */
function applyUpsertedId(doc: Doc, modifier: Doc, isInsert: boolean): void {
  const fields = modifier.$set as Doc | undefined;
  if (!isInsert || !fields) return;
  for (const path of Object.keys(fields)) {
    if (path !== '_id' && !path.startsWith('_id.')) continue;
    setPath(doc, path, fields[path]);
    delete fields[path];
  }
  if (Object.keys(fields).length === 0) delete modifier.$set;
}

/** `{ $set: { a: 1 }, $inc: { a: 1 } }` is ambiguous; MongoDB refuses it with code 40. */
function checkConflicts(spec: Doc): void {
  const seen: string[] = [];
  for (const [operator, fields] of Object.entries(spec)) {
    const paths = Object.keys(fields as Doc);
    if (operator === '$rename') paths.push(...Object.values(fields as Doc).map(String));
    for (const path of paths) {
      const conflict = seen.find(
        (other) => other === path || other.startsWith(`${path}.`) || path.startsWith(`${other}.`),
      );
      if (conflict !== undefined) {
        // mongod names the shorter path, where the two updates meet.
        const at = conflict.length <= path.length ? conflict : path;
        throw new MongoCommandError(
          'ConflictingUpdateOperators',
          `Updating the path '${path}' would create a conflict at '${at}'`,
        );
      }
      seen.push(path);
    }
  }
}

/** The part of a path mingo treats as one update target: everything before a `$` segment. */
function mingoSelector(path: string): string {
  const segments = path.split('.');
  const positional = segments.findIndex((segment) => segment.startsWith('$'));
  return positional < 0 ? path : segments.slice(0, positional).join('.');
}

/**
 * mingo refuses two paths under the same array (`children.$.name` with `children.$.updatedAt`,
 * as mongoose timestamps send) as a conflict, although MongoDB only refuses overlapping leaf
 * paths. When that happens, every positional path is turned into the concrete paths it
 * designates in the document as it was before the update (so a `$` or an array filter is not
 * re-evaluated against half-updated elements), and mingo then sees distinct paths.
 */
function resolveSharedArrayPaths(doc: Doc, modifier: Doc, options: ApplyUpdateOptions): void {
  const selectors = new Set<string>();
  let shared = false;
  let positional = false;
  for (const fields of Object.values(modifier)) {
    for (const path of Object.keys(fields as Doc)) {
      const selector = mingoSelector(path);
      if (selector !== path) positional = true;
      if (selectors.has(selector)) shared = true;
      selectors.add(selector);
    }
  }
  if (!shared || !positional) return;
  const concrete: string[] = [];
  for (const [operator, fields] of Object.entries(modifier)) {
    const resolved: Doc = {};
    for (const [path, value] of Object.entries(fields as Doc)) {
      const paths = path.includes('$') ? expandPositionalPath(doc, path, options) : [path];
      for (const target of paths) {
        const conflict = concrete.find(
          (other) =>
            other === target || other.startsWith(`${target}.`) || target.startsWith(`${other}.`),
        );
        if (conflict !== undefined) {
          const at = conflict.length <= target.length ? conflict : target;
          throw new MongoCommandError(
            'ConflictingUpdateOperators',
            `Updating the path '${target}' would create a conflict at '${at}'`,
          );
        }
        concrete.push(target);
        resolved[target] = value;
      }
    }
    modifier[operator] = resolved;
  }
  for (const [operator, fields] of Object.entries(modifier)) {
    if (Object.keys(fields as Doc).length === 0) delete modifier[operator];
  }
}

/**
 * The concrete paths (`children.1.name`) a positional path (`children.$.name`,
 * `children.$[c].name`, `children.$[].name`) designates in `doc`, with mongod's errors.
 */
function expandPositionalPath(doc: Doc, path: string, options: ApplyUpdateOptions): string[] {
  const segments = path.split('.');
  const results: string[] = [];
  const walk = (value: unknown, index: number, prefix: string[]): void => {
    if (index === segments.length) {
      results.push(prefix.join('.'));
      return;
    }
    const segment = segments[index];
    if (!segment.startsWith('$')) {
      const next = Array.isArray(value)
        ? /^\d+$/.test(segment)
          ? value[Number(segment)]
          : undefined
        : isPlainObject(value)
          ? value[segment]
          : undefined;
      walk(next, index + 1, [...prefix, segment]);
      return;
    }
    const field = prefix.join('.');
    if (!Array.isArray(value)) {
      throw new MongoCommandError(
        'BadValue',
        value === undefined || value === null
          ? `The path '${field}' must exist in the document in order to apply array updates.`
          : `Cannot apply array updates to non-array element ${prefix[prefix.length - 1] ?? field}: ${formatValue(value)}`,
      );
    }
    let indexes: number[];
    if (segment === '$') {
      indexes = [positionalIndex(value, field, options.query)];
    } else if (segment === '$[]') {
      indexes = value.map((_, i) => i);
    } else {
      const identifier = segment.slice(2, -1);
      const filter = arrayFilterFor(identifier, options.arrayFilters, path);
      const query = compileQuery(filter, MINGO_OPTIONS);
      indexes = value.flatMap((element, i) => (query.test({ [identifier]: element }) ? [i] : []));
    }
    for (const i of indexes) walk(value[i], index + 1, [...prefix, String(i)]);
  };
  walk(doc, 0, []);
  return results;
}

/** The element `$` stands for: the first one the filter's predicates on that array match. */
function positionalIndex(array: unknown[], field: string, query: Doc | undefined): number {
  const predicates = Object.entries(query ?? {}).filter(
    ([key]) => key === field || key.startsWith(`${field}.`),
  );
  if (predicates.length > 0) {
    const test = compileQuery(Object.fromEntries(predicates), MINGO_OPTIONS);
    const index = array.findIndex((element) => {
      const probe: Doc = {};
      setPath(probe, field, [element]);
      return test.test(probe);
    });
    if (index >= 0) return index;
  }
  throw new MongoCommandError(
    'BadValue',
    'The positional operator did not find the match needed from the query.',
  );
}

/** The array filter whose top-level paths start with `identifier` (`{ 'c.name': 'b' }`). */
function arrayFilterFor(identifier: string, arrayFilters: Doc[] | undefined, path: string): Doc {
  const names = (filter: Doc): string[] =>
    Object.entries(filter).flatMap(([key, value]) =>
      key.startsWith('$')
        ? Array.isArray(value)
          ? value.filter(isPlainObject).flatMap(names)
          : []
        : [key.split('.')[0]],
    );
  const filter = arrayFilters?.find((candidate) => names(candidate).includes(identifier));
  if (!filter) {
    throw new MongoCommandError(
      'BadValue',
      `No array filter found for identifier '${identifier}' in path '${path}'`,
    );
  }
  return filter;
}

/** Query operators that apply to a value (`$gt`, `$in`): mongod's "path-accepting" keywords. */
const VALUE_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$type',
  '$size',
  '$all',
  '$elemMatch',
  '$not',
  '$regex',
  '$options',
  '$mod',
  '$bitsAllSet',
  '$bitsAnySet',
  '$bitsAllClear',
  '$bitsAnyClear',
  '$geoWithin',
  '$geoIntersects',
  '$near',
  '$nearSphere',
  '$within',
]);

/**
 * mongod reads a `$pull` condition whose first field is not a value operator
 * (`{ $or: [{ a: 1 }, { b: 2 }] }`, `{ a: 1, $and: [...] }`) as a query on each object element.
 * mingo instead applies any condition holding an operator to the element as a value, so such
 * a `$or` never matches: these pulls are computed here and turned into a `$set`.
 */
function moveLogicalPulls(doc: Doc, modifier: Doc, options: ApplyUpdateOptions): void {
  const fields = modifier.$pull as Doc | undefined;
  if (!fields) return;
  for (const [path, condition] of Object.entries(fields)) {
    if (!isPlainObject(condition)) continue;
    const keys = Object.keys(condition);
    if (keys.length === 0 || VALUE_OPERATORS.has(keys[0])) continue;
    if (!keys.some((key) => key.startsWith('$'))) continue;
    const query = compileQuery(condition, MINGO_OPTIONS);
    delete fields[path];
    const targets = path.includes('$') ? expandPositionalPath(doc, path, options) : [path];
    for (const target of targets) {
      const current = getPath(doc, target);
      if (current === undefined) continue;
      if (!Array.isArray(current)) {
        throw new MongoCommandError('BadValue', 'Cannot apply $pull to a non-array value');
      }
      const kept = current.filter((element) => !(isPlainObject(element) && query.test(element)));
      if (kept.length === current.length) continue;
      modifier.$set = { ...((modifier.$set as Doc | undefined) ?? {}), [target]: kept };
    }
  }
  if (Object.keys(fields).length === 0) delete modifier.$pull;
}

/** Raises MongoDB's errors for updates that mingo would silently skip. */
function checkOperand(doc: Doc, operator: string, path: string, value: unknown): void {
  if (path.includes('$')) return; // positional paths are resolved by mingo
  if (operator === '$inc' || operator === '$mul') {
    if (!isNumeric(value)) {
      const verb = operator === '$inc' ? 'increment' : 'multiply';
      throw new MongoCommandError(
        'TypeMismatch',
        `Cannot ${verb} with non-numeric argument: {${path}: ${formatValue(value)}}`,
      );
    }
  }
  checkPathViable(doc, path);
  const current = getPath(doc, path);
  if (current === undefined) return;
  const field = path.split('.').pop() ?? path;
  switch (operator) {
    case '$inc':
    case '$mul':
      if (!isNumeric(current)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot apply ${operator} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${field}' of non-numeric type ${bsonTypeName(current)}`,
        );
      }
      break;
    case '$push':
      if (!Array.isArray(current)) {
        throw new MongoCommandError(
          'BadValue',
          `The field '${path}' must be an array but is of type ${bsonTypeName(current)} in document {_id: ${formatValue(doc._id)}}`,
        );
      }
      break;
    case '$addToSet':
      if (!Array.isArray(current)) {
        throw new MongoCommandError(
          'BadValue',
          `Cannot apply $addToSet to non-array field. Field named '${field}' has non-array type ${bsonTypeName(current)}`,
        );
      }
      break;
    case '$pull':
    case '$pullAll':
      if (!Array.isArray(current)) {
        throw new MongoCommandError('BadValue', `Cannot apply ${operator} to a non-array value`);
      }
      break;
    case '$pop':
      if (!Array.isArray(current)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `Path '${path}' contains an element of non-array type '${bsonTypeName(current)}'`,
        );
      }
      break;
    default:
      break;
  }
}

/** Setting `a.b` where `a` is a string cannot work: MongoDB answers 28 PathNotViable. */
function checkPathViable(doc: Doc, path: string): void {
  const segments = path.split('.');
  let current: unknown = doc;
  for (let i = 0; i < segments.length - 1; i += 1) {
    const segment = segments[i];
    const next: unknown = Array.isArray(current)
      ? /^\d+$/.test(segment)
        ? current[Number(segment)]
        : undefined
      : isPlainObject(current)
        ? current[segment]
        : undefined;
    if (next === undefined || next === null) return;
    if (!isPlainObject(next) && !Array.isArray(next)) {
      throw new MongoCommandError(
        'PathNotViable',
        `Cannot create field '${segments[i + 1]}' in element {${segment}: ${formatValue(next)}}`,
      );
    }
    current = next;
  }
}

/**
 * mingo's `$inc`/`$mul` ignore `Long` values (int64 beyond 2^53, kept exact by the decoder):
 * such fields are computed here with Long arithmetic and turned into a `$set`.
 */
function moveLongArithmetic(doc: Doc, modifier: Doc): void {
  for (const operator of ['$inc', '$mul'] as const) {
    const fields = modifier[operator] as Doc | undefined;
    if (!fields) continue;
    for (const [path, operand] of Object.entries(fields)) {
      if (path.includes('$')) continue;
      const current = getPath(doc, path);
      if (!(current instanceof Long) && !(operand instanceof Long)) {
        if (current instanceof Decimal128 || operand instanceof Decimal128) {
          throw new MongoCommandError(
            'NotImplemented',
            `${operator} on Decimal128 values is not supported by the embedded server`,
          );
        }
        continue;
      }
      // A missing field counts as 0 for both, as in MongoDB ($mul then sets 0).
      const base = Long.fromValue(toLongable(current ?? 0));
      const by = Long.fromValue(toLongable(operand));
      const result = operator === '$inc' ? base.add(by) : base.multiply(by);
      const asNumber = result.toNumber();
      const value = Number.isSafeInteger(asNumber) ? asNumber : result;
      delete fields[path];
      modifier.$set = { ...((modifier.$set as Doc | undefined) ?? {}), [path]: value };
    }
    if (Object.keys(fields).length === 0) delete modifier[operator];
  }
}

function toLongable(value: unknown): Long | number {
  if (value instanceof Long) return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new MongoCommandError(
        'BadValue',
        'The embedded server does not mix int64 values with fractional numbers',
      );
    }
    return value;
  }
  return 0;
}

/**
 * The document an upsert inserts before the update is applied: the filter's equality
 * predicates (`{ email: 'a' }`, `{ 'profile.name': { $eq: 'x' } }`, members of `$and`).
 */
export function upsertSeed(filter: Doc): Doc {
  const seed: Doc = {};
  const visit = (predicate: Doc): void => {
    for (const [key, value] of Object.entries(predicate)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const member of value) if (isPlainObject(member)) visit(member);
        continue;
      }
      if (key.startsWith('$')) continue;
      if (isOperatorObject(value)) {
        if ('$eq' in value) setPath(seed, key, cloneDoc(value.$eq));
        continue;
      }
      if (value instanceof RegExp) continue;
      setPath(seed, key, cloneDoc(value));
    }
  };
  visit(filter);
  return seed;
}

/** Builds the document an upsert inserts: seed, then the update (with `$setOnInsert`). */
export function buildUpsertDocument(
  filter: Doc,
  spec: UpdateSpec,
  options: Omit<ApplyUpdateOptions, 'isInsert'>,
): Doc {
  const seed = upsertSeed(filter);
  let doc: Doc;
  if (!Array.isArray(spec) && !isOperatorUpdate(spec)) {
    doc = { ...cloneDoc(spec as Doc) };
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  } else {
    doc = applyUpdate(seed, spec, { ...options, query: undefined, isInsert: true });
  }
  if (doc._id === undefined) doc._id = new ObjectId();
  return withIdFirst(doc);
}

/** MongoDB stores `_id` as the first field. */
export function withIdFirst(doc: Doc): Doc {
  if (!('_id' in doc) || Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}
