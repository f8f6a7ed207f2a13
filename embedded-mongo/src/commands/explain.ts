import { MongoCommandError } from '../errors';
import { isKnownStage } from '../query/aggregate';
import { resolveCollation } from '../query/collation';
import type { Doc } from '../query/documents';
import { bsonTypeName, isOperatorObject, isPlainObject } from '../query/documents';
import type { FindExecution } from '../query/find';
import { executeFind, sortSpec } from '../query/find';
import { checkHint } from '../query/hint';
import { withVariables } from '../query/mingo-options';
import { pushDownPipeline } from '../query/pushdown';
import { parseLet } from '../query/variables';
import type { Interval } from '../storage/bounds';
import { formatInterval } from '../storage/bounds';
import type { IndexScanPlan, QueryPlan } from '../storage/planner';
import {
  collectionName,
  existingCollection,
  namespace,
  optionalArray,
  optionalDoc,
  optionalNumber,
} from './arguments';
import type { CommandContext, CommandHandler } from './context';
import { SERVER_VERSION } from './handshake';
import { resolveView } from './views';

const VERBOSITIES = ['queryPlanner', 'executionStats', 'allPlansExecution'] as const;
type Verbosity = (typeof VERBOSITIES)[number];

/** The explainable commands, each answering the explain reply's plan-specific fields. */
const EXPLAINERS: Record<string, (inner: Doc, context: CommandContext, v: Verbosity) => Doc> = {
  find: explainFind,
  aggregate: explainAggregate,
  count: explainCount,
  distinct: explainDistinct,
};

/** Explainable on mongod, not here: answered 238 naming the command, never silently. */
const NOT_EXPLAINED = new Set(['update', 'delete', 'findAndModify', 'findandmodify', 'mapReduce']);

/**
 * `explain`: which plan a find, aggregate, count or distinct uses, in mongod 7.0's shape —
 * `queryPlanner.winningPlan` with `IXSCAN` (index name, key pattern, direction, bounds) under
 * `FETCH`/`SORT`/`SKIP`/`LIMIT`, or `COLLSCAN`; `rejectedPlans` is always empty (plans are
 * chosen by counting keys, not raced). `executionStats` and `allPlansExecution` run the query
 * and add `nReturned`, `totalKeysExamined` and `totalDocsExamined`.
 *
 * An aggregate whose stages are all pushed into the query (`$match`, `$sort`, `$skip`,
 * `$limit`) answers at top level like a find; any other pipeline answers `stages`, the first
 * being `{ $cursor: { queryPlanner, executionStats } }` for the pushed-down part followed by
 * the remaining stages as given (mongod 7.0's two shapes).
 */
