import { Query, update as mingoUpdate } from 'mingo';
import type { Modifier } from 'mingo/updater';
import type { Doc } from './documents';
import { MINGO_OPTIONS, compileQuery } from './mingo-options';
import { FAST_UPDATE_INSTALLED, applyMingoUpdate } from './mingo-update';
import { withCommandTime } from './command-time';

interface Case {
  doc: Doc;
  modifier: Doc;
  arrayFilters?: Doc[];
  condition?: Doc;
}

const CASES: Case[] = [
  { doc: { _id: 1, n: 1 }, modifier: { $inc: { n: 2, m: 1 } } },
  { doc: { _id: 1, a: { b: 1 } }, modifier: { $set: { 'a.b': 2, 'a.c': [1] }, $unset: { x: '' } } },
  { doc: { _id: 1, list: [1, 2] }, modifier: { $push: { list: { $each: [3], $position: 0 } } } },
  { doc: { _id: 1, list: [1, 2, 2] }, modifier: { $addToSet: { list: 3 }, $pull: { other: 1 } } },
  { doc: { _id: 1, list: [1, 5, 9] }, modifier: { $pull: { list: { $gte: 5 } } } },
  {
    doc: { _id: 1, a: 1, b: 2 },
    modifier: { $rename: { a: 'c' }, $max: { b: 7 }, $min: { d: 1 } },
  },
  { doc: { _id: 1, n: 3 }, modifier: { $mul: { n: 2 }, $bit: { m: { or: 1 } } } },
  { doc: { _id: 1, list: [1, 2, 3] }, modifier: { $pop: { list: -1 } } },
  {
    doc: {
      _id: 1,
      items: [
        { k: 1, v: 0 },
        { k: 2, v: 0 },
      ],
    },
    modifier: { $set: { 'items.$.v': 9 } },
    condition: { 'items.k': 2 },
  },
  {
    doc: {
      _id: 1,
      items: [
        { k: 1, v: 0 },
        { k: 2, v: 0 },
      ],
    },
    modifier: { $inc: { 'items.$[e].v': 1 } },
    arrayFilters: [{ 'e.k': { $gte: 1 } }],
  },
  // The condition does not match: mingo's update leaves the document as it is.
  {
    doc: { _id: 1, items: [{ k: 1 }] },
    modifier: { $set: { 'items.$.k': 5 } },
    condition: { 'items.k': 7 },
  },
  // Errors: conflicting paths, `_id`, an unknown operator, a positional path without its field.
  { doc: { _id: 1, a: { b: 1 } }, modifier: { $set: { a: 1 }, $inc: { 'a.b': 1 } } },
  { doc: { _id: 1 }, modifier: { $set: { _id: 2 } } },
  { doc: { _id: 1 }, modifier: { $nope: { a: 1 } } },
  { doc: { _id: 1, items: [1] }, modifier: { $set: { 'items.$': 2 } }, condition: { other: 1 } },
];

function outcome(run: () => void, doc: Doc): unknown {
  try {
    run();
    return { doc };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('applyMingoUpdate', () => {
  it('is installed (a mingo upgrade that moves buildParams must be noticed)', () => {
    expect(FAST_UPDATE_INSTALLED).toBe(true);
  });

  it.each(CASES.map((item) => [JSON.stringify(item.modifier), item]))(
    'answers as mingo update: %s',
    (_name, item) => {
      const theirs = structuredClone(item.doc);
      const ours = structuredClone(item.doc);
      const expected = outcome(
        () =>
          mingoUpdate(theirs, item.modifier as Modifier<Doc>, item.arrayFilters, item.condition, {
            cloneMode: 'copy',
            queryOptions: MINGO_OPTIONS,
          }),
        theirs,
      );
      const actual = outcome(
        () => applyMingoUpdate(ours, item.modifier, item.arrayFilters, item.condition),
        ours,
      );
      expect(actual).toEqual(expected);
    },
  );

  it('gives $currentDate the command time, one value per command', () => {
    const first = { _id: 1 };
    const second = { _id: 1 };
    withCommandTime(() =>
      applyMingoUpdate(first, { $currentDate: { at: true } }, undefined, undefined),
    );
    const later = Date.now() + 5;
    while (Date.now() < later) {
      // wait for the clock to move
    }
    withCommandTime(() =>
      applyMingoUpdate(second, { $currentDate: { at: true } }, undefined, undefined),
    );
    expect((second as Doc).at).toBeInstanceOf(Date);
    expect(((second as Doc).at as Date).getTime()).toBeGreaterThan(
      ((first as Doc).at as Date).getTime(),
    );
  });
});

describe('compileQuery (shared operator context)', () => {
  it('answers as mingo Query from the package root', () => {
    const docs: Doc[] = [
      { _id: 1, title: 'Alien', tags: ['scifi', 'horror'], year: 1979 },
      { _id: 2, title: 'Brazil', tags: ['comedy'], year: 1985, n: { a: [1, 2] } },
      { _id: 3, title: 'Casablanca', tags: [], year: 1942 },
    ];
    const filters: Doc[] = [
      { tags: { $all: ['scifi'] } },
      { title: { $regex: '^b', $options: 'i' } },
      { $or: [{ year: { $lt: 1950 } }, { 'n.a': 2 }] },
      { $expr: { $gt: [{ $add: ['$year', 10] }, 1990] } },
      { tags: { $size: 0 } },
      { year: { $not: { $gte: 1980 } } },
    ];
    for (const filter of filters) {
      const theirs = docs.filter((doc) => new Query(filter, MINGO_OPTIONS).test(doc));
      const ours = docs.filter((doc) => compileQuery(filter, MINGO_OPTIONS).test(doc));
      expect(ours).toEqual(theirs);
    }
  });

  it('keeps each compile to its own variables', () => {
    const doc = { _id: 1, n: 5 };
    const filter = { $expr: { $eq: ['$n', '$$want'] } };
    const five = compileQuery(filter, { ...MINGO_OPTIONS, variables: { want: 5 } });
    const six = compileQuery(filter, { ...MINGO_OPTIONS, variables: { want: 6 } });
    expect(five.test(doc)).toBe(true);
    expect(six.test(doc)).toBe(false);
    expect(five.test(doc)).toBe(true);
  });
});
