import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { startEmbeddedMongo } from '../../src';
import { serverUri, uniqueDbName } from '../helpers';

interface Row {
  _id: number;
  a?: number;
}

/** The error a command fails with (undefined if it succeeds). */
function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

const RANGE_TOO_LARGE = {
  code: 146,
  codeName: 'ExceededMemoryLimit',
  message: expect.stringMatching(/^\$range would use too much memory \(\d+ bytes\)/),
};

/**
 * `$range` over a billion integers: mongod refuses it with 146 (its 100 MB expression memory
 * limit) wherever the expression appears; a server that builds the array aborts (V8 cannot
 * grow an array that far, and that is not an exception).
 */
describe('expression memory limits', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('expression_limits'));
    await db.collection<Row>('c').insertMany([{ _id: 1, a: 1 }]);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('refuses a huge $range in a command let, then keeps serving', async () => {
    const error = await failure(
      db.command({ find: 'c', filter: {}, let: { x: { $range: [0, 1e9] } } }),
    );
    expect(error).toMatchObject(RANGE_TOO_LARGE);
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('refuses a huge $range in $project, $addFields, $expr and pipeline updates', async () => {
    const range = { $range: [0, 1e9] };
    const attempts = [
      db
        .collection<Row>('c')
        .aggregate([{ $project: { r: range } }])
        .toArray(),
      db
        .collection<Row>('c')
        .aggregate([{ $addFields: { r: { $size: range } } }])
        .toArray(),
      db
        .collection<Row>('c')
        .find({ $expr: { $gt: [{ $size: range }, 0] } })
        .toArray(),
      db.collection<Row>('c').updateOne({ _id: 1 }, [{ $set: { r: { $size: range } } }]),
    ];
    for (const attempt of attempts) {
      const error = (await failure(attempt)) as { code?: unknown; message?: unknown };
      // A pipeline update reports it as a write error (code and message, no codeName).
      expect(error).toMatchObject({ code: RANGE_TOO_LARGE.code });
      expect(String(error.message)).toMatch(/^\$range would use too much memory \(\d+ bytes\)/);
    }
    // Nothing half-applied, and the server still answers.
    expect(await db.collection<Row>('c').findOne({ _id: 1 })).toEqual({ _id: 1, a: 1 });
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('refuses a $densify that would generate more than 500,000 documents', async () => {
    const dense = db.collection<Row>('dense');
    await dense.insertMany([
      { _id: 1, a: 0 },
      { _id: 2, a: 1e9 },
    ]);
    const error = await failure(
      dense.aggregate([{ $densify: { field: 'a', range: { step: 1, bounds: 'full' } } }]).toArray(),
    );
    expect(error).toMatchObject({
      code: 5897900,
      message: expect.stringContaining('documents in $densify, which is over the limit of 500000'),
    });
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const small = await dense
      .aggregate([
        { $match: { _id: 1 } },
        { $unionWith: { coll: 'dense', pipeline: [{ $match: { _id: 1 } }, { $set: { a: 3 } }] } },
        { $densify: { field: 'a', range: { step: 1, bounds: 'full' } } },
      ])
      .toArray();
    expect(small.map((doc) => doc.a)).toEqual([0, 1, 2, 3]);
  });

  it('still builds ranges within the limit', async () => {
    const [doc] = await db
      .collection('c')
      .aggregate([
        { $project: { _id: 0, n: { $size: { $range: [0, 100000] } }, r: { $range: [5, 0, -2] } } },
      ])
      .toArray();
    expect(doc).toEqual({ n: 100000, r: [5, 3, 1] });
  });
});

describe('embedded server only: values doubled until they exhaust memory', () => {
  it('refuses $concatArrays, $concat and shared-value doubling with 146 and keeps serving', async () => {
    const mongo = await startEmbeddedMongo({ port: 0 });
    const client = await MongoClient.connect(mongo.uri);
    try {
      const db = client.db('expression_doubling');
      await db.collection<Row>('c').insertOne({ _id: 1 });
      const doubling = (initialValue: unknown, step: unknown): Promise<unknown> =>
        db
          .collection('c')
          .aggregate([
            {
              $project: {
                v: { $reduce: { input: { $range: [0, 64] }, initialValue, in: step } },
              },
            },
          ])
          .toArray();
      const attempts = [
        doubling([1], { $concatArrays: ['$$value', '$$value'] }),
        doubling('x', { $concat: ['$$value', '$$value'] }),
        // Shares one array twice per step: few objects in memory, 2^64 elements in a reply.
        doubling([1], ['$$value', '$$value']),
        doubling('ab', {
          $replaceAll: { input: '$$value', find: '', replacement: '$$value' },
        }),
        // Each stage repeats the field twice: 2^80 elements after 80 stages.
        db
          .collection('c')
          .aggregate(
            Array.from({ length: 80 }, (_, i) => ({
              $set: { a: i === 0 ? [1, 2] : ['$a', '$a'] },
            })),
          )
          .toArray(),
        db.command({
          find: 'c',
          filter: {},
          let: Object.fromEntries(
            Array.from({ length: 80 }, (_, i) => [
              `v${i}`,
              i === 0 ? [1, 2] : [`$$v${i - 1}`, `$$v${i - 1}`],
            ]),
          ),
        }),
      ];
      for (const attempt of attempts) {
        expect(await failure(attempt)).toMatchObject({
          code: 146,
          codeName: 'ExceededMemoryLimit',
        });
      }
      expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      // Small results are unaffected.
      const [doc] = await db
        .collection('c')
        .aggregate([
          {
            $project: {
              _id: 0,
              a: { $concatArrays: [[1], [2, 3]] },
              s: { $concat: ['a', 'b'] },
              r: { $replaceAll: { input: 'aXa', find: 'a', replacement: 'bb' } },
            },
          },
        ])
        .toArray();
      expect(doc).toEqual({ a: [1, 2, 3], s: 'ab', r: 'bbXbb' });
    } finally {
      await client.close();
      await mongo.stop();
    }
  });
});
