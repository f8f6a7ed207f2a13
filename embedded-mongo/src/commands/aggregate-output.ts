import { BSON, ObjectId, UUID } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { bsonTypeName, cloneDoc, getPath, isPlainObject } from '../query/documents';
import { withVariables } from '../query/mingo-options';
import { applyUpdate, validateUpdateSpec, withIdFirst } from '../query/update';
import { checkVariableName, evaluateExpressions } from '../query/variables';
import { Collection } from '../storage/collection';
import type { IndexSpec } from '../storage/indexes';
import { canonicalKey } from '../storage/keys';
import { MAX_BSON_OBJECT_SIZE } from '../wire/frames';
import type { CommandContext } from './context';
import { prepareForInsert } from './insert';
import { checkDocumentValidation } from './validation';

/** The stages that write the pipeline's result instead of returning it. */
const WRITER_STAGES = new Set(['$out', '$merge']);

/** Databases mongod keeps for itself: neither `$out` nor `$merge` may write there. */
const INTERNAL_DATABASES = new Set(['admin', 'local', 'config']);

type WhenMatched = 'replace' | 'keepExisting' | 'merge' | 'fail' | Doc[];
type WhenNotMatched = 'insert' | 'discard' | 'fail';

/** A parsed `$out` or `$merge`, checked before the pipeline runs (as mongod parses it). */
export type OutputStage =
  | { kind: '$out'; db: string; coll: string }
  | {
      kind: '$merge';
      db: string;
      coll: string;
      on: string[];
      whenMatched: WhenMatched;
      whenNotMatched: WhenNotMatched;
      /** The whenMatched pipeline's variables, evaluated against each incoming document. */
      let?: Doc;
    };

/**
 * Splits a pipeline into the stages that compute documents and its final `$out`/`$merge`, if
 * any. A writer anywhere else (earlier, or inside `$lookup`, `$unionWith` or `$facet`) is
 * refused with mongod's error.
 */
export function splitOutputStage(
  pipeline: unknown[],
  context: CommandContext,
): { stages: unknown[]; output?: OutputStage } {
  pipeline.forEach((stage, i) => {
    const name = stageName(stage);
    if (name && WRITER_STAGES.has(name) && i !== pipeline.length - 1) {
      throw new MongoCommandError(
        'Location40601',
        `${name} can only be the final stage in the pipeline`,
      );
    }
    checkSubPipelines(stage);
  });
  const last = pipeline[pipeline.length - 1];
  const name = stageName(last);
  if (!name || !WRITER_STAGES.has(name)) return { stages: pipeline };
  const spec = (last as Doc)[name];
  const output = name === '$out' ? parseOut(spec, context) : parseMerge(spec, context);
  return { stages: pipeline.slice(0, -1), output };
}

