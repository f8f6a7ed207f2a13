import { Query } from 'mingo';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { MINGO_OPTIONS } from '../query/mingo-options';
import { ID_INDEX_SPEC } from '../storage/collection';
import { collectionName, cursorBatchSize, namespace, optionalDoc } from './arguments';
import type { CommandHandler } from './context';
import { collMod } from './coll-mod';
import { checkValidationOptions } from './validation';
import { checkViewDefinition, isView } from './views';
import { applyCollectionCollation } from '../query/collation';

const IGNORED_CREATE_OPTIONS = new Set([
  'create',
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

/** Options mongod refuses on `create` with `viewOn`: views have no storage of their own. */
const NON_VIEW_OPTIONS = [
  'capped',
  'size',
  'max',
  'autoIndexId',
  'validator',
  'validationLevel',
  'validationAction',
  'indexOptionDefaults',
  'storageEngine',
  'idIndex',
  'clusteredIndex',
  'timeseries',
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'encryptedFields',
];

const create: CommandHandler = (command, context) => {
  const name = collectionName(command, 'create');
  if (command.viewOn !== undefined || command.pipeline !== undefined) {
    if (command.viewOn === undefined) {
      throw new MongoCommandError(
        'InvalidOptions',
        "'pipeline' requires 'viewOn' to also be specified",
      );
    }
    for (const option of NON_VIEW_OPTIONS) {
      if (command[option] !== undefined) {
        throw new MongoCommandError('InvalidOptions', `option not supported on a view: ${option}`);
      }
    }
    const pipeline = checkViewDefinition(context, name, command.viewOn, command.pipeline, 'create');
    const options: Doc = { viewOn: command.viewOn, pipeline };
    if (command.collation !== undefined) options.collation = command.collation;
    context.store.createCollection(context.db, name, applyCollectionCollation(options));
    return { ok: 1 };
  }
  checkValidationOptions(command, 'create');
  const options: Doc = {};
  for (const [key, value] of Object.entries(command)) {
    if (!IGNORED_CREATE_OPTIONS.has(key)) options[key] = value;
  }
  // The default collation is stored (and listed) default-filled, as mongod does.
  context.store.createCollection(context.db, name, applyCollectionCollation(options));
  return { ok: 1 };
};

/** `drop`: like MongoDB 7.0, dropping a missing collection succeeds. */
const drop: CommandHandler = (command, context) => {
  const name = collectionName(command, 'drop');
  const coll = context.store.getCollection(context.db, name);
  const nIndexesWas = coll ? coll.indexes.size + 1 : undefined;
  context.store.dropCollection(context.db, name);
  if (coll && isView(coll)) return { ns: namespace(context, name), ok: 1 };
  return coll ? { nIndexesWas, ns: namespace(context, name), ok: 1 } : { ok: 1 };
};

const dropDatabase: CommandHandler = (_command, context) => {
  context.store.dropDatabase(context.db);
  return { ok: 1 };
};

/** The `filter` of listCollections and listDatabases, applied to the entries they list. */
function filterEntries(entries: Doc[], filter: Doc | undefined): Doc[] {
  if (!filter || Object.keys(filter).length === 0) return entries;
  const query = new Query(filter, MINGO_OPTIONS);
  return entries.filter((entry) => query.test(entry));
}

const listCollections: CommandHandler = (command, context) => {
  const nameOnly = command.nameOnly === true;
  const entries: Doc[] = context.store.collections(context.db).map((coll) => {
    // Views: no uuid, no _id index, read-only (as mongod lists them).
    if (isView(coll)) {
      return nameOnly
        ? { name: coll.name, type: 'view' }
        : { name: coll.name, type: 'view', options: coll.options, info: { readOnly: true } };
    }
    return nameOnly
      ? { name: coll.name, type: 'collection' }
      : {
          name: coll.name,
          type: 'collection',
          options: coll.options,
          info: { readOnly: false, uuid: coll.uuid },
          idIndex: ID_INDEX_SPEC,
        };
  });
  // A real cursor, not a single batch: a database may hold more than one batch of collections.
  const listed = filterEntries(entries, optionalDoc(command, 'filter'));
  return context.cursors.create(`${context.db}.$cmd.listCollections`, listed, {
    batchSize: cursorBatchSize(command),
  });
};

const listDatabases: CommandHandler = (command, context) => {
  if (context.db !== 'admin') {
    throw new MongoCommandError(
      'IllegalOperation',
      'listDatabases may only be run against the admin database.',
    );
  }
  const nameOnly = command.nameOnly === true;
  let databases: Doc[] = context.store.databaseNames().map((name) => {
    if (nameOnly) return { name };
    const docs = context.store.collections(name).reduce((sum, coll) => sum + coll.size, 0);
    return { name, sizeOnDisk: docs * 256, empty: docs === 0 };
  });
  databases = filterEntries(databases, optionalDoc(command, 'filter'));
  const totalSize = databases.reduce(
    (sum, db) => sum + ((db.sizeOnDisk as number | undefined) ?? 0),
    0,
  );
  return nameOnly
    ? { databases, ok: 1 }
    : { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
};

export const collectionCommands: Record<string, CommandHandler> = {
  collMod,
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
};
