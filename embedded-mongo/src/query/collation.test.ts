import { Index } from '../storage/indexes';
import { parseCollation } from './collation';
import type { Collation } from './collation';

function collation(spec: Record<string, unknown>): Collation {
  const parsed = parseCollation(spec);
  if (!parsed) throw new TypeError('expected a non-simple collation');
  return parsed;
}

describe('Collation keys', () => {
  it('gives strings equal under the collation the same key, and different strings different keys', () => {
    const c = collation({ locale: 'en', strength: 1, caseLevel: false });
    expect(c.key('café')).toBe(c.key('CAFE'));
    expect(c.key('Cafe')).toBe(c.key('café'));
    expect(c.key('cafes')).not.toBe(c.key('cafe'));
    expect(c.key(['a', { x: 'É' }])).toBe(c.key(['A', { x: 'e' }]));
    const strength3 = collation({ locale: 'en', strength: 3, caseLevel: false });
    expect(strength3.key('cafe')).not.toBe(strength3.key('Cafe'));
  });

  it('lookupKey finds the stored class of an equal string without adding one', () => {
    const c = collation({ locale: 'de', strength: 2 });
    const stored = c.key('strasse');
    const before = c.representativeCount;
    expect(c.lookupKey('STRASSE')).toBe(stored);
    expect(c.lookupKey('Strasse')).toBe(stored);
    expect(c.lookupKey(['STRASSE'])).toBe(c.key(['strasse']));
    // A string equal to no stored one gets a key no stored string has, and is not kept.
    expect(c.lookupKey('Straßen')).not.toBe(stored);
    expect(c.lookupKey('Straßen')).not.toBe(c.lookupKey('strasse'));
    expect(c.representativeCount).toBe(before);
  });

  it('100,000 distinct query strings do not grow the representative table', () => {
    const c = collation({ locale: 'fr', strength: 1, numericOrdering: false });
    const stored = ['alpha', 'Beta', 'gamma'].map((value) => c.key(value));
    const before = c.representativeCount;
    const storedKeys = new Set(stored);
    let hits = 0;
    for (let i = 0; i < 100_000; i += 1) {
      if (storedKeys.has(c.lookupKey(`query-${i}`))) hits += 1;
    }
    expect(hits).toBe(0);
    expect(c.representativeCount).toBe(before);
    // Equal-under-collation query strings still find the stored keys.
    expect(c.lookupKey('ALPHA')).toBe(stored[0]);
    expect(c.lookupKey('béta')).toBe(stored[1]);
    expect(c.lookupKey('GAMMA')).toBe(stored[2]);
    expect(c.representativeCount).toBe(before);
  });

  it('index lookups with query strings leave the table as the stored keys made it', () => {
    const index = new Index(
      { v: 2, key: { name: 1 }, name: 'name_1', collation: { locale: 'en', strength: 2 } },
      'app.people',
    );
    const c = index.orderCollation as Collation;
    index.add('1', { _id: 1, name: 'Zoë' });
    index.add('2', { _id: 2, name: 'ANNA' });
    const before = c.representativeCount;
    for (let i = 0; i < 10_000; i += 1) expect(index.lookup([`nobody ${i}`])).toBeUndefined();
    expect([...(index.lookup(['ZOË']) ?? [])]).toEqual(['1']);
    expect([...(index.lookup(['anna']) ?? [])]).toEqual(['2']);
    expect(c.representativeCount).toBe(before);
  });
});
