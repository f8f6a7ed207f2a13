import { MongoClient, MongoServerError } from 'mongodb';
import type { CollationOptions, Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

/** Test rows keyed by small numbers (the driver's default type wants ObjectId keys). */
interface Row {
  _id: number;
  [field: string]: unknown;
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<MongoServerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error('expected the server to refuse');
}

describe('index bounds and keys: large $in intersections, collated regexes, parallel arrays', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('bounds'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('intersects two large $in lists on one indexed field without stalling', async () => {
    const items = db.collection<Row>('in_lists');
    await items.createIndex({ a: 1 });
    await items.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, a: i * 500 })));
    const first = Array.from({ length: 20_000 }, (_, i) => i);
    const second = Array.from({ length: 20_000 }, (_, i) => i + 1);
    const started = Date.now();
    const docs = await items
      .find({ $and: [{ a: { $in: first } }, { a: { $in: second } }] })
      .sort({ _id: 1 })
      .toArray();
    // The values in both lists are 1..19,999: every multiple of 500 there but 0.
    expect(docs.map((doc) => doc._id)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
    // A hang guard only, far above what either server takes (most of it matching the 50
    // documents against the two lists); the pairwise intersection took more than 30 s.
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  describe('regexes on a collated index', () => {
    // A regex matches code points, never the collation; the index must not narrow it to the
    // binary prefix's range, which is not contiguous in the collation's order.
    const cases: Array<[string, CollationOptions, string[], RegExp, string[]]> = [
      [
        'numericOrdering',
        { locale: 'en', numericOrdering: true },
        ['a10', 'a1', 'a2', 'a9'],
        /^a1/,
        ['a10', 'a1'],
      ],
      ['Czech ch', { locale: 'cs' }, ['chata', 'cena', 'hrad', 'dum'], /^c/, ['chata', 'cena']],
      [
        'alternate shifted',
        { locale: 'en', strength: 2, alternate: 'shifted' },
        ['ab', 'a-c', 'a c', 'a-b'],
        /^a-/,
        ['a-c', 'a-b'],
      ],
    ];

    it.each(cases)(
      '%s: the same matches with and without the index',
      async (name, collation, words, regex, expected) => {
        const coll = db.collection<Row>(`regex_${name.replace(/\W/g, '_')}`);
        await coll.insertMany(words.map((s, i) => ({ _id: i, s })));
        const scanned = await coll.find({ s: regex }, { collation }).sort({ _id: 1 }).toArray();
        expect(scanned.map((doc) => doc.s)).toEqual(expected);
        await coll.createIndex({ s: 1 }, { collation });
        const indexed = await coll
          .find({ s: regex }, { collation })
          .hint({ s: 1 })
          .sort({ _id: 1 })
          .toArray();
        expect(indexed.map((doc) => doc.s)).toEqual(expected);
        const operator = await coll
          .find({ s: { $regex: regex.source } }, { collation })
          .hint({ s: 1 })
          .sort({ _id: 1 })
          .toArray();
        expect(operator.map((doc) => doc.s)).toEqual(expected);
      },
    );
  });

  describe('parallel arrays under a compound index', () => {
    it('refuses to insert, update or upsert a document with two indexed arrays', async () => {
      const coll = db.collection<Row>('parallel_writes');
      await coll.createIndex({ a: 1, b: 1 });
      const inserted = await failure(coll.insertOne({ _id: 1, a: [1, 2], b: [3, 4] }));
      expect(inserted.code).toBe(171);
      expect(inserted.message).toBe('cannot index parallel arrays [b] [a]');
      expect(await coll.countDocuments()).toBe(0);

      // One array at a time is fine, also two paths through the same array.
      await coll.insertOne({ _id: 2, a: [1, 2], b: 3 });
      await coll.insertOne({ _id: 3, a: 1, b: [4] });
      const updated = await failure(coll.updateOne({ _id: 2 }, { $set: { b: [5, 6] } }));
      expect(updated.code).toBe(171);
      expect(updated.message).toBe('cannot index parallel arrays [b] [a]');
      expect(await coll.findOne({ _id: 2 })).toEqual({ _id: 2, a: [1, 2], b: 3 });
      const upserted = await failure(
        coll.updateOne({ _id: 4 }, { $set: { a: [1], b: [2] } }, { upsert: true }),
      );
      expect(upserted.code).toBe(171);
      expect(await coll.findOne({ _id: 4 })).toBeNull();
      const big = Array.from({ length: 2_000 }, (_, i) => i);
      const started = Date.now();
      expect((await failure(coll.insertOne({ _id: 5, a: big, b: big }))).code).toBe(171);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((doc) => doc._id)).toEqual([
        2, 3,
      ]);
      // The index still answers as before.
      expect(await coll.countDocuments({ a: 2, b: 3 })).toBe(1);
    });

    it('indexes several paths through one array', async () => {
      const coll = db.collection<Row>('parallel_same_array');
      await coll.createIndex({ 'x.b': 1, 'x.c': 1 });
      await coll.insertOne({
        _id: 1,
        x: [
          { b: 1, c: 2 },
          { b: 3, c: 4 },
        ],
      });
      expect(await coll.countDocuments({ 'x.b': 3, 'x.c': 4 })).toBe(1);
    });

    it('does not build a compound index over documents with parallel arrays', async () => {
      const coll = db.collection<Row>('parallel_build');
      await coll.insertMany([
        { _id: 1, x: 1, y: [1, 2] },
        { _id: 2, x: [1, 2], y: [3, 4] },
      ]);
      const error = await failure(coll.createIndex({ x: 1, y: 1 }));
      expect(error.code).toBe(171);
      expect(error.codeName).toBe('CannotIndexParallelArrays');
      expect(error.message).toContain('cannot index parallel arrays [y] [x]');
      expect((await coll.listIndexes().toArray()).map((index) => index.name)).toEqual(['_id_']);
      // The documents are untouched, and a single-field index on either builds.
      expect(await coll.countDocuments()).toBe(2);
      await coll.createIndex({ y: 1 });
      expect(await coll.countDocuments({ y: 3 })).toBe(1);
    });
  });
});
