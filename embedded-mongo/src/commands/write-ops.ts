import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { isPlainObject } from '../query/documents';
import { findDocuments } from '../query/find';
import type { UpdateSpec } from '../query/update';
import {
  applyUpdate,
  buildUpsertDocument,
  isOperatorUpdate,
  validateUpdateSpec,
} from '../query/update';
import { resolveCollation } from '../query/collation';
import { canonicalKey } from '../storage/keys';
import type { CommandContext } from './context';
import { prepareForInsert } from './insert';
import { checkDocumentValidation } from './validation';
import { assertNotView } from './views';

export interface UpdateRequest {
  filter: Doc;
  update: unknown;
  upsert: boolean;
  multi: boolean;
  arrayFilters?: Doc[];
  sort?: Doc;
  /** `bypassDocumentValidation`: the collection's validator is not applied. */
  bypassDocumentValidation?: boolean;
  /** The statement's `collation` argument, as sent (the collection default applies without). */
  collation?: unknown;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** The single matched document before and after (for findAndModify). */
  before?: Doc;
  after?: Doc;
}

/**
 * The fields mongod 7.0's IDL accepts in an `update` statement. `sort` only arrived in 8.0:
 * a 7.0 standalone refuses it (and anything else unknown) instead of silently ignoring it.
 */
const UPDATE_STATEMENT_FIELDS = new Set([
  'q',
  'u',
  'c',
  'arrayFilters',
  'multi',
  'upsert',
  'upsertSupplied',
  'collation',
  'hint',
  'sampleId',
  '$_allowShardKeyUpdatesWithoutFullShardKeyInQuery',
]);

/**
 * Refuses unknown fields of an `update` statement like mongod's command parser does: the
 * whole command fails (`ok: 0`, no statement runs), not just that statement.
 */
export function checkUpdateStatementFields(statement: Doc): void {
  for (const field of Object.keys(statement)) {
    if (!UPDATE_STATEMENT_FIELDS.has(field)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field 'update.updates.${field}' is an unknown field.`,
      );
    }
  }
}

/** Parses one entry of the `update` command's `updates` array. */
export function parseUpdateStatement(statement: Doc): UpdateRequest {
  const filter = statement.q ?? {};
  if (!isPlainObject(filter)) {
    throw new MongoCommandError('TypeMismatch', `BSON field 'update.updates.q' must be an object`);
  }
  const arrayFilters = statement.arrayFilters;
  if (
    arrayFilters !== undefined &&
    (!Array.isArray(arrayFilters) || !arrayFilters.every(isPlainObject))
  ) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field 'arrayFilters' must be an array of objects`,
    );
  }
  return {
    filter,
    update: statement.u,
    upsert: statement.upsert === true,
    multi: statement.multi === true,
    arrayFilters: arrayFilters as Doc[] | undefined,
    collation: statement.collation,
  };
}

/**
 * Updates the matching document(s) or upserts one. Each document's new version is
 * computed on a copy and committed only after the unique-index checks pass.
 */
export function executeUpdate(
  context: CommandContext,
  collName: string,
  request: UpdateRequest,
): UpdateOutcome {
  validateUpdateSpec(request.update);
  const spec: UpdateSpec = request.update;
  if (request.multi && !Array.isArray(spec) && !isOperatorUpdate(spec)) {
    throw new MongoCommandError(
      'FailedToParse',
      'multi update is not supported for replacement-style update',
    );
  }
  const coll = context.store.getCollection(context.db, collName);
  assertNotView(coll);
  const bypass = request.bypassDocumentValidation === true;
  const targets = findDocuments(coll, {
    collation: resolveCollation(request.collation, coll?.options, 'update.updates.collation'),
    filter: request.filter,
    sort: request.sort,
    limit: request.multi ? 0 : 1,
  });
  if (coll && targets.length > 0) {
    let modified = 0;
    let before: Doc | undefined;
    let after: Doc | undefined;
    for (const target of targets) {
      const next = applyUpdate(target, spec, {
        query: request.filter,
        arrayFilters: request.arrayFilters,
        isInsert: false,
      });
      before = target;
      after = next;
      if (canonicalKey(next) !== canonicalKey(target)) {
        checkDocumentValidation(context, coll, next, target, bypass);
        context.store.replace(coll, canonicalKey(target._id), next);
        modified += 1;
      }
    }
    return { matched: targets.length, modified, before, after };
  }
  if (!request.upsert) return { matched: 0, modified: 0 };
  const doc = prepareForInsert(
    buildUpsertDocument(request.filter, spec, { arrayFilters: request.arrayFilters }),
  );
  const target = context.store.ensureCollection(context.db, collName).coll;
  checkDocumentValidation(context, target, doc, undefined, bypass);
  context.store.insert(target, doc);
  return { matched: 0, modified: 0, upsertedId: doc._id, after: doc };
}

export interface DeleteRequest {
  filter: Doc;
  /** 0 deletes every match, 1 only the first. */
  limit: number;
  sort?: Doc;
  /** The statement's `collation` argument, as sent (the collection default applies without). */
  collation?: unknown;
}

export function executeDelete(
  context: CommandContext,
  collName: string,
  request: DeleteRequest,
): Doc[] {
  const coll = context.store.getCollection(context.db, collName);
  assertNotView(coll);
  // Parsed first: a bad collation fails even when there is nothing to delete.
  const collation = resolveCollation(request.collation, coll?.options, 'delete.deletes.collation');
  if (!coll) return [];
  const targets = findDocuments(coll, {
    collation,
    filter: request.filter,
    sort: request.sort,
    limit: request.limit,
  });
  for (const target of targets) context.store.remove(coll, canonicalKey(target._id));
  return targets;
}
