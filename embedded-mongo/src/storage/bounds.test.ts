import { parseCollation } from '../query/collation';
import type { Interval } from './bounds';
import {
  analyzeFilter,
  fieldIntervals,
  formatInterval,
  inIntervals,
  intersectIntervals,
  unionIntervals,
} from './bounds';

/** A seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function randomList(random: () => number): Interval[] {
  const out: Interval[] = [];
  const count = Math.floor(random() * 6);
  for (let i = 0; i < count; i += 1) {
    const low = Math.floor(random() * 20);
    const high = low + Math.floor(random() * 5);
    out.push({ low, lowInclusive: random() < 0.5, high, highInclusive: random() < 0.5 });
  }
  return unionIntervals(out);
}

describe('intersectIntervals', () => {
  it('covers exactly the points both lists cover, sorted and disjoint', () => {
    const random = seeded(12);
    for (let round = 0; round < 1_000; round += 1) {
      const a = randomList(random);
      const b = randomList(random);
      const both = intersectIntervals(a, b);
      for (let x = -1; x <= 26; x += 0.5) {
        const expected = inIntervals(x, a, undefined, false) && inIntervals(x, b, undefined, false);
        if (inIntervals(x, both, undefined, false) !== expected) {
          throw new Error(
            `at ${x}: ${a.map((i) => formatInterval(i, false)).join()} ∩ ${b
              .map((i) => formatInterval(i, false))
              .join()} gave ${both.map((i) => formatInterval(i, false)).join()}`,
          );
        }
      }
      expect(unionIntervals(both)).toEqual(both);
    }
  });

  it('intersects two lists of 20,000 points in one sweep', () => {
    const points = (from: number): Interval[] =>
      Array.from({ length: 20_000 }, (_, i) => ({
        low: from + i,
        lowInclusive: true,
        high: from + i,
        highInclusive: true,
      }));
    const started = Date.now();
    const both = intersectIntervals(points(0), points(1));
    expect(both).toHaveLength(19_999);
    expect(both[0].low).toBe(1);
    // The pairwise version took minutes; the sweep takes milliseconds.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('regex bounds', () => {
  const conj = analyzeFilter({ s: /^a1/ });

  it('are the prefix range on a binary index', () => {
    const intervals = fieldIntervals(conj, 's', { multikey: false, stringsComparable: true });
    expect(intervals?.map((i) => formatInterval(i, false))).toEqual([
      '["a1", "a2")',
      '[/^a1/, /^a1/]',
    ]);
  });

  it('are every string on a collated index, whose order keeps no prefix together', () => {
    const collation = parseCollation({ locale: 'en', numericOrdering: true });
    const intervals = fieldIntervals(conj, 's', {
      multikey: false,
      stringsComparable: true,
      collation,
    });
    expect(intervals?.map((i) => formatInterval(i, false))).toEqual(['["", {})', '[/^a1/, /^a1/]']);
  });
});
