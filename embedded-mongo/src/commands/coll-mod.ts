import { Long } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { formatObject, isPlainObject } from '../query/documents';
import type { Collection } from '../storage/collection';
import type { IndexSpec } from '../storage/indexes';
import { canonicalKey } from '../storage/keys';
import { collectionName, namespace } from './arguments';
import type { CommandContext, CommandHandler } from './context';
import { checkValidationOptions } from './validation';
import { checkViewDefinition, isView } from './views';

/** Arguments every command may carry (mongod's generic arguments), ignored here. */
const GENERIC_ARGUMENTS = new Set([
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

/** The fields of mongod 7.0's collMod (its IDL is strict: anything else is 40415). */
const SUPPORTED = new Set([
  'index',
  'validator',
  'validationLevel',
  'validationAction',
  'viewOn',
  'pipeline',
]);
const KNOWN_UNSUPPORTED = new Set([
  'recordPreImages',
  'changeStreamPreAndPostImages',
  'expireAfterSeconds',
  'timeseries',
  'isTimeseriesNamespace',
  'dryRun',
  'cappedSize',
  'cappedMax',
]);
const COLLECTION_ONLY = ['index', 'validator', 'validationLevel', 'validationAction'];
const INDEX_FIELDS = new Set(['name', 'keyPattern', 'expireAfterSeconds', 'hidden']);
const INDEX_UNSUPPORTED = new Set(['unique', 'prepareUnique', 'forceNonUnique']);

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  return undefined;
}

/**
 * `collMod`: changes a collection's validation settings, a TTL index's `expireAfterSeconds`
 * or an index's `hidden` flag, or a view's `viewOn`/`pipeline`. Everything is checked before
 * anything changes, and the change is journaled as one record.
 */
export const collMod: CommandHandler = (command, context) => {
  const name = collectionName(command, 'collMod');
  for (const field of Object.keys(command)) {
    if (field === 'collMod' || GENERIC_ARGUMENTS.has(field) || SUPPORTED.has(field)) continue;
    if (KNOWN_UNSUPPORTED.has(field)) {
      throw new MongoCommandError(
        'CommandNotSupported',
        `collMod option '${field}' is not supported by the embedded server`,
      );
    }
    throw new MongoCommandError(
      'Location40415',
      `BSON field 'collMod.${field}' is an unknown field.`,
    );
  }
  // Shapes are checked before the namespace, as mongod's command parser does.
  if (command.index !== undefined && !isPlainObject(command.index)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field 'collMod.index' is the wrong type '${typeof command.index}', expected type 'object'`,
    );
  }
  const coll = context.store.getCollection(context.db, name);
  if (!coll) throw new MongoCommandError('NamespaceNotFound', 'ns does not exist');
  if (isView(coll)) return modifyView(command, context, coll);
  for (const field of ['viewOn', 'pipeline']) {
    if (command[field] !== undefined) {
      throw new MongoCommandError('InvalidOptions', `'${field}' option only supported on a view`);
    }
  }
  checkValidationOptions(command, 'collMod');
  const reply: Doc = {};
  let options: Doc | undefined;
  for (const field of ['validator', 'validationLevel', 'validationAction']) {
    if (command[field] === undefined) continue;
    options ??= { ...coll.options };
    options[field] = command[field];
  }
  const index =
    command.index === undefined ? undefined : modifyIndex(context, coll, command.index, reply);
  if (options || index) context.store.modifyCollection(coll, { options, index });
  return { ...reply, ok: 1 };
};

function modifyView(command: Doc, context: CommandContext, view: Collection): Doc {
  for (const field of COLLECTION_ONLY) {
    if (command[field] !== undefined) {
      throw new MongoCommandError('InvalidOptions', `option not supported on a view: ${field}`);
    }
  }
  if (command.viewOn === undefined && command.pipeline === undefined) return { ok: 1 };
  if (command.pipeline !== undefined && !Array.isArray(command.pipeline)) {
    throw new MongoCommandError('InvalidOptions', 'not a valid aggregation pipeline');
  }
  if (command.viewOn !== undefined && typeof command.viewOn !== 'string') {
    throw new MongoCommandError('InvalidOptions', "'viewOn' option must be a string");
  }
  const viewOn = command.viewOn ?? view.options.viewOn;
  const pipeline = checkViewDefinition(
    context,
    view.name,
    viewOn,
    command.pipeline ?? view.options.pipeline,
    'collMod',
  );
  context.store.modifyCollection(view, { options: { ...view.options, viewOn, pipeline } });
  return { ok: 1 };
}

/** Validates the `index` argument and returns the index's new spec (undefined: no change). */
function modifyIndex(
  context: CommandContext,
  coll: Collection,
  raw: unknown,
  reply: Doc,
): IndexSpec | undefined {
  if (!isPlainObject(raw)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field 'collMod.index' is the wrong type '${typeof raw}', expected type 'object'`,
    );
  }
  for (const field of Object.keys(raw)) {
    if (INDEX_UNSUPPORTED.has(field)) {
      throw new MongoCommandError(
        'CommandNotSupported',
        `collMod index option '${field}' is not supported by the embedded server`,
      );
    }
    if (!INDEX_FIELDS.has(field)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field 'collMod.index.${field}' is an unknown field.`,
      );
    }
  }
  const { name, keyPattern, expireAfterSeconds, hidden } = raw;
  if (name !== undefined && keyPattern !== undefined) {
    throw new MongoCommandError('InvalidOptions', 'Cannot specify both key pattern and name.');
  }
  if (name === undefined && keyPattern === undefined) {
    throw new MongoCommandError('InvalidOptions', 'Must specify either index name or key pattern.');
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new MongoCommandError('TypeMismatch', "BSON field 'collMod.index.name' must be a string");
  }
  if (keyPattern !== undefined && !isPlainObject(keyPattern)) {
    throw new MongoCommandError(
      'TypeMismatch',
      "BSON field 'collMod.index.keyPattern' must be an object",
    );
  }
  if (expireAfterSeconds === undefined && hidden === undefined) {
    throw new MongoCommandError('InvalidOptions', 'no expireAfterSeconds or hidden field');
  }
  const ttl = expireAfterSeconds === undefined ? undefined : toNumber(expireAfterSeconds);
  if (expireAfterSeconds !== undefined && (ttl === undefined || !Number.isInteger(ttl))) {
    throw new MongoCommandError(
      'TypeMismatch',
      "BSON field 'collMod.index.expireAfterSeconds' must be an integer",
    );
  }
  if (ttl !== undefined && (ttl < 0 || ttl > 2147483647)) {
    throw new MongoCommandError(
      'InvalidOptions',
      `TTL index 'expireAfterSeconds' option must be within an acceptable range, try a lower number`,
    );
  }
  if (hidden !== undefined && typeof hidden !== 'boolean') {
    throw new MongoCommandError(
      'TypeMismatch',
      "BSON field 'collMod.index.hidden' must be a boolean",
    );
  }
  const isIdIndex =
    name === '_id_' ||
    (isPlainObject(keyPattern) && canonicalKey(keyPattern) === canonicalKey({ _id: 1 }));
  const index = isIdIndex
    ? undefined
    : typeof name === 'string'
      ? coll.indexes.get(name)
      : [...coll.indexes.values()].find(
          (candidate) => canonicalKey(candidate.spec.key) === canonicalKey(keyPattern),
        );
  if (isIdIndex) {
    if (hidden !== undefined) {
      throw new MongoCommandError('BadValue', "can't hide _id index");
    }
    throw new MongoCommandError('InvalidOptions', 'no expireAfterSeconds field to update');
  }
  if (!index) {
    throw new MongoCommandError(
      'IndexNotFound',
      `cannot find index ${typeof name === 'string' ? name : formatObject(keyPattern as Doc)} for ns ${namespace(context, coll.name)}`,
    );
  }
  const spec: IndexSpec = { ...index.spec };
  if (ttl !== undefined) {
    const old = index.spec.expireAfterSeconds;
    // Since 5.1 a non-TTL single-field index can be made a TTL index this way.
    if (old === undefined && (index.fields.length !== 1 || !index.isPlainKey)) {
      throw new MongoCommandError(
        'InvalidOptions',
        'TTL indexes are single-field indexes, compound indexes do not support TTL',
      );
    }
    if (old !== undefined) reply.expireAfterSeconds_old = old;
    reply.expireAfterSeconds_new = ttl;
    spec.expireAfterSeconds = ttl;
  }
  if (hidden !== undefined) {
    const old = index.spec.hidden === true;
    // Hiding a hidden index (or showing a visible one) changes nothing and reports nothing.
    if (old !== hidden) {
      reply.hidden_old = old;
      reply.hidden_new = hidden;
      if (hidden) spec.hidden = true;
      else delete spec.hidden;
    }
  }
  return canonicalKey(spec) === canonicalKey(index.spec) ? undefined : spec;
}
