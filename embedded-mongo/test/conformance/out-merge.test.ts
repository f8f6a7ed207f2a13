import { MongoClient, MongoServerError } from 'mongodb';
import type { Db, Document } from 'mongodb';
import { serverError, serverUri, uniqueDbName } from '../helpers';

/** Rows with numeric ids and any other fields. */
interface Row {
  _id: number;
  [field: string]: unknown;
}

/** `$out` and `$merge`: the final stage writes the result and the cursor comes back empty. */
describe('$out and $merge', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('out_merge'));
  });

  beforeEach(async () => {
    await db.dropDatabase();
    await db.collection<Row>('src').insertMany([
      { _id: 1, k: 'a', n: 1 },
      { _id: 2, k: 'b', n: 2 },
      { _id: 3, k: 'c', n: 3 },
    ]);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const run = (pipeline: Document[], options: Document = {}) =>
    db.collection<Row>('src').aggregate(pipeline, options).toArray();
  const contents = (name: string, dbName?: string) =>
    (dbName ? client.db(dbName) : db)
      .collection<Row>(name)
      .find({}, { sort: { _id: 1 } })
      .toArray();

  describe('$out', () => {
    it('replaces the target with the result and answers an empty cursor', async () => {
      await db.collection<Row>('target').insertOne({ _id: 99, old: true });
      const reply = await db.command({
        aggregate: 'src',
        pipeline: [{ $match: { n: { $gte: 2 } } }, { $out: 'target' }],
        cursor: {},
      });
      expect(reply.cursor.firstBatch).toEqual([]);
      expect(await contents('target')).toEqual([
        { _id: 2, k: 'b', n: 2 },
        { _id: 3, k: 'c', n: 3 },
      ]);
    });

    it('writes to another database with { db, coll }, and an empty result creates an empty target', async () => {
      const otherName = `${db.databaseName}_o`;
      try {
        expect(
          await run([{ $project: { k: 1 } }, { $out: { db: otherName, coll: 'copy' } }]),
        ).toEqual([]);
        expect(await contents('copy', otherName)).toEqual([
          { _id: 1, k: 'a' },
          { _id: 2, k: 'b' },
          { _id: 3, k: 'c' },
        ]);
        await run([{ $match: { n: 100 } }, { $out: 'empty' }]);
        const names = (await db.listCollections({ name: 'empty' }).toArray()).map((c) => c.name);
        expect(names).toEqual(['empty']);
      } finally {
        await client.db(otherName).dropDatabase();
      }
    });

    it("keeps the target's indexes, and a duplicate key leaves the old target intact", async () => {
      const target = db.collection<Row>('target');
      await target.insertOne({ _id: 50, k: 'old' });
      await target.createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
      await run([{ $out: 'target' }]);
      const indexNames = (await target.indexes()).map((index) => index.name).sort();
      expect(indexNames).toEqual(['_id_', 'k_unique']);
      expect(await target.countDocuments()).toBe(3);
      // Two results with the same k: the unique index refuses, nothing changes.
      await target.deleteMany({});
      await target.insertOne({ _id: 60, k: 'kept' });
      const error = await serverError(run([{ $set: { k: 'same' } }, { $out: 'target' }]));
      expect(error.code).toBe(11000);
      expect(await contents('target')).toEqual([{ _id: 60, k: 'kept' }]);
      // Duplicate _id in the output.
      const dupId = await serverError(run([{ $set: { _id: 7 } }, { $out: 'target' }]));
      expect(dupId.code).toBe(11000);
      expect(await contents('target')).toEqual([{ _id: 60, k: 'kept' }]);
    });

    it('a failing pipeline leaves the target as it was', async () => {
      await db.collection<Row>('target').insertOne({ _id: 1, kept: true });
      const error = await serverError(
        run([{ $project: { bad: { $divide: ['$n', 'x'] } } }, { $out: 'target' }]),
      );
      expect(error).toBeInstanceOf(MongoServerError);
      expect(await contents('target')).toEqual([{ _id: 1, kept: true }]);
    });

    it("applies the target's validator unless bypassDocumentValidation is set", async () => {
      await db.createCollection('checked', { validator: { n: { $lt: 3 } } });
      await db.collection<Row>('checked').insertOne({ _id: 1, n: 0 });
      const error = await serverError(run([{ $out: 'checked' }]));
      expect(error.code).toBe(121);
      expect(await contents('checked')).toEqual([{ _id: 1, n: 0 }]);
      await run([{ $out: 'checked' }], { bypassDocumentValidation: true });
      expect(await db.collection<Row>('checked').countDocuments()).toBe(3);
      const merged = await serverError(
        run([{ $set: { n: 10 } }, { $merge: { into: 'checked', whenMatched: 'merge' } }]),
      );
      expect(merged.code).toBe(121);
    });

    it('may replace the collection being aggregated', async () => {
      await run([{ $match: { n: 1 } }, { $out: 'src' }]);
      expect(await contents('src')).toEqual([{ _id: 1, k: 'a', n: 1 }]);
    });

    it('refuses $out before the last stage, in sub-pipelines, and bad targets', async () => {
      const notLast = await serverError(run([{ $out: 'target' }, { $match: {} }]));
      expect(notLast.code).toBe(40601);
      expect(notLast.message).toContain('$out can only be the final stage in the pipeline');
      const inLookup = await serverError(
        run([{ $lookup: { from: 'src', pipeline: [{ $out: 'x' }], as: 'j' } }]),
      );
      expect(inLookup.code).toBe(51047);
      const inFacet = await serverError(run([{ $facet: { a: [{ $out: 'x' }] } }]));
      expect(inFacet.code).toBe(40600);
      const system = await serverError(run([{ $out: 'system.things' }]));
      expect(system.code).toBe(17385);
      const internal = await serverError(run([{ $out: { db: 'admin', coll: 'x' } }]));
      expect(internal.code).toBe(31321);
      const wrongType = await serverError(run([{ $out: 5 }]));
      expect(wrongType.code).toBe(16990);
      const missing = await serverError(run([{ $out: { db: db.databaseName } }]));
      expect(missing.code).toBe(40414);
      expect(await db.listCollections({ name: 'x' }).toArray()).toEqual([]);
    });
  });

  describe('$merge', () => {
    beforeEach(async () => {
      await db.collection<Row>('target').insertMany([
        { _id: 1, k: 'a', n: 100, extra: true },
        { _id: 9, k: 'z', n: 900 },
      ]);
    });

    it('defaults to whenMatched merge and whenNotMatched insert, on _id', async () => {
      expect(await run([{ $merge: 'target' }])).toEqual([]);
      expect(await contents('target')).toEqual([
        { _id: 1, k: 'a', n: 1, extra: true },
        { _id: 2, k: 'b', n: 2 },
        { _id: 3, k: 'c', n: 3 },
        { _id: 9, k: 'z', n: 900 },
      ]);
    });

    it('whenMatched replace and keepExisting, whenNotMatched discard', async () => {
      await run([
        { $merge: { into: 'target', whenMatched: 'replace', whenNotMatched: 'discard' } },
      ]);
      expect(await contents('target')).toEqual([
        { _id: 1, k: 'a', n: 1 },
        { _id: 9, k: 'z', n: 900 },
      ]);
      await run([{ $set: { n: -1 } }, { $merge: { into: 'target', whenMatched: 'keepExisting' } }]);
      expect(await contents('target')).toEqual([
        { _id: 1, k: 'a', n: 1 },
        { _id: 2, k: 'b', n: -1 },
        { _id: 3, k: 'c', n: -1 },
        { _id: 9, k: 'z', n: 900 },
      ]);
    });

    it('whenMatched fail gives a duplicate key error; whenNotMatched fail gives 13113', async () => {
      const dup = await serverError(
        run([{ $match: { _id: 1 } }, { $merge: { into: 'target', whenMatched: 'fail' } }]),
      );
      expect(dup.code).toBe(11000);
      const missing = await serverError(
        run([
          { $match: { _id: 2 } },
          { $merge: { into: 'target', whenMatched: 'merge', whenNotMatched: 'fail' } },
        ]),
      );
      expect(missing.code).toBe(13113);
      expect(missing.codeName).toBe('MergeStageNoMatchingDocument');
      expect(await contents('target')).toHaveLength(2);
    });

    it('whenMatched pipeline with $$new and let', async () => {
      await run([
        {
          $merge: {
            into: 'target',
            let: { incoming: '$n', new: '$$ROOT' },
            whenMatched: [{ $set: { n: { $add: ['$n', '$$incoming'] }, k: '$$new.k' } }],
            whenNotMatched: 'discard',
          },
        },
      ]);
      expect(await contents('target')).toEqual([
        { _id: 1, k: 'a', n: 101, extra: true },
        { _id: 9, k: 'z', n: 900 },
      ]);
      await run([
        { $match: { _id: 1 } },
        { $merge: { into: 'target', whenMatched: [{ $set: { copy: '$$new.n' } }] } },
      ]);
      expect(await db.collection<Row>('target').findOne({ _id: 1 })).toMatchObject({ copy: 1 });
    });

    it("applies the target's validator in every mode unless bypassDocumentValidation is set", async () => {
      await db.createCollection('checked', { validator: { n: { $lt: 50 } } });
      await db.collection<Row>('checked').insertOne({ _id: 1, n: 0 });
      const matched = [{ $match: { _id: 1 } }, { $set: { n: 60 } }];
      const attempts: Document[][] = [
        [...matched, { $merge: { into: 'checked', whenMatched: 'merge' } }],
        [...matched, { $merge: { into: 'checked', whenMatched: 'replace' } }],
        [
          { $match: { _id: 1 } },
          { $merge: { into: 'checked', whenMatched: [{ $set: { n: 70 } }] } },
        ],
        [{ $match: { _id: 2 } }, { $set: { n: 80 } }, { $merge: 'checked' }],
      ];
      for (const pipeline of attempts) {
        const error = await serverError(run(pipeline));
        expect([error.code, error.codeName]).toEqual([121, 'DocumentValidationFailure']);
        expect(await contents('checked')).toEqual([{ _id: 1, n: 0 }]);
      }
      await run(attempts[0], { bypassDocumentValidation: true });
      await run(attempts[3], { bypassDocumentValidation: true });
      expect(await contents('checked')).toEqual([
        { _id: 1, n: 60, k: 'a' },
        { _id: 2, k: 'b', n: 80 },
      ]);
      // Valid documents pass without bypassing.
      await run([{ $match: { _id: 3 } }, { $set: { n: 5 } }, { $merge: 'checked' }]);
      expect(await db.collection<Row>('checked').findOne({ _id: 3 })).toEqual({
        _id: 3,
        k: 'c',
        n: 5,
      });
    });

    it('on other fields needs a unique index on exactly those fields (51183)', async () => {
      const noIndex = await serverError(
        run([{ $project: { _id: 0 } }, { $merge: { into: 'target', on: 'k' } }]),
      );
      expect(noIndex.code).toBe(51183);
      expect(noIndex.message).toContain(
        'Cannot find index to verify that join fields will be unique',
      );
      await db.collection<Row>('target').createIndex({ k: 1 }, { unique: true });
      await run([{ $project: { _id: 0, k: 1, n: 1 } }, { $merge: { into: 'target', on: 'k' } }]);
      const rows = await db
        .collection('target')
        .find({}, { projection: { _id: 0 }, sort: { k: 1 } })
        .toArray();
      expect(rows).toEqual([
        { k: 'a', n: 1, extra: true },
        { k: 'b', n: 2 },
        { k: 'c', n: 3 },
        { k: 'z', n: 900 },
      ]);
      const nullOn = await serverError(
        run([{ $project: { _id: 0, n: 1 } }, { $merge: { into: 'target', on: 'k' } }]),
      );
      expect(nullOn.code).toBe(51132);
    });

    it('into { db, coll } creates the target in another database; the source may be the target', async () => {
      const otherName = `${db.databaseName}_m`;
      try {
        await run([{ $merge: { into: { db: otherName, coll: 'copy' } } }]);
        expect(await contents('copy', otherName)).toHaveLength(3);
      } finally {
        await client.db(otherName).dropDatabase();
      }
      await run([{ $set: { seen: true } }, { $merge: 'src' }]);
      expect(await db.collection<Row>('src').countDocuments({ seen: true })).toBe(3);
    });

    it('refuses unsupported combinations, let outside a pipeline, bad modes and targets', async () => {
      const combination = await serverError(
        run([{ $merge: { into: 'target', whenMatched: 'fail', whenNotMatched: 'fail' } }]),
      );
      expect(combination.code).toBe(51181);
      const letOutside = await serverError(
        run([{ $merge: { into: 'target', whenMatched: 'merge', let: { x: 1 } } }]),
      );
      expect(letOutside.code).toBe(51199);
      const newVar = await serverError(
        run([{ $merge: { into: 'target', whenMatched: [{ $set: { a: 1 } }], let: { new: 1 } } }]),
      );
      expect(newVar.code).toBe(51273);
      const badMode = await serverError(run([{ $merge: { into: 'target', whenMatched: 'nope' } }]));
      expect(badMode.code).toBe(2);
      const system = await serverError(run([{ $merge: 'system.things' }]));
      expect(system.code).toBe(31319);
      const internal = await serverError(run([{ $merge: { into: { db: 'config', coll: 'x' } } }]));
      expect(internal.code).toBe(31320);
      const noInto = await serverError(run([{ $merge: { on: '_id' } }]));
      expect(noInto.code).toBe(40414);
      const unknown = await serverError(run([{ $merge: { into: 'target', bogus: 1 } }]));
      expect(unknown.code).toBe(40415);
      const wrongType = await serverError(run([{ $merge: 3 }]));
      expect(wrongType.code).toBe(14);
      const notLast = await serverError(run([{ $merge: 'target' }, { $match: {} }]));
      expect(notLast.code).toBe(40601);
      const inUnion = await serverError(
        run([{ $unionWith: { coll: 'src', pipeline: [{ $merge: 'x' }] } }]),
      );
      expect(inUnion.code).toBe(31441);
      expect(await contents('target')).toHaveLength(2);
    });
  });
});