function stageName(stage: unknown): string | undefined {
  if (!isPlainObject(stage)) return undefined;
  const keys = Object.keys(stage);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Writers inside sub-pipelines: mingo would run them against a throwaway array, silently. */
function checkSubPipelines(stage: unknown): void {
  const name = stageName(stage);
  if (!name) return;
  const spec = (stage as Doc)[name];
  const inner = (
    pipeline: unknown,
    code: 'Location51047' | 'Location31441' | 'Location40600',
    where: string,
  ): void => {
    if (!Array.isArray(pipeline)) return;
    for (const sub of pipeline) {
      const subName = stageName(sub);
      if (subName && WRITER_STAGES.has(subName)) {
        throw new MongoCommandError(code, `${subName} ${where}`);
      }
      checkSubPipelines(sub);
    }
  };
  if (name === '$lookup' && isPlainObject(spec)) {
    inner(spec.pipeline, 'Location51047', "is not allowed within a $lookup's sub-pipeline");
  } else if (name === '$unionWith' && isPlainObject(spec)) {
    inner(spec.pipeline, 'Location31441', "is not allowed within a $unionWith's sub-pipeline");
  } else if (name === '$facet' && isPlainObject(spec)) {
    for (const pipeline of Object.values(spec)) {
      inner(pipeline, 'Location40600', 'is not allowed to be used within a $facet stage');
    }
  }
}

function isValidCollectionName(name: string): boolean {
  return name.length > 0 && !name.includes('$') && !name.includes('\0') && !name.startsWith('.');
}

function isValidDatabaseName(name: string): boolean {
  return name.length > 0 && !/[/\\. "$\0]/.test(name);
}

function requireString(spec: Doc, stage: string, field: string): string {
  const value = spec[field];
  if (value === undefined) {
    throw new MongoCommandError(
      'Location40414',
      `BSON field '${stage}.${field}' is missing but a required field`,
    );
  }
  if (typeof value !== 'string') {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${stage}.${field}' is the wrong type '${bsonTypeName(value)}', expected type 'string'`,
    );
  }
  return value;
}

function checkKnownFields(spec: Doc, stage: string, known: string[]): void {
  for (const field of Object.keys(spec)) {
    if (!known.includes(field)) {
      throw new MongoCommandError(
        'Location40415',
        `BSON field '${stage}.${field}' is an unknown field.`,
      );
    }
  }
}

/** A view is stored as a collection whose options name `viewOn`. */
function isView(context: CommandContext, db: string, coll: string): boolean {
  const target = context.store.getCollection(db, coll);
  return target !== undefined && target.options.viewOn !== undefined;
}

function parseOut(spec: unknown, context: CommandContext): OutputStage {
  let db = context.db;
  let coll: string;
  if (typeof spec === 'string') {
    coll = spec;
  } else if (isPlainObject(spec)) {
    checkKnownFields(spec, '$out', ['db', 'coll', 'timeseries']);
    db = requireString(spec, '$out', 'db');
    coll = requireString(spec, '$out', 'coll');
    if (spec.timeseries !== undefined) {
      throw new MongoCommandError(
        'NotImplemented',
        '$out with timeseries is not supported by the embedded server (no time-series collections)',
      );
    }
  } else {
    throw new MongoCommandError(
      'Location16990',
      `$out only supports a string or object argument, but found ${bsonTypeName(spec)}`,
    );
  }
  if (!isValidDatabaseName(db) || !isValidCollectionName(coll)) {
    throw new MongoCommandError('InvalidNamespace', `Invalid $out target namespace, ${db}.${coll}`);
  }
  if (coll.startsWith('system.')) {
    throw new MongoCommandError('Location17385', `Can't $out to special collection: ${coll}`);
  }
  if (INTERNAL_DATABASES.has(db)) {
    throw new MongoCommandError('Location31321', `Can't $out to internal database: ${db}`);
  }
  if (isView(context, db, coll)) {
    throw new MongoCommandError(
      'CommandNotSupportedOnView',
      `Namespace ${db}.${coll} is a view, not a collection`,
    );
  }
  if (context.store.getCollection(db, coll)?.options.capped) {
    throw new MongoCommandError(
      'Location17152',
      `namespace '${db}.${coll}' is capped so it can't be used for $out`,
    );
  }
  return { kind: '$out', db, coll };
}

const WHEN_MATCHED_MODES = new Set(['replace', 'keepExisting', 'merge', 'fail']);
const WHEN_NOT_MATCHED_MODES = new Set(['insert', 'discard', 'fail']);
/** The combinations mongod refuses (51181); every other pair is a documented mode. */
const UNSUPPORTED_COMBINATIONS = new Set([
  'keepExisting/fail',
  'keepExisting/discard',
  'fail/fail',
  'fail/discard',
]);

function parseMerge(spec: unknown, context: CommandContext): OutputStage {
  let db = context.db;
  let coll: string;
  let on = ['_id'];
  let whenMatched: WhenMatched = 'merge';
  let whenNotMatched: WhenNotMatched = 'insert';
  let letSpec: Doc | undefined;
  if (typeof spec === 'string') {
    coll = spec;
  } else if (isPlainObject(spec)) {
    checkKnownFields(spec, '$merge', [
      'into',
      'on',
      'let',
      'whenMatched',
      'whenNotMatched',
      'targetCollectionVersion',
    ]);
    const into = spec.into;
    if (into === undefined) {
      throw new MongoCommandError(
        'Location40414',
        "BSON field '$merge.into' is missing but a required field",
      );
    }
    if (typeof into === 'string') {
      coll = into;
    } else if (isPlainObject(into)) {
      checkKnownFields(into, '$merge.into', ['db', 'coll']);
      if (into.db !== undefined) db = requireString(into, '$merge.into', 'db');
      coll = into.coll === undefined ? '' : requireString(into, '$merge.into', 'coll');
    } else {
      throw new MongoCommandError(
        'TypeMismatch',
        `BSON field '$merge.into' is the wrong type '${bsonTypeName(into)}', expected types '[string, object]'`,
      );
    }
    on = parseOn(spec.on) ?? on;
    if (spec.whenMatched !== undefined) {
      const mode = spec.whenMatched;
      if (Array.isArray(mode)) {
        validateUpdateSpec(mode);
        whenMatched = mode as Doc[];
      } else if (typeof mode === 'string' && WHEN_MATCHED_MODES.has(mode)) {
        whenMatched = mode as WhenMatched;
      } else {
        throw new MongoCommandError(
          'BadValue',
          `Enumeration value '${String(mode)}' for field '$merge.whenMatched' is not a valid value.`,
        );
      }
    }
    if (spec.whenNotMatched !== undefined) {
      const mode = spec.whenNotMatched;
      if (typeof mode !== 'string' || !WHEN_NOT_MATCHED_MODES.has(mode)) {
        throw new MongoCommandError(
          'BadValue',
          `Enumeration value '${String(mode)}' for field '$merge.whenNotMatched' is not a valid value.`,
        );
      }
      whenNotMatched = mode as WhenNotMatched;
    }
    if (spec.let !== undefined) {
      if (!isPlainObject(spec.let)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `BSON field '$merge.let' is the wrong type '${bsonTypeName(spec.let)}', expected type 'object'`,
        );
      }
      letSpec = spec.let;
    }
  } else {
    throw new MongoCommandError(
      'TypeMismatch',
      `$merge requires a string or object argument, but found ${bsonTypeName(spec)}`,
    );
  }
  const matchedName = Array.isArray(whenMatched) ? 'pipeline' : whenMatched;
  if (UNSUPPORTED_COMBINATIONS.has(`${matchedName}/${whenNotMatched}`)) {
    throw new MongoCommandError(
      'Location51181',
      `Combination of $merge modes 'whenMatched: ${matchedName}' and 'whenNotMatched: ${whenNotMatched}' is not supported`,
    );
  }
  if (!isValidDatabaseName(db) || !isValidCollectionName(coll)) {
    throw new MongoCommandError(
      'InvalidNamespace',
      `Invalid $merge target namespace: '${db}.${coll}'`,
    );
  }
  if (coll.startsWith('system.')) {
    throw new MongoCommandError('Location31319', `Cannot $merge to special collection: ${coll}`);
  }
  if (INTERNAL_DATABASES.has(db)) {
    throw new MongoCommandError('Location31320', `Cannot $merge to internal database: ${db}`);
  }
  if (isView(context, db, coll)) {
    throw new MongoCommandError(
      'CommandNotSupportedOnView',
      `Namespace ${db}.${coll} is a view, not a collection`,
    );
  }
  let variables: Doc | undefined;
  if (Array.isArray(whenMatched)) {
    variables = letSpec ?? { new: '$$ROOT' };
    if ('new' in variables && variables.new !== '$$ROOT') {
      throw new MongoCommandError(
        'Location51273',
        "'let' may not define a value for the reserved 'new' variable other than '$$ROOT'",
      );
    }
    for (const name of Object.keys(variables)) checkVariableName(name);
    if (!('new' in variables) && whenNotMatched === 'insert') {
      variables = { ...variables, new: '$$ROOT' };
    }
  } else if (letSpec) {
    throw new MongoCommandError(
      'Location51199',
      `Cannot use 'let' variables with 'whenMatched: ${whenMatched}' mode`,
    );
  }
  checkUniqueIndexForOn(context, db, coll, on);
  return { kind: '$merge', db, coll, on, whenMatched, whenNotMatched, let: variables };
}

