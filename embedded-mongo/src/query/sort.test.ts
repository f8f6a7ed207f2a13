import { Long, ObjectId } from 'bson';
import { compareValues, sortDocuments } from './sort';

describe('compareValues', () => {
  it('orders types like MongoDB: null < numbers < strings < objects < arrays < ObjectId < bool < date', () => {
    const values = [new Date(0), true, new ObjectId(), [1], { a: 1 }, 'a', 1, null];
    const sorted = [...values].sort(compareValues);
    expect(sorted).toEqual([null, 1, 'a', { a: 1 }, [1], values[2], true, new Date(0)]);
  });

  it('compares numbers across int, double and Long', () => {
    expect(compareValues(2, Long.fromNumber(3))).toBeLessThan(0);
    expect(compareValues(Long.fromString('9007199254740993'), 1.5)).toBeGreaterThan(0);
    expect(compareValues(1, 1.0)).toBe(0);
  });
});

describe('sortDocuments', () => {
  it('sorts by several keys, arrays by their smallest/largest element, ties in natural order', () => {
    const docs = [
      { n: 1, tags: [5, 1], k: 'b' },
      { n: 2, tags: [3], k: 'a' },
      { n: 3, k: 'a' },
      { n: 4, tags: [2, 9], k: 'a' },
    ];
    expect(sortDocuments(docs, { tags: 1 }).map((doc) => doc.n)).toEqual([3, 1, 4, 2]);
    expect(sortDocuments(docs, { tags: -1 }).map((doc) => doc.n)).toEqual([4, 1, 2, 3]);
    expect(sortDocuments(docs, { k: 1, n: -1 }).map((doc) => doc.n)).toEqual([4, 3, 2, 1]);
    expect(sortDocuments(docs, { k: 1 }).map((doc) => doc.n)).toEqual([2, 3, 4, 1]);
  });
});
