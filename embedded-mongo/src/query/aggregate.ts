import { ProcessingMode } from 'mingo';
import { MongoCommandError } from '../errors';
import type { CollationSpec, Options } from 'mingo/types';
import type { Collection } from '../storage/collection';
import type { Collation } from './collation';
import { collatedAggregator, refuseUncollatedStages } from './collation-operators';
import type { Doc } from './documents';
import { cloneDoc, isOperatorObject, isPlainObject } from './documents';
import { translateMingoError } from './filter';
import { sortSpec } from './find';
import { pushDownPipeline } from './pushdown';
import { compileAggregator, queryOptions } from './mingo-options';
import { sortDocuments } from './sort';

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$search', '$geoNear']);

/**
 * The stage names a mongod 7.0 knows. Any other name is refused up front with mongod's
 * 40324, whatever the input (an empty or missing collection included); known stages mingo
 * lacks are left to fail in mingo or as unsupported above.
 */
const MONGOD_STAGES = new Set([
  '$addFields',
  '$bucket',
  '$bucketAuto',
  '$changeStream',
  '$changeStreamSplitLargeEvent',
  '$collStats',
  '$count',
  '$currentOp',
  '$densify',
  '$documents',
  '$facet',
  '$fill',
  '$geoNear',
  '$graphLookup',
  '$group',
  '$indexStats',
  '$limit',
  '$listLocalSessions',
  '$listSampledQueries',
  '$listSearchIndexes',
  '$listSessions',
  '$lookup',
  '$match',
  '$merge',
  '$out',
  '$planCacheStats',
  '$project',
  '$queryStats',
  '$redact',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$search',
  '$searchMeta',
  '$set',
  '$setWindowFields',
  '$shardedDataDistribution',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unset',
  '$unwind',
  '$vectorSearch',
]);

/** Whether mongod 7.0 knows a stage of this name (any other gets 40324). */
export function isKnownStage(name: string): boolean {
  return MONGOD_STAGES.has(name);
}

/**
 * Runs an aggregation pipeline. A leading `$match` is answered through the collection's
 * indexes; the rest runs in mingo on copies of the documents, so stages that modify
 * documents can never reach the stored ones. `$lookup` resolves other collections of the
 * same database.
 */
export function runAggregation(
  coll: Collection | undefined,
  pipeline: unknown[],
  resolve: (name: string) => Collection | undefined,
  collation?: Collation,
): Doc[] {
  const stages: Doc[] = pipeline.map((stage) => {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(
        'Location40323',
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const name = Object.keys(stage)[0];
    if (!MONGOD_STAGES.has(name)) {
      throw new MongoCommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
    }
    if (UNSUPPORTED_STAGES.has(name)) {
      throw new MongoCommandError(
        'NotImplemented',
        `${name} is not supported by the embedded server`,
      );
    }
    return stage;
  });
  // The leading $match/$sort/$skip/$limit run as one planned find (indexes, early stop); a
  // missing collection still parses the filter, so a bad operator fails as on mongod.
  const pushed = pushDownPipeline(coll, stages, collation);
  let input: Doc[] = pushed.execution.docs;
  let next = pushed.next;
  // A leading $sort/$skip/$limit runs here: the server's comparator is far cheaper than mingo's.
  for (; next < stages.length; next += 1) {
    const stage = stages[next];
    if (isPlainObject(stage.$sort)) {
      input = sortDocuments(input, sortSpec(stage.$sort), collation);
    } else if (isCount(stage.$skip)) input = input.slice(stage.$skip);
    else if (isCount(stage.$limit) && stage.$limit > 0) input = input.slice(0, stage.$limit);
    else break;
  }
  const rest = stages.slice(next);
  if (rest.length === 0) return input;
  const counted = countGroup(rest, input.length);
  if (counted) return counted;
  if (collation) refuseUncollatedStages(rest);
  // Copying every input document is the main cost of small aggregations (countDocuments), so
  // it happens only when a stage could modify documents it did not create.
  const mutating = rest.some(mayMutate);
  const options: Partial<Options> = {
    ...queryOptions(),
    processingMode: mutating ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF,
    collectionResolver: (name: string) => {
      const foreign = resolve(name);
      if (!foreign) return [];
      const docs = [...foreign.docs.values()];
      return mutating ? docs.map((doc) => cloneDoc(doc)) : docs;
    },
  };
  // Later $match stages compare strings by the collation, later $sort stages by mingo's own.
  const aggregator = collation
    ? collatedAggregator(rest, { ...options, collation: mingoCollation(collation) }, collation)
    : compileAggregator(rest, options);
  try {
    return aggregator.run(input);
  } catch (error) {
    throw translateMingoError(error);
  }
}

/** The collation in the form mingo's `$sort` stage hands to Intl.Collator. */
function mingoCollation(collation: Collation): CollationSpec {
  const { strength, caseLevel, caseFirst, numericOrdering, alternate } = collation.spec;
  return {
    locale: collation.intlLocale,
    strength: strength === 1 || strength === 2 ? strength : 3,
    caseLevel,
    caseFirst,
    numericOrdering,
    alternate,
  };
}

/**
 * `countDocuments` is `[{ $match }, { $group: { _id: 1, n: { $sum: 1 } } }]`: answered from the
 * number of matches without running the group.
 */
function countGroup(rest: Doc[], count: number): Doc[] | undefined {
  if (rest.length !== 1 || !isPlainObject(rest[0].$group)) return undefined;
  const { _id: id, ...fields } = rest[0].$group;
  const constantId = id === null || typeof id === 'number' || typeof id === 'boolean';
  const allCounts = Object.values(fields).every(
    (accumulator) =>
      isPlainObject(accumulator) && accumulator.$sum === 1 && Object.keys(accumulator).length === 1,
  );
  if (!constantId || !allCounts) return undefined;
  if (count === 0) return [];
  const row: Doc = { _id: id };
  for (const name of Object.keys(fields)) row[name] = count;
  return [row];
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Stages observed to build new documents rather than change their input (mingo 7). Not
 * `$unset`, nor `$project` with exclusions, nor `$unwind` with options: mingo deletes nested
 * excluded fields, removes an empty array's field and writes `includeArrayIndex` in place.
 */
const NON_MUTATING_STAGES = new Set([
  '$match',
  '$group',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$sortByCount',
  '$lookup',
  '$replaceRoot',
  '$replaceWith',
]);

function mayMutate(stage: Doc): boolean {
  const name = Object.keys(stage)[0];
  if (name === '$project' && isPlainObject(stage.$project)) {
    // Exclusions, and nested specs (`{ a: { c: 0 } }`) that may hide one, count as mutating.
    return Object.entries(stage.$project).some(
      ([field, value]) =>
        field !== '_id' &&
        (value === 0 || value === false || (isPlainObject(value) && !isOperatorObject(value))),
    );
  }
  if (name === '$unwind') {
    return !(
      typeof stage.$unwind === 'string' ||
      (isPlainObject(stage.$unwind) && Object.keys(stage.$unwind).join() === 'path')
    );
  }
  if (name === '$facet' && isPlainObject(stage.$facet)) {
    return Object.values(stage.$facet).some(
      (pipeline) =>
        !Array.isArray(pipeline) ||
        pipeline.some((inner) => !isPlainObject(inner) || mayMutate(inner)),
    );
  }
  if (name === '$lookup' && isPlainObject(stage.$lookup) && Array.isArray(stage.$lookup.pipeline)) {
    return stage.$lookup.pipeline.some((inner) => !isPlainObject(inner) || mayMutate(inner));
  }
  return !NON_MUTATING_STAGES.has(name);
}
