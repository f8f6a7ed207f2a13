import { Aggregator as RootAggregator, Context, ProcessingMode } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import type { AnyObject, Options } from 'mingo/types';
import { jsonSchemaPredicate } from './json-schema';
// Installs the memory guards on mingo's array and string builders ($range, $concat …).
import './expression-limits';

/**
 * Shared mingo settings: strict MongoDB semantics, and no server-side JavaScript
 * (`$where`, `$function`), which a database reachable over TCP must not evaluate.
 */
export const MINGO_OPTIONS: Partial<Options> = {
  idKey: '_id',
  useStrictMode: true,
  scriptEnabled: false,
  // mingo evaluates `$jsonSchema` (filters, validators) only through a validator it is given.
  jsonSchemaValidator: jsonSchemaPredicate,
};

/** The `let` variables of the command being executed (see withVariables). */
let scopedVariables: Readonly<Record<string, unknown>> | undefined;

/**
 * The mingo options for whatever the current command compiles: MINGO_OPTIONS plus the
 * command's `let` variables. mingo binds variables when a Query or Aggregator is built, so a
 * compiled filter keeps the variables it was built with.
 */
export function queryOptions(): Partial<Options> {
  return scopedVariables ? { ...MINGO_OPTIONS, variables: scopedVariables } : MINGO_OPTIONS;
}

/**
 * Runs `run` with no command `let` variables in scope: for what is compiled once and kept
 * (collection validators), which must not keep the values of the command that compiled it.
 */
export function withoutVariables<T>(run: () => T): T {
  const previous = scopedVariables;
  scopedVariables = undefined;
  try {
    return run();
  } finally {
    scopedVariables = previous;
  }
}

/**
 * Runs `run` with `variables` visible (as `$$name`) to every filter, expression and pipeline
 * compiled through queryOptions(), on top of the variables already in scope. A scope instead
 * of a parameter: filters are compiled deep inside the shared read path (collection
 * candidates, index plans), which need not know about variables. `run` must be synchronous:
 * the scope ends when it returns.
 */
export function withVariables<T>(
  variables: Readonly<Record<string, unknown>> | undefined,
  run: () => T,
): T {
  if (!variables || Object.keys(variables).length === 0) return run();
  const previous = scopedVariables;
  scopedVariables = { ...previous, ...variables };
  try {
    return run();
  } finally {
    scopedVariables = previous;
  }
}

/**
 * Every mingo operator, in one context built once. mingo's package-root `Query`, `Aggregator`
 * and `find` copy their whole operator table (a few hundred entries) into a new context for
 * every filter, pipeline or projection they compile, which was about a fifth of the server's
 * CPU per command; the base classes below reuse this one instead. Nothing writes to it: mingo
 * adds operators only to the contexts its updater creates for itself.
 */
const FULL_CONTEXT = Context.init({
  accumulator: accumulatorOperators as never,
  expression: expressionOperators as never,
  pipeline: pipelineOperators as never,
  projection: projectionOperators as never,
  query: queryOperators as never,
  window: windowOperators as never,
});

type EvaluationOptionsClass = new (options: Partial<Options>) => Options;

/**
 * mingo's evaluation options class (`ComputeOptions`, which the package does not export),
 * reached through the options mingo hands a custom operator. Given an instance, mingo's
 * `Query` and `Aggregator` keep its context as it is; given plain options, they copy it.
 */
function evaluationOptionsClass(): EvaluationOptionsClass {
  let found: EvaluationOptionsClass | undefined;
  const probe = (_obj: unknown, _expr: unknown, options: object): null => {
    found = (Object.getPrototypeOf(options) as { constructor: EvaluationOptionsClass }).constructor;
    return null;
  };
  const context = Context.init({ expression: { $embeddedProbe: probe } });
  new RootAggregator([{ $project: { probe: { $embeddedProbe: 1 } } }], { context }).run([{}]);
  if (!found) throw new Error('mingo did not pass its evaluation options to an operator');
  return found;
}

const EvaluationOptions = evaluationOptionsClass();

/**
 * `settings` as mingo's evaluation options, with MINGO_OPTIONS and mingo's own defaults under
 * them (those of `ComputeOptions.init`) and FULL_CONTEXT unless `settings` names a context. Cheap: nothing is
 * copied, so compiled filters and pipelines cost only their own compilation.
 */
export function evaluationOptions(settings: Partial<Options> = queryOptions()): Options {
  return new EvaluationOptions({
    idKey: '_id',
    scriptEnabled: true,
    useStrictMode: true,
    failOnError: true,
    processingMode: ProcessingMode.CLONE_OFF,
    // The server's own settings under the caller's: no server-side JavaScript unless asked.
    ...MINGO_OPTIONS,
    ...settings,
    context: settings.context ?? FULL_CONTEXT,
  });
}

/**
 * A mingo query (every operator) over `criteria`, by default with the command's variables
 * (queryOptions()); the same answers as `new Query(criteria, settings)` from the package root.
 */
export function compileQuery(
  criteria: AnyObject,
  settings: Partial<Options> = queryOptions(),
): Query {
  return new Query(criteria, evaluationOptions(settings));
}

/** A mingo aggregator (every operator), as `new Aggregator(stages, settings)` from the root. */
export function compileAggregator(
  stages: AnyObject[],
  settings: Partial<Options> = queryOptions(),
): Aggregator {
  return new Aggregator(stages, evaluationOptions(settings));
}
