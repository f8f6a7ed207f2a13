import { Context } from 'mingo';
import { Aggregator as BaseAggregator } from 'mingo/aggregator';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as mingoQuery from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as BaseQuery } from 'mingo/query';
import type { Any, AnyObject, Options } from 'mingo/types';
import { evalExpr } from 'mingo/core';
import {
  assert,
  compare as mingoCompare,
  ensureArray,
  flatten,
  isEqual,
  isNil,
  isRegExp,
  resolve,
  typeOf,
} from 'mingo/util';
import { MongoCommandError } from '../errors';
import type { Collation } from './collation';
import { containsString } from './collation';
import { isPlainObject } from './documents';
import { evaluationOptions } from './mingo-options';
import { compareValues } from './sort';

/**
 * mingo applies a collation only in its `$sort` stage; its query operators and expressions
 * compare strings by code unit. These replacements of the comparison operators keep mingo's
 * matching rules (array elements, nested arrays, null matching missing, type bracketing) and
 * compare strings — also strings inside arrays and sub-documents — by the collation. A query
 * operand without any string cannot be affected by a collation, so it goes to mingo's own
 * operator.
 */

type Predicate = (doc: AnyObject) => boolean;
type QueryOp = (selector: string, value: Any, options: Options) => Predicate;

/** Equality of BSON values with strings compared by the collation. */
function collatedEqual(a: unknown, b: unknown, collation: Collation): boolean {
  if (typeof a === 'string' && typeof b === 'string') return collation.compareStrings(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => collatedEqual(item, b[i], collation));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    return (
      keysA.length === keysB.length &&
      keysA.every((key, i) => key === keysB[i] && collatedEqual(a[key], b[key], collation))
    );
  }
  return isEqual(a, b);
}

/** The field's value(s) as mingo's processQuery resolves them, and the selector depth. */
function lhsOf(selector: string): { depth: number; get: (doc: AnyObject) => unknown } {
  const depth = selector.split('.').length - 1;
  return { depth, get: (doc) => resolve(doc, selector, { unwrapArray: true }) };
}

function eqMatches(a: unknown, b: unknown, depth: number, collation: Collation): boolean {
  if (collatedEqual(a, b, collation)) return true;
  if (isNil(a) && isNil(b)) return true;
  if (Array.isArray(a)) {
    return (
      a.some((v) => collatedEqual(v, b, collation)) ||
      flatten(a, depth || 1).some((v) => collatedEqual(v, b, collation))
    );
  }
  return false;
}

function inMatches(a: unknown, values: unknown[], collation: Collation): boolean {
  if (isNil(a)) return values.some((v) => v === null);
  const items = ensureArray(a);
  if (items.some((item) => values.some((v) => !isRegExp(v) && collatedEqual(item, v, collation)))) {
    return true;
  }
  if (Array.isArray(a) && values.some((v) => collatedEqual(a, v, collation))) return true;
  const patterns = values.filter(isRegExp);
  return (
    patterns.length > 0 &&
    items.some((v) => typeof v === 'string' && patterns.some((re) => re.test(v)))
  );
}

/** Strings (anywhere inside) by the collation; anything else exactly as mingo compares it. */
function collatedCompare(a: unknown, b: unknown, collation: Collation): number {
  return containsString(a) || containsString(b)
    ? compareValues(a, b, collation)
    : mingoCompare(a, b);
}

function rangeMatches(
  a: unknown,
  b: unknown,
  collation: Collation,
  accept: (order: number) => boolean,
): boolean {
  for (const v of ensureArray(a)) {
    if (typeOf(v) === typeOf(b) && accept(collatedCompare(v, b, collation))) return true;
  }
  return false;
}

function makeOperators(collation: Collation): Record<string, QueryOp> {
  const byCollation =
    (
      original: QueryOp,
      matches: (a: unknown, value: Any, depth: number) => boolean,
      // Operands mingo must validate or that need its own machinery stay with mingo.
      accepts: (value: Any) => boolean = () => true,
    ): QueryOp =>
    (selector, value, options) => {
      if (!containsString(value) || !accepts(value)) return original(selector, value, options);
      const { depth, get } = lhsOf(selector);
      return (doc) => matches(get(doc), value, depth);
    };
  const range = (original: QueryOp, accept: (order: number) => boolean): QueryOp =>
    byCollation(original, (a, b) => rangeMatches(a, b, collation, accept));
  const asArray = (value: Any): unknown[] => (Array.isArray(value) ? value : [value]);
  const isList = (value: Any): boolean => Array.isArray(value);
  const plainAll = (value: Any): boolean =>
    Array.isArray(value) &&
    value.length > 0 &&
    !value.some((item) => isPlainObject(item) && '$elemMatch' in item);
  return {
    $eq: byCollation(mingoQuery.$eq, (a, b, depth) => eqMatches(a, b, depth, collation)),
    $ne: byCollation(mingoQuery.$ne, (a, b, depth) => !eqMatches(a, b, depth, collation)),
    $in: byCollation(mingoQuery.$in, (a, b) => inMatches(a, asArray(b), collation), isList),
    $nin: byCollation(mingoQuery.$nin, (a, b) => !inMatches(a, asArray(b), collation), isList),
    // `$all` is a conjunction of equalities (mongod), each one collated.
    $all: byCollation(
      mingoQuery.$all,
      (a, b, depth) =>
        asArray(b).every((item) =>
          isRegExp(item)
            ? ensureArray(a).some((v) => typeof v === 'string' && item.test(v))
            : eqMatches(a, item, depth, collation),
        ),
      plainAll,
    ),
    $gt: range(mingoQuery.$gt, (order) => order > 0),
    $gte: range(mingoQuery.$gte, (order) => order >= 0),
    $lt: range(mingoQuery.$lt, (order) => order < 0),
    $lte: range(mingoQuery.$lte, (order) => order <= 0),
  };
}