function parseOn(on: unknown): string[] | undefined {
  if (on === undefined) return undefined;
  const fields = typeof on === 'string' ? [on] : on;
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '$merge.on' is the wrong type '${bsonTypeName(on)}', expected types '[string, array]'`,
    );
  }
  const seen = new Set<string>();
  for (const field of fields as string[]) {
    if (seen.has(field)) {
      throw new MongoCommandError('Location31465', `Found a duplicate field '${field}'`);
    }
    seen.add(field);
  }
  return fields as string[];
}

/**
 * `on` fields other than `_id` must be the exact key of a unique, non-partial index of the
 * target (which therefore must exist), so a result document matches at most one target.
 */
function checkUniqueIndexForOn(
  context: CommandContext,
  db: string,
  coll: string,
  on: string[],
): void {
  if (on.length === 1 && on[0] === '_id') return;
  const target = context.store.getCollection(db, coll);
  const wanted = [...on].sort().join('\0');
  const supported = target
    ?.indexSpecs()
    .some(
      (spec) =>
        (spec.unique === true || spec.name === '_id_') &&
        spec.partialFilterExpression === undefined &&
        Object.keys(spec.key).sort().join('\0') === wanted,
    );
  if (!supported) {
    throw new MongoCommandError(
      'Location51183',
      'Cannot find index to verify that join fields will be unique',
    );
  }
}

/**
 * Writes the pipeline's result as its `$out`/`$merge` stage says, through the Store. The
 * target's validator applies unless the aggregate sets `bypassDocumentValidation`.
 */
export function writeOutput(
  context: CommandContext,
  output: OutputStage,
  docs: Doc[],
  bypassValidation: boolean,
): void {
  if (output.kind === '$out') writeOut(context, output.db, output.coll, docs, bypassValidation);
  else writeMerge(context, output, docs, bypassValidation);
}

/**
 * `$out` builds the new contents aside, with the target's options and indexes (a duplicate
 * `_id` or unique key fails there, naming a temporary collection as mongod does), and only
 * then replaces the target: any failure leaves the old target untouched.
 */
function writeOut(
  context: CommandContext,
  db: string,
  coll: string,
  docs: Doc[],
  bypass: boolean,
): void {
  const target = context.store.getCollection(db, coll);
  const options = target ? cloneDoc(target.options) : {};
  const specs: IndexSpec[] = target ? [...target.indexes.values()].map((index) => index.spec) : [];
  const staged = new Collection(db, `tmp.agg_out.${new UUID().toHexString(true)}`, options);
  for (const spec of specs) staged.addIndex(spec);
  for (const raw of docs) {
    const doc = prepareForInsert(cloneDoc(raw));
    const size = BSON.calculateObjectSize(doc);
    if (size > MAX_BSON_OBJECT_SIZE) {
      throw new MongoCommandError(
        'BSONObjectTooLarge',
        `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
      );
    }
    checkDocumentValidation(context, staged, doc, undefined, bypass);
    staged.insert(doc);
  }
  if (target) context.store.dropCollection(db, coll);
  const fresh = context.store.createCollection(db, coll, options);
  for (const spec of specs) context.store.createIndex(fresh, spec);
  for (const doc of staged.docs.values()) context.store.insert(fresh, doc);
}

