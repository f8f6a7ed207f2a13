import type { Options } from 'mingo/types';
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
