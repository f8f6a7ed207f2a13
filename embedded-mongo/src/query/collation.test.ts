import { commandContext } from '../../test/helpers';
import { runCommand } from '../commands';
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
    const c = collation({ locale: 'en', strength: 1, caseLevel: false }).newKeyer();
    expect(c.key('café')).toBe(c.key('CAFE'));
    expect(c.key('Cafe')).toBe(c.key('café'));
    expect(c.key('cafes')).not.toBe(c.key('cafe'));
    expect(c.key(['a', { x: 'É' }])).toBe(c.key(['A', { x: 'e' }]));
    const strength3 = collation({ locale: 'en', strength: 3, caseLevel: false }).newKeyer();
    expect(strength3.key('cafe')).not.toBe(strength3.key('Cafe'));
  });

  it('lookupKey finds the stored class of an equal string without adding one', () => {
    const c = collation({ locale: 'de', strength: 2 }).newKeyer();
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
    const c = collation({ locale: 'fr', strength: 1, numericOrdering: false }).newKeyer();
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
    const c = (index.orderCollation as Collation).keyerFor(index);
    index.add('1', { _id: 1, name: 'Zoë' });
    index.add('2', { _id: 2, name: 'ANNA' });
    const before = c.representativeCount;
    for (let i = 0; i < 10_000; i += 1) expect(index.lookup([`nobody ${i}`])).toBeUndefined();
    expect([...(index.lookup(['ZOË']) ?? [])]).toEqual(['1']);
    expect([...(index.lookup(['anna']) ?? [])]).toEqual(['2']);
    expect(c.representativeCount).toBe(before);
  });
});

describe('Collation keyers: consistency, speed and ownership', () => {
  const MARKS = Array.from({ length: 0x70 }, (_, i) => String.fromCharCode(0x300 + i));

  it('gives two strings the same key exactly when compareStrings says 0 (every pair)', () => {
    const words = [
      'cafe',
      'Cafe',
      'CAFE',
      'café',
      'Café',
      'cafe\u0301',
      'strasse',
      'Straße',
      'STRASSE',
      'resume',
      'résumé',
      'Résumé',
      'x\u0300\u0301',
      'x\u0301\u0300',
      'x\u0300',
      'X\u0300',
      'a10',
      'a010',
      'a9',
      'a-b',
      'ab',
      'a b',
      '',
      'æ',
      'ae',
      'Æ',
    ];
    const specs = [
      { locale: 'en' },
      { locale: 'en', strength: 1 },
      { locale: 'en', strength: 2 },
      { locale: 'en', strength: 1, caseLevel: true },
      { locale: 'de', strength: 1 },
      { locale: 'en', numericOrdering: true },
      { locale: 'en', alternate: 'shifted' },
      { locale: 'sv', strength: 1 },
    ];
    for (const spec of specs) {
      const c = collation(spec);
      // Inserted in two different orders: classes and keys must not depend on the order.
      for (const order of [words, [...words].reverse()]) {
        const keyer = c.newKeyer();
        const keys = order.map((word) => keyer.key(word));
        order.forEach((a, i) => {
          order.forEach((b, j) => {
            expect([spec, a, b, keys[i] === keys[j]]).toEqual([
              spec,
              a,
              b,
              c.compareStrings(a, b) === 0,
            ]);
          });
        });
        order.forEach((word, i) => expect(keyer.lookupKey(word)).toBe(keys[i]));
      }
    }
  });

  it('keys 8,000 strings that differ only in combining marks quickly (one coarse bucket)', () => {
    const c = collation({ locale: 'en' });
    const keyer = c.newKeyer();
    const words: string[] = [];
    for (const m1 of MARKS) {
      for (const m2 of MARKS) {
        if (words.length < 8000) words.push(`x${m1}${m2}`);
      }
    }
    const started = Date.now();
    const keys = words.map((word) => keyer.key(word));
    // Quadratic bucket scans took ~37 s here; binary search is well under a second.
    expect(Date.now() - started).toBeLessThan(5000);
    const distinctClasses = new Set(keys).size;
    expect(keyer.representativeCount).toBe(distinctClasses);
    words.forEach((word, i) => expect(keyer.lookupKey(word)).toBe(keys[i]));
    // Spot-check the classes against the collator on neighbours in sorted order.
    const sorted = [...words].sort((a, b) => c.compareStrings(a, b));
    for (let i = 1; i < sorted.length; i += 1) {
      const same = keyer.key(sorted[i - 1]) === keyer.key(sorted[i]);
      expect(same).toBe(c.compareStrings(sorted[i - 1], sorted[i]) === 0);
    }
  });

  it('gives every index its own table, so a new (re-created) index starts empty', () => {
    const spec = { v: 2, key: { name: 1 }, name: 'name_1', collation: { locale: 'en' } };
    const first = new Index(spec, 'app.a');
    const second = new Index(spec, 'app.b');
    const c = first.orderCollation as Collation;
    // Both use the same cached collation, but not the same table.
    expect(second.orderCollation).toBe(c);
    for (let i = 0; i < 100; i += 1) first.add(String(i), { _id: i, name: `n${i}` });
    expect(c.keyerFor(first).representativeCount).toBe(100);
    expect(c.keyerFor(second).representativeCount).toBe(0);
    const recreated = new Index(spec, 'app.a');
    expect(c.keyerFor(recreated).representativeCount).toBe(0);
  });

  it('distinct with a collation does not grow the collated index table', async () => {
    const context = commandContext();
    const run = (command: Record<string, unknown>) =>
      runCommand({ ...command, $db: 'app' }, context);
    const en = { locale: 'en', strength: 2 };
    await run({
      createIndexes: 'people',
      indexes: [{ key: { name: 1 }, name: 'name_1', collation: en }],
    });
    await run({ insert: 'people', documents: [{ _id: 1, name: 'Ann' }] });
    const coll = context.store.getCollection('app', 'people');
    const index = coll?.indexes.get('name_1');
    if (!index) throw new TypeError('expected the name_1 index');
    const keyer = (index.orderCollation as Collation).keyerFor(index);
    const before = keyer.representativeCount;
    await run({
      insert: 'people',
      documents: Array.from({ length: 50 }, (_, i) => ({ _id: 10 + i, other: `v${i}` })),
    });
    const reply = await run({ distinct: 'people', key: 'other', collation: en });
    expect(reply).toMatchObject({ ok: 1 });
    expect((reply.values as unknown[]).length).toBe(50);
    expect(keyer.representativeCount).toBe(before);
  });
});
