import { collectPathValues } from '../query/documents';
import type { Store } from './store';

/**
 * Removes documents whose TTL-indexed date is older than `expireAfterSeconds`, as mongod's
 * TTL monitor does (an array of dates expires on its earliest date; non-dates never expire).
 * Returns how many documents were removed.
 */
export function sweepExpired(store: Store, now = Date.now()): number {
  let removed = 0;
  for (const coll of store.allCollections()) {
    for (const index of coll.indexes.values()) {
      const ttl = index.spec.expireAfterSeconds;
      if (typeof ttl !== 'number' || index.fields.length !== 1) continue;
      const cutoff = now - ttl * 1000;
      const field = index.fields[0];
      const expired: string[] = [];
      for (const [idKey, doc] of coll.docs) {
        const times = collectPathValues(doc, field)
          .filter((value): value is Date => value instanceof Date)
          .map((date) => date.getTime());
        if (times.length > 0 && Math.min(...times) <= cutoff) expired.push(idKey);
      }
      for (const idKey of expired) if (store.remove(coll, idKey)) removed += 1;
    }
  }
  return removed;
}
