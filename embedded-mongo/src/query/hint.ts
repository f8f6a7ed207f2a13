import { MongoCommandError } from '../errors';
import type { Collection } from '../storage/collection';
import type { Doc } from './documents';
import { isPlainObject } from './documents';

/**
 * Checks a find/aggregate `hint` the way mongod's planner does: an index name, an index key
 * pattern (same fields, order and directions) or `{ $natural: ±1 }`. Anything naming no
 * index fails with mongod's BadValue. Queries never depend on the hinted index here (the
 * server picks its own lookups), so a valid hint changes nothing. A missing collection is
 * not checked: mongod answers it with an empty plan before looking at the hint.
 */
export function checkHint(coll: Collection | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || !coll) return;
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return;
  if (isPlainObject(hint) && Object.keys(hint).join() === '$natural') return;
  const specs = coll.indexSpecs();
  const found =
    typeof hint === 'string'
      ? specs.some((spec) => spec.name === hint)
      : isPlainObject(hint) && specs.some((spec) => sameKeyPattern(spec.key, hint));
  if (!found) {
    throw new MongoCommandError(
      'BadValue',
      `error processing query: ns=${coll.namespace} planner returned error :: caused by :: ` +
        'hint provided does not correspond to an existing index',
    );
  }
}

function sameKeyPattern(key: Doc, hint: Doc): boolean {
  const a = Object.entries(key);
  const b = Object.entries(hint);
  // Numbers compare by value, so 1, 1.0 and a promoted int64 1 name the same direction.
  return (
    a.length === b.length &&
    a.every(([field, direction], i) => field === b[i][0] && direction === b[i][1])
  );
}