type MergeStage = Extract<OutputStage, { kind: '$merge' }>;

/**
 * `$merge` writes document by document, in pipeline order, like mongod's batches: a failure
 * (`whenMatched: 'fail'`, `whenNotMatched: 'fail'`, a unique index) stops it with the earlier
 * documents written. The `on` values of every document are checked before anything is written.
 */
function writeMerge(
  context: CommandContext,
  stage: MergeStage,
  docs: Doc[],
  bypass: boolean,
): void {
  const onId = stage.on.length === 1 && stage.on[0] === '_id';
  const incoming = docs.map((raw) => {
    const doc = cloneDoc(raw);
    // Documents without `_id` get one, as mongod's writer adds it before the upsert.
    return onId && doc._id === undefined ? { _id: new ObjectId(), ...doc } : doc;
  });
  const keys = incoming.map((doc) => mergeKey(doc, stage.on));
  incoming.forEach((doc, i) => {
    let target = context.store.getCollection(stage.db, stage.coll);
    const existing = target ? findMatch(target, stage.on, keys[i], onId) : undefined;
    if (!existing) {
      if (stage.whenNotMatched === 'discard') return;
      if (stage.whenNotMatched === 'fail') {
        throw new MongoCommandError(
          'MergeStageNoMatchingDocument',
          '$merge could not find a matching document in the target collection for at least one document in the source collection',
        );
      }
      target ??= context.store.ensureCollection(stage.db, stage.coll).coll;
      const inserted = prepareForInsert(doc);
      checkDocumentValidation(context, target, inserted, undefined, bypass);
      context.store.insert(target, inserted);
      return;
    }
    const coll = target as Collection;
    const mode = stage.whenMatched;
    if (mode === 'keepExisting') return;
    if (mode === 'fail') {
      // Inserting the document raises the duplicate key error mongod reports for this mode.
      context.store.insert(coll, prepareForInsert(doc));
      return;
    }
    let next: Doc;
    if (Array.isArray(mode)) {
      const variables = evaluateMergeLet(stage.let ?? {}, doc);
      next = withVariables(variables, () => applyUpdate(existing, mode, { isInsert: false }));
    } else {
      checkSameId(existing, doc);
      next = mode === 'replace' ? { ...doc } : { ...existing, ...doc };
      next = withIdFirst({ ...next, _id: existing._id });
    }
    if (canonicalKey(next) !== canonicalKey(existing)) {
      checkDocumentValidation(context, coll, next, existing, bypass);
      context.store.replace(coll, canonicalKey(existing._id), next);
    }
  });
}