type ExpressionOp = (obj: AnyObject, expr: Any, options: Options) => Any;

/**
 * Aggregation-expression comparisons (`$expr`, `$cond`, `$filter`, `$project` …) under the
 * collation too, as in mongod. Same semantics as mingo's own (which reuse its query
 * predicates), with strings compared by the collation.
 */
function makeExpressionOperators(collation: Collation): Record<string, ExpressionOp> {
  const pair =
    (name: string, compute: (a: unknown, b: unknown) => Any): ExpressionOp =>
    (obj, expr, options) => {
      assert(Array.isArray(expr) && expr.length === 2, `${name} expects array(2)`);
      const [a, b] = evalExpr(obj, expr, options) as [unknown, unknown];
      return compute(a, b);
    };
  const range = (name: string, accept: (order: number) => boolean): ExpressionOp =>
    pair(name, (a, b) => rangeMatches(a, b, collation, accept));
  return {
    $eq: pair('$eq', (a, b) => eqMatches(a, b, 1, collation)),
    $ne: pair('$ne', (a, b) => !eqMatches(a, b, 1, collation)),
    $gt: range('$gt', (order) => order > 0),
    $gte: range('$gte', (order) => order >= 0),
    $lt: range('$lt', (order) => order < 0),
    $lte: range('$lte', (order) => order <= 0),
    $cmp: pair('$cmp', (a, b) => Math.sign(collatedCompare(a, b, collation))),
    $in: (obj, expr, options) => {
      assert(Array.isArray(expr) && expr.length === 2, '$in expects array(2)');
      const [item, list] = evalExpr(obj, expr, options) as [unknown, unknown];
      // mingo's own error for a non-array second argument.
      if (!Array.isArray(list)) return expressionOperators.$in(obj, expr, options);
      return list.some((value) => collatedEqual(value, item, collation));
    },
  };
}

const contexts = new WeakMap<Collation, Context>();

/**
 * A complete mingo context (every operator) whose comparison operators use `collation`.
 * Complete because mingo's `Query` and `Aggregator` from the package root merge a context
 * under their own operators (theirs win); the base classes below take it as it is, and
 * nested queries (`$elemMatch`, `$not`, `$and`/`$or`, later `$match` stages) inherit it.
 */
export function collatedContext(collation: Collation): Context {
  let context = contexts.get(collation);
  if (!context) {
    context = Context.init({
      accumulator: accumulatorOperators as never,
      expression: { ...expressionOperators, ...makeExpressionOperators(collation) } as never,
      pipeline: pipelineOperators as never,
      projection: projectionOperators as never,
      query: { ...mingoQuery, ...makeOperators(collation) } as never,
      window: windowOperators as never,
    });
    contexts.set(collation, context);
  }
  return context;
}

/** A mingo query over `criteria` whose string comparisons follow `collation`. */
export function collatedQuery(
  criteria: AnyObject,
  options: Partial<Options>,
  collation: Collation,
): BaseQuery {
  return new BaseQuery(
    criteria,
    evaluationOptions({ ...options, context: collatedContext(collation) }),
  );
}

/** A mingo aggregator whose `$match` stages compare strings by `collation`. */
export function collatedAggregator(
  stages: AnyObject[],
  options: Partial<Options>,
  collation: Collation,
): BaseAggregator {
  return new BaseAggregator(
    stages,
    evaluationOptions({ ...options, context: collatedContext(collation) }),
  );
}

/**
 * Stages whose results a collation changes (grouping keys, joins, windows) and that mingo
 * would run with binary string comparisons: refused under a collation instead of answering
 * differently from mongod.
 */
const UNCOLLATED_STAGES = new Set([
  '$group',
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$lookup',
  '$graphLookup',
  '$setWindowFields',
  '$facet',
  '$unionWith',
  '$densify',
  '$fill',
]);

/** Accumulators that compare or deduplicate values (so strings would need the collation). */
const COMPARING_ACCUMULATORS = new Set([
  '$addToSet',
  '$min',
  '$max',
  '$minN',
  '$maxN',
  '$top',
  '$topN',
  '$bottom',
  '$bottomN',
]);

/** Whether an expression reads nothing from the document (a literal `_id` groups everything). */
function isConstant(value: unknown): boolean {
  if (typeof value === 'string') return !value.startsWith('$');
  if (Array.isArray(value)) return value.every(isConstant);
  if (isPlainObject(value)) {
    return Object.entries(value).every(([key, item]) => !key.startsWith('$') && isConstant(item));
  }
  return true;
}

/**
 * A `$group` a collation cannot change: a constant `_id` (`null`, `1`: one group) and no
 * accumulator that compares values.
 */
function groupIgnoresCollation(spec: unknown): boolean {
  if (!isPlainObject(spec) || !isConstant(spec._id)) return false;
  return Object.entries(spec).every(
    ([field, accumulator]) =>
      field === '_id' ||
      (isPlainObject(accumulator) &&
        !Object.keys(accumulator).some((name) => COMPARING_ACCUMULATORS.has(name))),
  );
}

/** Throws 238 NotImplemented naming the first stage a collation cannot be applied to. */
export function refuseUncollatedStages(stages: Array<Record<string, unknown>>): void {
  for (const stage of stages) {
    const name = Object.keys(stage)[0];
    if (name === '$group' && groupIgnoresCollation(stage.$group)) continue;
    if (UNCOLLATED_STAGES.has(name)) {
      throw new MongoCommandError(
        'NotImplemented',
        `the ${name} stage with a collation is not supported by the embedded server`,
      );
    }
  }
}