const explain: CommandHandler = (command, context) => {
  const inner = command.explain;
  if (!isPlainObject(inner)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field 'explain.explain' is the wrong type '${bsonTypeName(inner)}', expected type 'object'`,
    );
  }
  const verbosity = command.verbosity ?? 'allPlansExecution';
  if (typeof verbosity !== 'string' || !(VERBOSITIES as readonly string[]).includes(verbosity)) {
    throw new MongoCommandError(
      'BadValue',
      `Enumeration value '${String(verbosity)}' for field 'explain.verbosity' is not a valid value.`,
    );
  }
  const name = Object.keys(inner)[0];
  if (name === undefined) {
    throw new MongoCommandError('FailedToParse', 'explain command requires a nested object');
  }
  const explainer = Object.hasOwn(EXPLAINERS, name) ? EXPLAINERS[name] : undefined;
  if (!explainer) {
    if (NOT_EXPLAINED.has(name)) {
      throw new MongoCommandError(
        'NotImplemented',
        `explain of ${name} is not supported by the embedded server`,
      );
    }
    throw new MongoCommandError(
      'CommandNotFound',
      `Explain failed due to unknown command: ${name}`,
    );
  }
  if (typeof inner[name] === 'string') {
    const view = resolveView(context, inner[name]);
    if (view) {
      throw new MongoCommandError(
        'NotImplemented',
        `explain on a view (${namespace(context, inner[name])}) is not supported by the embedded server`,
      );
    }
  }
  const body = explainer(inner, context, verbosity as Verbosity);
  return {
    explainVersion: '1',
    ...body,
    command: { ...inner, $db: context.db },
    serverInfo: {
      host: context.host,
      port: context.port,
      version: SERVER_VERSION,
      gitVersion: 'embedded-mongo',
    },
    serverParameters: {
      internalQueryFacetBufferSizeBytes: 104857600,
      internalQueryFacetMaxOutputDocSizeBytes: 104857600,
      internalLookupStageIntermediateDocumentMaxSizeBytes: 104857600,
      internalDocumentSourceGroupMaxMemoryBytes: 104857600,
      internalQueryMaxBlockingSortMemoryUsageBytes: 104857600,
      internalQueryProhibitBlockingMergeOnMongoS: 0,
      internalQueryMaxAddToSetBytes: 104857600,
      internalDocumentSourceSetWindowFieldsMaxMemoryBytes: 104857600,
      internalQueryFrameworkControl: 'trySbeRestricted',
    },
    ok: 1,
  };
};

/** What one planned read looked like, for the stage tree. */
interface Explained {
  filter: Doc;
  sort?: Doc;
  skip: number;
  limit: number;
  projection?: Doc;
  execution: FindExecution;
  /** COUNT wraps the plan (count explains). */
  count?: boolean;
}

function explainFind(inner: Doc, context: CommandContext, verbosity: Verbosity): Doc {
  const name = collectionName(inner, 'find');
  const skip = optionalNumber(inner, 'skip') ?? 0;
  if (skip < 0) {
    throw new MongoCommandError(
      'BadValue',
      `Skip value must be non-negative, but received: ${skip}`,
    );
  }
  const limit = Math.abs(optionalNumber(inner, 'limit') ?? 0);
  const coll = existingCollection(context, name);
  const collation = resolveCollation(inner.collation, coll?.options, 'find.collation');
  checkHint(coll, inner.hint);
  const filter = optionalDoc(inner, 'filter') ?? {};
  const sort = optionalDoc(inner, 'sort');
  const projection = optionalDoc(inner, 'projection');
  const execution = withVariables(parseLet(inner, 'find'), () =>
    executeFind(coll, { filter, sort, projection, skip, limit, collation }),
  );
  return explainBody(namespace(context, name), verbosity, {
    filter,
    sort,
    skip,
    limit,
    projection,
    execution,
  });
}

function explainAggregate(inner: Doc, context: CommandContext, verbosity: Verbosity): Doc {
  if (typeof inner.aggregate !== 'string') {
    throw new MongoCommandError(
      'NotImplemented',
      'explain of a database-level aggregate ({ aggregate: 1 }) is not supported by the embedded server',
    );
  }
  const name = collectionName(inner, 'aggregate');
  const pipeline = optionalArray(inner, 'pipeline');
  if (!pipeline) {
    throw new MongoCommandError(
      'FailedToParse',
      "BSON field 'pipeline' is missing but a required field",
    );
  }
  const stages = pipeline.map((stage) => {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(
        'Location40323',
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const stageName = Object.keys(stage)[0];
    if (!isKnownStage(stageName)) {
      throw new MongoCommandError(
        'Location40324',
        `Unrecognized pipeline stage name: '${stageName}'`,
      );
    }
    return stage;
  });
  const coll = existingCollection(context, name);
  const collation = resolveCollation(inner.collation, coll?.options, 'aggregate.collation');
  checkHint(coll, inner.hint);
  const pushed = withVariables(parseLet(inner, 'aggregate'), () =>
    pushDownPipeline(coll, stages, collation),
  );
  const ns = namespace(context, name);
  const explained: Explained = { ...pushed.find, execution: pushed.execution };
  if (pushed.next >= stages.length) return explainBody(ns, verbosity, explained);
  const cursor = explainBody(ns, verbosity, explained);
  return { stages: [{ $cursor: cursor }, ...stages.slice(pushed.next)] };
}

function explainCount(inner: Doc, context: CommandContext, verbosity: Verbosity): Doc {
  const name = collectionName(inner, 'count');
  const coll = existingCollection(context, name);
  const filter = optionalDoc(inner, 'query') ?? {};
  const skip = Math.max(0, optionalNumber(inner, 'skip') ?? 0);
  const limit = Math.abs(optionalNumber(inner, 'limit') ?? 0);
  const collation = resolveCollation(inner.collation, coll?.options, 'count.collation');
  checkHint(coll, inner.hint);
  const ns = namespace(context, name);
  if (Object.keys(filter).length === 0) {
    // mongod answers an unfiltered count from the collection's record count.
    const stage = { stage: 'RECORD_STORE_FAST_COUNT' };
    const n = Math.max(0, (coll?.size ?? 0) - skip);
    const body: Doc = { queryPlanner: queryPlanner(ns, filter, stage) };
    if (verbosity !== 'queryPlanner') {
      body.executionStats = {
        executionSuccess: true,
        nReturned: 0,
        executionTimeMillis: 0,
        totalKeysExamined: 0,
        totalDocsExamined: 0,
        executionStages: { ...stage, nReturned: 0, nCounted: limit > 0 ? Math.min(n, limit) : n },
      };
    }
    return body;
  }
  const execution = executeFind(coll, { filter, skip, limit, collation });
  return explainBody(ns, verbosity, { filter, skip, limit, execution, count: true });
}

function explainDistinct(inner: Doc, context: CommandContext, verbosity: Verbosity): Doc {
  const name = collectionName(inner, 'distinct');
  if (typeof inner.key !== 'string') {
    throw new MongoCommandError('TypeMismatch', "BSON field 'distinct.key' must be a string");
  }
  const coll = existingCollection(context, name);
  const filter = optionalDoc(inner, 'query') ?? {};
  const collation = resolveCollation(inner.collation, coll?.options, 'distinct.collation');
  const execution = executeFind(coll, { filter, collation });
  return explainBody(namespace(context, name), verbosity, { filter, skip: 0, limit: 0, execution });
}

function queryPlanner(ns: string, filter: Doc, winningPlan: Doc): Doc {
  return {
    namespace: ns,
    indexFilterSet: false,
    parsedQuery: parseQuery(filter),
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan,
    rejectedPlans: [],
  };
}

/** `queryPlanner` and, when the verbosity asks for them, `executionStats`. */
function explainBody(ns: string, verbosity: Verbosity, explained: Explained): Doc {
  const withStats = verbosity !== 'queryPlanner';
  const body: Doc = {
    queryPlanner: queryPlanner(ns, explained.filter, stageTree(explained, false)),
  };
  if (!withStats) return body;
  const { execution } = explained;
  body.executionStats = {
    executionSuccess: true,
    nReturned: explained.count ? 0 : execution.docs.length,
    executionTimeMillis: 0,
    totalKeysExamined: execution.stats.keysExamined,
    totalDocsExamined: execution.stats.docsExamined,
    executionStages: stageTree(explained, true),
  };
  if (verbosity === 'allPlansExecution') {
    (body.executionStats as Doc).allPlansExecution = [];
  }
  return body;
}

/**
 * The winning plan as mongod's classic engine draws it: the access stage (COLLSCAN, IDHACK,
 * or IXSCAN under FETCH), then an in-memory SORT, SKIP, LIMIT and projection above it.
 */
function stageTree(explained: Explained, withStats: boolean): Doc {
  const { execution, filter, skip, limit } = explained;
  const plan = execution.plan;
  const { keysExamined, docsExamined } = execution.stats;
  const parsed = parseQuery(filter);
  const hasFilter = Object.keys(filter).length > 0;
  let tree = accessStage(plan, explained, parsed, hasFilter, withStats, keysExamined, docsExamined);
  const sort = explained.sort ? sortSpec(explained.sort) : {};
  if (execution.sortedInMemory) {
    tree = {
      stage: 'SORT',
      sortPattern: sort,
      memLimit: 104857600,
      ...(limit > 0 ? { limitAmount: skip + limit } : {}),
      type: 'simple',
      inputStage: tree,
    };
  }
  if (skip > 0) tree = { stage: 'SKIP', skipAmount: skip, inputStage: tree };
  if (limit > 0 && !execution.sortedInMemory) {
    tree = { stage: 'LIMIT', limitAmount: limit, inputStage: tree };
  }
  const projection = explained.projection;
  if (projection && Object.keys(projection).length > 0) {
    tree = { stage: 'PROJECTION_DEFAULT', transformBy: projection, inputStage: tree };
  }
  if (explained.count) tree = { stage: 'COUNT', inputStage: tree };
  if (withStats) tree = { ...tree, nReturned: explained.count ? 0 : execution.docs.length };
  return tree;
}

function accessStage(
  plan: QueryPlan,
  explained: Explained,
  parsed: Doc,
  hasFilter: boolean,
  withStats: boolean,
  keysExamined: number,
  docsExamined: number,
): Doc {
  if (plan.kind === 'EOF') return { stage: 'EOF' };
  if (plan.kind === 'COLLSCAN') {
    return {
      stage: 'COLLSCAN',
      ...(hasFilter ? { filter: parsed } : {}),
      direction: 'forward',
      ...(withStats ? { docsExamined } : {}),
    };
  }
  if (plan.kind === 'IXSCAN') {
    const idHack =
      plan.index.name === '_id_' &&
      plan.points?.length === 1 &&
      Object.keys(explained.filter).join() === '_id' &&
      !explained.sort;
    if (idHack) return { stage: 'IDHACK', ...(withStats ? { keysExamined, docsExamined } : {}) };
  }
  const input =
    plan.kind === 'OR'
      ? {
          stage: 'OR',
          ...(withStats ? { keysExamined } : {}),
          inputStages: plan.branches.map((branch) => scanStage(branch, false, 0)),
        }
      : scanStage(plan, withStats, keysExamined);
  return {
    stage: 'FETCH',
    ...(hasFilter ? { filter: parsed } : {}),
    ...(withStats ? { docsExamined } : {}),
    inputStage: input,
  };
}

/** An index plan's IXSCAN (or SORT_MERGE of one IXSCAN per `$in` value). */
function scanStage(plan: IndexScanPlan, withStats: boolean, keysExamined: number): Doc {
  const { index } = plan;
  const multiKeyPaths: Doc = {};
  index.fields.forEach((field, i) => {
    multiKeyPaths[field] = index.multikey[i] ? [field] : [];
  });
  const boundsOf = (bounds: Array<Interval[] | undefined>): Doc => {
    const indexBounds: Doc = {};
    index.fields.forEach((field, i) => {
      const intervals = bounds[i];
      const reversed = index.directions[i] * plan.direction === -1;
      indexBounds[field] = intervals
        ? (reversed ? [...intervals].reverse() : intervals).map((iv) =>
            formatInterval(iv, reversed),
          )
        : [reversed ? '[MaxKey, MinKey]' : '[MinKey, MaxKey]'];
    });
    return indexBounds;
  };
  const ixscan: Doc = {
    stage: 'IXSCAN',
    keyPattern: { ...index.spec.key },
    indexName: index.name,
    isMultiKey: index.isMultikey,
    multiKeyPaths,
    isUnique: index.unique || index.name === '_id_',
    isSparse: index.sparse,
    isPartial: index.isPartial,
    indexVersion: 2,
    direction: plan.direction === 1 ? 'forward' : 'backward',
    indexBounds: boundsOf(plan.bounds),
  };
  if (!plan.mergeOn || !plan.runValues) {
    return withStats ? { ...ixscan, keysExamined } : ixscan;
  }
  // mongod's SORT_MERGE: one scan per `$in` combination, merged on the sort.
  const sortPattern: Doc = {};
  for (const [field, order] of plan.mergeOn) sortPattern[index.fields[field]] = order;
  return {
    stage: 'SORT_MERGE',
    sortPattern,
    ...(withStats ? { keysExamined } : {}),
    inputStages: plan.runValues.map((values) => ({
      ...ixscan,
      indexBounds: boundsOf(
        plan.bounds.map((intervals, i) =>
          i < values.length
            ? [{ low: values[i], lowInclusive: true, high: values[i], highInclusive: true }]
            : intervals,
        ),
      ),
    })),
  };
}

/**
 * The filter in mongod's normalized form, roughly: each field predicate as `{ field: { $op:
 * value } }` (plain values as `$eq`), several of them under `$and`, `$or` branches likewise.
 */
function parseQuery(filter: Doc): Doc {
  const terms: Doc[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const item of value) {
        if (!isPlainObject(item)) continue;
        const parsed = parseQuery(item);
        if (Array.isArray(parsed.$and)) terms.push(...(parsed.$and as Doc[]));
        else if (Object.keys(parsed).length > 0) terms.push(parsed);
      }
    } else if ((key === '$or' || key === '$nor') && Array.isArray(value)) {
      terms.push({ [key]: value.map((item) => (isPlainObject(item) ? parseQuery(item) : item)) });
    } else if (key.startsWith('$')) {
      terms.push({ [key]: value });
    } else if (isOperatorObject(value)) {
      for (const [operator, operand] of Object.entries(value)) {
        if (operator === '$options') continue;
        const options = operator === '$regex' && value.$options !== undefined;
        terms.push({
          [key]: options ? { $regex: operand, $options: value.$options } : { [operator]: operand },
        });
      }
    } else {
      terms.push({ [key]: value instanceof RegExp ? { $regex: value } : { $eq: value } });
    }
  }
  if (terms.length === 0) return {};
  return terms.length === 1 ? terms[0] : { $and: terms };
}

export const explainCommands: Record<string, CommandHandler> = { explain };