/** The document's `on` values, refused when missing, null or an array (mongod's write error). */
function mergeKey(doc: Doc, on: string[]): unknown[] {
  return on.map((field) => {
    const value = getPath(doc, field);
    if (Array.isArray(value)) {
      throw new MongoCommandError(
        'Location51185',
        `$merge write error: 'on' field '${field}' is an array`,
      );
    }
    if (value === undefined || value === null) {
      throw new MongoCommandError(
        'Location51132',
        `$merge write error: 'on' field '${field}' cannot be missing, null, undefined or an array`,
      );
    }
    return value;
  });
}

function findMatch(
  target: Collection,
  on: string[],
  key: unknown[],
  onId: boolean,
): Doc | undefined {
  if (onId) return target.get(canonicalKey(key[0]));
  const filter: Doc = {};
  on.forEach((field, i) => {
    filter[field] = { $eq: key[i] };
  });
  return target.match(filter, 1)[0];
}

/** A merged or replacing document may not carry another `_id` than the one it matched. */
function checkSameId(existing: Doc, doc: Doc): void {
  if (doc._id !== undefined && canonicalKey(doc._id) !== canonicalKey(existing._id)) {
    throw new MongoCommandError(
      'ImmutableField',
      `Performing an update on the path '_id' would modify the immutable field '_id'`,
    );
  }
}

/** The whenMatched pipeline's `let`, evaluated against the incoming document (`$$new`). */
function evaluateMergeLet(spec: Doc, doc: Doc): Doc {
  return evaluateExpressions(spec, doc);
}
