import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { isPlainObject } from '../query/documents';
import type { Collection } from '../storage/collection';
import { normalizeIndexSpec, sameIndexOptions } from '../storage/indexes';
import { applyIndexCollation } from '../query/collation';
import { canonicalKey } from '../storage/keys';
import { collectionName, cursorBatchSize, namespace, requireArrayOfDocs } from './arguments';
import type { CommandHandler } from './context';
import { assertNotView, isView } from './views';

const createIndexes: CommandHandler = (command, context) => {
  const name = collectionName(command, 'createIndexes');
  const specs = requireArrayOfDocs(command, 'indexes').map(normalizeIndexSpec);
  // Every spec's collation is checked (and default-filled) before any index is built.
  const existing = context.store.getCollection(context.db, name);
  for (const spec of specs) applyIndexCollation(spec, existing?.options);
  if (isView(context.store.getCollection(context.db, name))) {
    throw new MongoCommandError(
      'CommandNotSupportedOnView',
      `Cannot create indexes on a view: ${namespace(context, name)}`,
    );
  }
  const { coll, created } = context.store.ensureCollection(context.db, name);
  const numIndexesBefore = coll.indexes.size + 1;
  for (const spec of specs) {
    if (spec.name === '_id_' || canonicalKey(spec.key) === canonicalKey({ _id: 1 })) continue;
    const sameName = coll.indexes.get(spec.name);
    if (sameName) {
      if (
        canonicalKey(sameName.spec.key) === canonicalKey(spec.key) &&
        sameIndexOptions(sameName.spec, spec)
      ) {
        continue;
      }
      throw new MongoCommandError(
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`,
      );
    }
    const sameKey = [...coll.indexes.values()].find(
      (index) =>
        canonicalKey(index.spec.key) === canonicalKey(spec.key) &&
        sameIndexOptions(index.spec, spec),
    );
    if (sameKey) {
      throw new MongoCommandError(
        'IndexOptionsConflict',
        `Index already exists with a different name: ${sameKey.name}`,
      );
    }
    context.store.createIndex(coll, spec);
  }
  const numIndexesAfter = coll.indexes.size + 1;
  const reply: Doc = { numIndexesBefore, numIndexesAfter, createdCollectionAutomatically: created };
  if (numIndexesAfter === numIndexesBefore) reply.note = 'all indexes already exist';
  return { ...reply, ok: 1 };
};

function requireCollection(context: Parameters<CommandHandler>[1], name: string): Collection {
  const coll = context.store.getCollection(context.db, name);
  if (!coll) {
    throw new MongoCommandError(
      'NamespaceNotFound',
      `ns does not exist: ${namespace(context, name)}`,
    );
  }
  assertNotView(coll);
  return coll;
}

const listIndexes: CommandHandler = (command, context) => {
  const name = collectionName(command, 'listIndexes');
  const coll = requireCollection(context, name);
  return context.cursors.create(namespace(context, name), coll.indexSpecs(), {
    batchSize: cursorBatchSize(command),
  });
};

const dropIndexes: CommandHandler = (command, context) => {
  const name = collectionName(command, 'dropIndexes');
  const coll = requireCollection(context, name);
  const nIndexesWas = coll.indexes.size + 1;
  const target = command.index;
  let names: string[];
  if (target === '*') {
    names = [...coll.indexes.keys()];
  } else if (typeof target === 'string') {
    names = [target];
  } else if (Array.isArray(target)) {
    names = target.map(String);
  } else if (isPlainObject(target)) {
    const match = [...coll.indexes.values()].find(
      (index) => canonicalKey(index.spec.key) === canonicalKey(target),
    );
    if (!match) {
      if (canonicalKey(target) === canonicalKey({ _id: 1 })) names = ['_id_'];
      else {
        throw new MongoCommandError(
          'IndexNotFound',
          `can't find index with key: ${JSON.stringify(target)}`,
        );
      }
    } else {
      names = [match.name];
    }
  } else {
    throw new MongoCommandError(
      'TypeMismatch',
      "BSON field 'index' must be a string, array or object",
    );
  }
  for (const indexName of names) {
    if (indexName === '_id_') {
      throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
    }
    if (!coll.indexes.has(indexName)) {
      throw new MongoCommandError('IndexNotFound', `index not found with name [${indexName}]`);
    }
  }
  for (const indexName of names) context.store.dropIndex(coll, indexName);
  return { nIndexesWas, ok: 1 };
};

export const indexCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
