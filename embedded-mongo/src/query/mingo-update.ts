import { createRequire } from 'node:module';
import path from 'node:path';
import { update as mingoUpdate } from 'mingo';
import * as updateOperators from 'mingo/operators/update';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import type { Modifier } from 'mingo/updater';
import { assert } from 'mingo/util';
import type { Doc } from './documents';
import { MINGO_OPTIONS, evaluationOptions } from './mingo-options';

/**
 * mingo's `update(doc, modifier, arrayFilters, condition)` without its per-call set-up. The
 * package-root `update` copies mingo's whole operator table into a new context and then merges
 * four more operator groups into it on every call (about 0.27 ms, forty times the cost of the
 * `$inc` itself), which made every update command's CPU mostly context building. This is the
 * same sequence as mingo 7's `updateDocuments` for one document and an operator modifier,
 * with the shared operator context (see evaluationOptions): the same operators, so the same
 * answers and errors. mingo's path analysis (`buildParams`: positional and array-filter
 * queries, `_id` and conflict checks) is not exported, so it is loaded from the package's own
 * file; if a mingo upgrade moves it, updates go through mingo's `update` as before.
 */

type UpdateOperator = (expr: unknown, arrayFilters: Doc[], options: Options) => (doc: Doc) => void;
type BuildParams = (expressions: unknown[], arrayFilters: Doc[], options: Options) => unknown;
interface EvaluationOptions extends Options {
  update(locals: Record<string, unknown>): EvaluationOptions;
}

// A plain copy: the module namespace reads every operator through a getter.
const OPERATORS = { ...updateOperators } as unknown as Record<string, UpdateOperator | undefined>;

function loadBuildParams(): BuildParams | undefined {
  try {
    const requireHere = createRequire(__filename);
    const internal = requireHere(
      path.join(path.dirname(requireHere.resolve('mingo')), 'operators', 'update', '_internal.js'),
    ) as { buildParams?: unknown };
    return typeof internal.buildParams === 'function'
      ? (internal.buildParams as BuildParams)
      : undefined;
  } catch {
    return undefined;
  }
}

const buildParams = loadBuildParams();

/** Whether updates take the fast path (false only if a mingo upgrade moved `buildParams`). */
export const FAST_UPDATE_INSTALLED = buildParams !== undefined;

/**
 * Applies an operator modifier to `doc` in place, as mingo's
 * `update(doc, modifier, arrayFilters, condition, { cloneMode: 'copy', queryOptions: MINGO_OPTIONS })`.
 */
export function applyMingoUpdate(
  doc: Doc,
  modifier: Doc,
  arrayFilters: Doc[] | undefined,
  condition: Doc | undefined,
): void {
  if (!buildParams) {
    mingoUpdate(doc, modifier as Modifier<Doc>, arrayFilters, condition, {
      cloneMode: 'copy',
      queryOptions: MINGO_OPTIONS,
    });
    return;
  }
  const criteria = condition ?? {};
  // mingo's updateOne adds `firstOnly`, and updateDocuments an empty collation.
  const settings = { ...MINGO_OPTIONS, firstOnly: true, collation: {} } as unknown as Options;
  const opts = (evaluationOptions(settings) as EvaluationOptions).update({
    condition: criteria,
    updateConfig: { cloneMode: 'copy', arrayFilters },
    variables: undefined,
    updateParams: {},
  });
  if (Object.keys(criteria).length > 0 && !new Query(criteria, opts).test(doc)) return;
  const unknownOp = Object.keys(modifier).find((op) => !OPERATORS[op]);
  assert(!unknownOp, `Unknown update operator: '${unknownOp}'.`);
  const filters = arrayFilters ?? [];
  const renameTargets = Object.values((modifier.$rename as Doc | undefined) ?? {}).map(
    (target) => ({ [target as string]: true }),
  );
  opts.update({
    updateParams: buildParams([...Object.values(modifier), ...renameTargets], filters, opts),
  });
  const mutations = Object.keys(modifier).map((op) =>
    (OPERATORS[op] as UpdateOperator)(modifier[op], filters, opts),
  );
  for (const mutate of mutations) mutate(doc);
}
