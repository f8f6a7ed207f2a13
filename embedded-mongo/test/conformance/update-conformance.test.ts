import { MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import type { Db } from 'mongodb';
import { serverError, serverUri, uniqueDbName } from '../helpers';

interface Child {
  _id: number;
  name: string;
  updatedAt?: Date;
}

interface Parent {
  _id: number;
  children: Child[];
}

interface Row {
  _id: number;
  a?: number | { b: number };
  n?: number;
  title?: string;
  items?: unknown[];
  scores?: number[];
}

interface Grouped {
  _id: number;
  groups: Array<{ k: string; items: Array<Record<string, number>> }>;
}

/**
 * The server error a failing operation rejects with. A refused update statement is a write
 * error, which mongod reports with `code` and `errmsg` only; command errors (findAndModify,
 * parse errors) also carry `codeName`.
 */
describe('updates behave like a mongod 7.0 standalone', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('update_conformance'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  describe('sort inside an update statement (added in 8.0)', () => {
    it('refuses it with the 40415 unknown-field parse error, running no statement', async () => {
      const rows = db.collection<Row>('sorted');
      await rows.insertMany([
        { _id: 1, n: 1 },
        { _id: 2, n: 2 },
      ]);
      const error = await serverError(
        rows.updateOne({}, { $set: { title: 'x' } }, { sort: { n: -1 } }),
      );
      expect(error).toMatchObject({ code: 40415, codeName: 'Location40415' });
      expect(error.message).toBe("BSON field 'update.updates.sort' is an unknown field.");

      // The parse error fails the whole command: the valid first statement does not run.
      const raw = await db
        .command({
          update: 'sorted',
          updates: [
            { q: { _id: 1 }, u: { $set: { title: 'first' } } },
            { q: {}, u: { $set: { title: 'x' } }, sort: { n: 1 } },
          ],
        })
        .catch((caught: unknown) => caught);
      expect(raw).toMatchObject({ code: 40415, codeName: 'Location40415' });
      expect(await rows.countDocuments({ title: { $exists: true } })).toBe(0);
    });

    it('refuses it in bulkWrite and still accepts sort in findOneAndUpdate', async () => {
      const rows = db.collection<Row>('sorted_bulk');
      await rows.insertMany([
        { _id: 1, n: 1 },
        { _id: 2, n: 2 },
      ]);
      const error = await rows
        .bulkWrite([
          { updateOne: { filter: {}, update: { $set: { title: 'x' } }, sort: { n: 1 } } },
        ])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 40415, codeName: 'Location40415' });
      expect((error as Error).message).toContain("BSON field 'update.updates.sort'");

      const after = await rows.findOneAndUpdate(
        {},
        { $set: { title: 'last' } },
        { sort: { n: -1 }, returnDocument: 'after' },
      );
      expect(after).toEqual({ _id: 2, n: 2, title: 'last' });
    });
  });

  describe('pipeline updates whose output has no _id', () => {
    it('keep the original _id (first) instead of failing with ImmutableField', async () => {
      const rows = db.collection<Row>('pipeline');
      await rows.insertMany([
        { _id: 1, n: 1, title: 't' },
        { _id: 2, n: 2, title: 'u' },
      ]);
      const result = await rows.updateOne({ _id: 1 }, [{ $project: { _id: 0, n: 1 } }]);
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await rows.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });

      const replaced = await rows.findOneAndUpdate({ _id: 2 }, [{ $replaceWith: { title: 'v' } }], {
        returnDocument: 'after',
      });
      expect(replaced).toEqual({ _id: 2, title: 'v' });
      expect(Object.keys((await rows.findOne({ _id: 2 })) ?? {})).toEqual(['_id', 'title']);
    });

    it('still refuse a pipeline that changes _id', async () => {
      const rows = db.collection<Row>('pipeline_id');
      await rows.insertOne({ _id: 1, n: 1 });
      const error = await serverError(rows.updateOne({ _id: 1 }, [{ $set: { _id: 5 } }]));
      expect(error.code).toBe(66);
      const viaFindAndModify = await serverError(
        rows.findOneAndUpdate({ _id: 1 }, [{ $set: { _id: 5 } }]),
      );
      expect(viaFindAndModify).toMatchObject({ code: 66, codeName: 'ImmutableField' });
      expect(await rows.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
    });
  });

  describe('paths under the same array element', () => {
    const seed: Parent = {
      _id: 1,
      children: [
        { _id: 10, name: 'a' },
        { _id: 11, name: 'b' },
        { _id: 12, name: 'b' },
      ],
    };

    it('accepts children.$.name with children.$.updatedAt (mongoose timestamps)', async () => {
      const parents = db.collection<Parent>('parents_positional');
      await parents.insertOne(structuredClone(seed));
      const at = new Date('2024-01-02T03:04:05Z');
      // The filter matches on the field being changed: `$` is the element the query matched.
      const result = await parents.updateOne(
        { _id: 1, 'children.name': 'b' },
        { $set: { 'children.$.name': 'B', 'children.$.updatedAt': at } },
      );
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect((await parents.findOne({ _id: 1 }))?.children).toEqual([
        { _id: 10, name: 'a' },
        { _id: 11, name: 'B', updatedAt: at },
        { _id: 12, name: 'b' },
      ]);

      const after = await parents.findOneAndUpdate(
        { 'children._id': 12 },
        { $set: { 'children.$.name': 'C', 'children.$.updatedAt': at } },
        { returnDocument: 'after' },
      );
      expect(after?.children[2]).toEqual({ _id: 12, name: 'C', updatedAt: at });
    });

    it('accepts the $[x] filtered form with arrayFilters, in bulkWrite too', async () => {
      const parents = db.collection<Parent>('parents_filtered');
      await parents.insertOne(structuredClone(seed));
      const at = new Date('2024-01-02T03:04:05Z');
      const result = await parents.bulkWrite([
        {
          updateOne: {
            filter: { _id: 1 },
            update: { $set: { 'children.$[c].name': 'B', 'children.$[c].updatedAt': at } },
            arrayFilters: [{ 'c.name': 'b' }],
          },
        },
      ]);
      expect(result.modifiedCount).toBe(1);
      expect((await parents.findOne({ _id: 1 }))?.children).toEqual([
        { _id: 10, name: 'a' },
        { _id: 11, name: 'B', updatedAt: at },
        { _id: 12, name: 'B', updatedAt: at },
      ]);
    });

    it('still refuses real conflicts with 40 ConflictingUpdateOperators', async () => {
      const rows = db.collection<Row>('conflicts');
      await rows.insertOne({ _id: 1, a: { b: 1 }, n: 1 });
      const prefix = await serverError(rows.updateOne({ _id: 1 }, { $set: { a: 1, 'a.b': 2 } }));
      expect(prefix.code).toBe(40);
      expect(prefix.message).toBe("Updating the path 'a.b' would create a conflict at 'a'");

      const same = await serverError(
        rows.updateOne({ _id: 1 }, { $set: { n: 2 }, $inc: { n: 1 } }),
      );
      expect(same.code).toBe(40);
      expect(same.message).toBe("Updating the path 'n' would create a conflict at 'n'");

      const viaFindAndModify = await serverError(
        rows.findOneAndUpdate({ _id: 1 }, { $set: { 'a.b': 2 }, $unset: { a: '' } }),
      );
      expect(viaFindAndModify).toMatchObject({ code: 40, codeName: 'ConflictingUpdateOperators' });
      expect(viaFindAndModify.message).toBe("Updating the path 'a' would create a conflict at 'a'");

      const parents = db.collection<Parent>('parents_conflict');
      await parents.insertOne(structuredClone(seed));
      const positional = await serverError(
        parents.updateOne(
          { 'children.name': 'b' },
          { $set: { 'children.$.name': 'x' }, $unset: { 'children.$.name': '' } },
        ),
      );
      expect(positional.code).toBe(40);
      expect(positional.message).toBe(
        "Updating the path 'children.$.name' would create a conflict at 'children.$.name'",
      );

      const bulk = await rows
        .bulkWrite([{ updateOne: { filter: { _id: 1 }, update: { $set: { a: 1, 'a.b': 2 } } } }])
        .catch((caught: unknown) => caught);
      expect(bulk).toBeInstanceOf(MongoBulkWriteError);
      expect((bulk as MongoBulkWriteError).writeErrors).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: 40 })]),
      );
      expect(await rows.findOne({ _id: 1 })).toEqual({ _id: 1, a: { b: 1 }, n: 1 });
    });
  });

  describe('$set on _id', () => {
    it('allows setting _id to its current value', async () => {
      const rows = db.collection<Row>('set_id');
      await rows.insertOne({ _id: 1, n: 1 });
      const result = await rows.updateOne({ _id: 1 }, { $set: { _id: 1, n: 2 } });
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await rows.findOne({ _id: 1 })).toEqual({ _id: 1, n: 2 });

      const after = await rows.findOneAndUpdate(
        { _id: 1 },
        { $set: { _id: 1, n: 3 } },
        { returnDocument: 'after' },
      );
      expect(after).toEqual({ _id: 1, n: 3 });
    });

    it('refuses a different value with 66 ImmutableField', async () => {
      const rows = db.collection<Row>('set_id_other');
      await rows.insertOne({ _id: 1, n: 1 });
      const error = await serverError(rows.updateOne({ _id: 1 }, { $set: { _id: 2 } }));
      expect(error.code).toBe(66);
      expect(error.message).toContain(
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
      const viaFindAndModify = await serverError(
        rows.findOneAndUpdate({ _id: 1 }, { $set: { _id: 2 } }),
      );
      expect(viaFindAndModify).toMatchObject({ code: 66, codeName: 'ImmutableField' });
      expect(await rows.findOne({})).toEqual({ _id: 1, n: 1 });
    });
  });

  describe('$pull conditions', () => {
    it('removes subdocuments matching a $or condition', async () => {
      const rows = db.collection<Row>('pull_or');
      await rows.insertOne({ _id: 1, items: [{ a: 1 }, { b: 2 }, { a: 3 }, 4, { b: 5 }] });
      const result = await rows.updateOne(
        { _id: 1 },
        { $pull: { items: { $or: [{ a: 1 }, { b: 2 }] } } },
      );
      expect(result.modifiedCount).toBe(1);
      // A query condition applies to object elements only: the scalar 4 stays.
      expect((await rows.findOne({ _id: 1 }))?.items).toEqual([{ a: 3 }, 4, { b: 5 }]);

      const after = await rows.findOneAndUpdate(
        { _id: 1 },
        { $pull: { items: { $and: [{ a: { $gte: 3 } }], b: { $exists: false } } } },
        { returnDocument: 'after' },
      );
      expect(after?.items).toEqual([4, { b: 5 }]);
    });

    it('removes scalars matching value operators, under a positional path too', async () => {
      const rows = db.collection<Row>('pull_scalars');
      await rows.insertOne({ _id: 1, scores: [1, 5, 6, 8, 9, 12] });
      await rows.updateOne({ _id: 1 }, { $pull: { scores: { $gte: 5, $lte: 8 } } });
      await rows.updateOne({ _id: 1 }, { $pull: { scores: { $in: [12] } } });
      expect((await rows.findOne({ _id: 1 }))?.scores).toEqual([1, 9]);

      const parents = db.collection<Grouped>('pull_positional');
      await parents.insertOne({
        _id: 1,
        groups: [
          { k: 'x', items: [{ a: 1 }, { a: 2 }] },
          { k: 'y', items: [{ a: 1 }, { b: 2 }] },
        ],
      });
      await parents.bulkWrite([
        {
          updateOne: {
            filter: { 'groups.k': 'y' },
            update: { $pull: { 'groups.$.items': { $or: [{ a: 1 }, { b: 2 }] } } },
          },
        },
      ]);
      expect(await parents.findOne({ _id: 1 })).toEqual({
        _id: 1,
        groups: [
          { k: 'x', items: [{ a: 1 }, { a: 2 }] },
          { k: 'y', items: [] },
        ],
      });
    });
  });
});
