import { Context } from 'mingo';
import { evalExpr } from 'mingo/core';
import type { Iterator } from 'mingo/lazy';
import type { Any, AnyObject, Options } from 'mingo/types';
import { MongoCommandError } from '../errors';
import { isPlainObject } from './documents';

/**
 * Memory guards for the expression operators that build values far larger than their input.
 * mingo builds whatever it is asked to: `{ $range: [0, 1e9] }` grows one JavaScript array
 * past V8's limit, which aborts the whole process ("Fatal JavaScript invalid size error", not
 * an exception), and `$reduce` doubling a value with `$concatArrays`/`$concat` exhausts memory
 * in forty steps. mongod bounds these: `$range` by its 100 MB expression memory limit
 * (`internalQueryMaxRangeBytes`, 146 ExceededMemoryLimit), strings and arrays by the BSON
 * and memory limits. Here every such operator checks the size of what it is about to build
 * before building it, and `$reduce`/`$let` (which can share one value many times over) check
 * the size of their result, so a request gets an error reply and the server keeps serving.
 *
 * The guards wrap mingo's operators where every mingo context looks them up
 * (`Context.prototype.getOperator`): the package's default context, which its `Query` and
 * `Aggregator` put first, cannot be extended, and the collation contexts share the lookup.
 */

/** mongod's `internalQueryMaxRangeBytes` (and its expression memory limit): 100 MB. */
export const EXPRESSION_MEMORY_LIMIT = 100 * 1024 * 1024;
/** The largest string a value may hold: the 16 MB BSON document limit. */
export const STRING_SIZE_LIMIT = 16 * 1024 * 1024;
/** What mongod counts per array element (`sizeof(Value)`) and per array (`std::vector`). */
const VALUE_BYTES = 16;
const ARRAY_BYTES = 24;

type ExpressionOp = (obj: AnyObject, expr: Any, options: Options) => Any;

function tooMuchMemory(message: string): MongoCommandError {
  return new MongoCommandError('ExceededMemoryLimit', message);
}

/** Arguments already evaluated, handed back to mingo's operator without evaluating them again. */
function literals(values: unknown[]): Any {
  return values.map((value) => ({ $literal: value })) as Any;
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** `$range`: the element count is known from the arguments, checked like mongod does. */
function guardRange(original: ExpressionOp): ExpressionOp {
  return (obj, expr, options) => {
    if (!Array.isArray(expr) || expr.length < 2 || expr.length > 3) {
      return original(obj, expr, options);
    }
    const args = evalExpr(obj, expr, options) as unknown[];
    const [start, end, step = 1] = args;
    if (isInteger(start) && isInteger(end) && isInteger(step) && step !== 0) {
      const steps = Math.trunc((end - start) / step);
      const length = steps >= 0 ? 1 + steps : 0;
      const needed = ARRAY_BYTES + length * VALUE_BYTES;
      if (needed >= EXPRESSION_MEMORY_LIMIT) {
        throw tooMuchMemory(
          `$range would use too much memory (${needed} bytes) and cannot spill to disk. ` +
            `Memory limit: ${EXPRESSION_MEMORY_LIMIT} bytes`,
        );
      }
    }
    return original(obj, literals(args), options);
  };
}

/** `$concatArrays`: the result's length is the sum of its (already built) inputs' lengths. */
function guardConcatArrays(original: ExpressionOp): ExpressionOp {
  return (obj, expr, options) => {
    const args = evalExpr(obj, expr, options);
    if (!Array.isArray(args)) return original(obj, { $literal: args } as Any, options);
    let length = 0;
    for (const item of args) if (Array.isArray(item)) length += item.length;
    const needed = ARRAY_BYTES + length * VALUE_BYTES;
    if (needed >= EXPRESSION_MEMORY_LIMIT) {
      throw tooMuchMemory(
        `$concatArrays would use too much memory (${needed} bytes). ` +
          `Memory limit: ${EXPRESSION_MEMORY_LIMIT} bytes`,
      );
    }
    return original(obj, literals(args), options);
  };
}

function stringTooLarge(name: string, length: number): MongoCommandError {
  return tooMuchMemory(
    `${name} would produce a string of ${length} bytes or more, over the ` +
      `${STRING_SIZE_LIMIT} byte limit`,
  );
}

/** `$concat`: the result's length is the sum of its inputs' lengths. */
function guardConcat(original: ExpressionOp): ExpressionOp {
  return (obj, expr, options) => {
    if (!Array.isArray(expr)) return original(obj, expr, options);
    const args = evalExpr(obj, expr, options) as unknown[];
    let length = 0;
    for (const item of args) if (typeof item === 'string') length += item.length;
    if (length > STRING_SIZE_LIMIT) throw stringTooLarge('$concat', length);
    return original(obj, literals(args), options);
  };
}

/**
 * `$replaceAll`/`$replaceOne`: at most (input length / find length + 1) replacements, each
 * adding the replacement's length (an empty `find` matches between every character).
 */
function guardReplace(name: string, all: boolean): (original: ExpressionOp) => ExpressionOp {
  return (original) => (obj, expr, options) => {
    if (!isPlainObject(expr)) return original(obj, expr, options);
    const { input, find, replacement } = evalExpr(obj, expr, options) as Record<string, unknown>;
    if (typeof input === 'string' && typeof find === 'string' && typeof replacement === 'string') {
      const matches = all ? Math.floor(input.length / Math.max(find.length, 1)) + 1 : 1;
      const length = input.length + matches * replacement.length;
      if (length > STRING_SIZE_LIMIT) throw stringTooLarge(name, length);
    }
    return original(
      obj,
      {
        input: { $literal: input },
        find: { $literal: find },
        replacement: { $literal: replacement },
      },
      options,
    );
  };
}

/**
 * An estimate of a value's size in bytes, counting a value shared many times once per use
 * (as its BSON form would) but walking each shared object once: `['$$v', '$$v']` doubled
 * forty times is a few objects in memory and 2^40 elements in a reply. Stops counting at
 * `limit`.
 */
export function approximateSize(value: unknown, limit: number): number {
  const sizes = new Map<object, number>();
  const measure = (item: unknown): number => {
    if (typeof item === 'string') return VALUE_BYTES + item.length;
    if (item === null || typeof item !== 'object') return VALUE_BYTES;
    const known = sizes.get(item);
    if (known !== undefined) return known;
    // Marked first, so a (never expected) cycle ends instead of recursing forever.
    sizes.set(item, VALUE_BYTES);
    let total = ARRAY_BYTES;
    const children = Array.isArray(item)
      ? item
      : isPlainObject(item)
        ? Object.values(item)
        : undefined;
    if (children) {
      for (const child of children) {
        total += measure(child);
        if (total >= limit) break;
      }
    } else {
      total = VALUE_BYTES;
    }
    sizes.set(item, total);
    return total;
  };
  return Math.min(measure(value), limit);
}

/** Throws 146 when `value` (a `$reduce`/`$let` result, a `let` value) is too large. */
export function checkValueSize(name: string, value: unknown): void {
  const size = approximateSize(value, EXPRESSION_MEMORY_LIMIT);
  if (size >= EXPRESSION_MEMORY_LIMIT) {
    throw tooMuchMemory(
      `${name} would use too much memory (${size} bytes or more). ` +
        `Memory limit: ${EXPRESSION_MEMORY_LIMIT} bytes`,
    );
  }
}

function guardResult(name: string): (original: ExpressionOp) => ExpressionOp {
  return (original) => (obj, expr, options) => {
    const result = original(obj, expr, options);
    checkValueSize(name, result);
    return result;
  };
}

const GUARDS: Record<string, (original: ExpressionOp) => ExpressionOp> = {
  $range: guardRange,
  $concatArrays: guardConcatArrays,
  $concat: guardConcat,
  $replaceAll: guardReplace('$replaceAll', true),
  $replaceOne: guardReplace('$replaceOne', false),
  $reduce: guardResult('$reduce'),
  $let: guardResult('$let'),
};

/** mongod's `internalQueryMaxAllowedDensifyDocs`. */
export const DENSIFY_DOCS_LIMIT = 500_000;

type PipelineOp = (collection: Iterator, expr: Any, options: Options) => Iterator;

/**
 * `$densify` generates a document per step between its bounds (`bounds: [0, 1e9]`): counted
 * as its documents go by (generated = out - in), refused past mongod's limit with its error.
 */
function guardDensify(original: PipelineOp): PipelineOp {
  return (collection, expr, options) => {
    let seen = 0;
    let produced = 0;
    const input = collection.map((doc: unknown) => {
      seen += 1;
      return doc;
    });
    return original(input, expr, options).map((doc: unknown) => {
      produced += 1;
      const generated = produced - seen;
      if (generated > DENSIFY_DOCS_LIMIT) {
        throw new MongoCommandError(
          'Location5897900',
          `Generated ${generated} documents in $densify, which is over the limit of ` +
            `${DENSIFY_DOCS_LIMIT}. Increase the 'internalQueryMaxAllowedDensifyDocs' ` +
            'parameter to allow more generated documents',
        );
      }
      return doc;
    });
  };
}

/**
 * Stages that compute a document from expressions: a field may repeat an earlier one
 * (`{ $set: { a: ['$a', '$a'] } }` in each of many stages doubles it every stage), so every
 * document they produce is measured.
 */
function guardDocuments(name: string): (original: PipelineOp) => PipelineOp {
  return (original) => (collection, expr, options) =>
    original(collection, expr, options).map((doc: unknown) => {
      checkValueSize(name, doc);
      return doc;
    });
}

const PIPELINE_GUARDS: Record<string, (original: PipelineOp) => PipelineOp> = {
  $densify: guardDensify,
  $addFields: guardDocuments('$addFields'),
  $set: guardDocuments('$set'),
  $project: guardDocuments('$project'),
  $replaceRoot: guardDocuments('$replaceRoot'),
  $replaceWith: guardDocuments('$replaceWith'),
};

const guarded = new WeakMap<object, unknown>();

function installGuards(): boolean {
  const prototype = Context.prototype as unknown as {
    getOperator: (type: string, name: string) => unknown;
  };
  const original = prototype.getOperator;
  if (typeof original !== 'function') return false;
  prototype.getOperator = function getOperator(this: unknown, type: string, name: string) {
    const op = original.call(this, type, name) as ExpressionOp | PipelineOp | null;
    if (!op) return op;
    const guard =
      type === 'expression'
        ? (GUARDS[name] as ((original: unknown) => unknown) | undefined)
        : type === 'pipeline'
          ? (PIPELINE_GUARDS[name] as ((original: unknown) => unknown) | undefined)
          : undefined;
    if (!guard) return op;
    let wrapped = guarded.get(op);
    if (!wrapped) {
      wrapped = guard(op);
      guarded.set(op, wrapped);
    }
    return wrapped;
  };
  return true;
}

/** Whether the guards are in place (false only if a mingo upgrade removed the lookup). */
export const EXPRESSION_GUARDS_INSTALLED = installGuards();
