import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { serverError, serverUri, uniqueDbName } from '../helpers';

interface Row {
  _id: number;
  name: string;
  n: number;
}

const ROWS: Row[] = [
  { _id: 1, name: 'a', n: 10 },
  { _id: 2, name: 'b', n: 20 },
  { _id: 3, name: 'c', n: 30 },
];

/**
 * Command-level `let` (MongoDB 5.0+): variables usable as `$$name` in `$expr` filters,
 * aggregation stages and pipeline updates of find, aggregate, update, delete, findAndModify
 * and the bulk writes the driver sends as update/delete commands.
 */
describe('command-level let variables', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('let_vars'));
  });

  beforeEach(async () => {
    await db.collection<Row>('rows').deleteMany({});
    await db.collection<Row>('rows').insertMany(ROWS.map((row) => ({ ...row })));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const rows = () => db.collection<Row>('rows');

  it('find: $$name in a $expr filter', async () => {
    const found = await rows()
      .find({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 2 } })
      .toArray();
    expect(found).toEqual([{ _id: 2, name: 'b', n: 20 }]);
  });

  it('evaluates let expressions once, and later variables may use earlier ones', async () => {
    const found = await rows()
      .find(
        { $expr: { $gte: ['$n', '$$limit'] } },
        { let: { base: { $add: [10, 5] }, limit: { $multiply: ['$$base', 2] } }, sort: { _id: 1 } },
      )
      .toArray();
    expect(found.map((row) => row._id)).toEqual([3]);
    const literal = await rows()
      .find({ $expr: { $eq: ['$name', '$$name'] } }, { let: { name: { $literal: '$a' } } })
      .toArray();
    expect(literal).toEqual([]);
  });

  it('aggregate: $$name in $match, $project and a $lookup pipeline', async () => {
    const out = await rows()
      .aggregate(
        [
          { $match: { $expr: { $lt: ['$n', '$$max'] } } },
          { $project: { _id: 1, scaled: { $multiply: ['$n', '$$factor'] } } },
          { $sort: { _id: 1 } },
        ],
        { let: { max: 25, factor: 2 } },
      )
      .toArray();
    expect(out).toEqual([
      { _id: 1, scaled: 20 },
      { _id: 2, scaled: 40 },
    ]);
    const joined = await rows()
      .aggregate(
        [
          { $match: { _id: 1 } },
          {
            $lookup: {
              from: 'rows',
              pipeline: [{ $match: { $expr: { $eq: ['$name', '$$wanted'] } } }],
              as: 'same',
            },
          },
          { $project: { ids: '$same._id' } },
        ],
        { let: { wanted: 'c' } },
      )
      .toArray();
    expect(joined).toEqual([{ _id: 1, ids: [3] }]);
  });

  it('update: let applies to every statement, in q and in a pipeline u', async () => {
    const result = await rows().updateMany(
      { $expr: { $gt: ['$n', '$$min'] } },
      [{ $set: { n: { $add: ['$n', '$$step'] }, tag: '$$tag' } }],
      { let: { min: 15, step: 1, tag: 'bumped' } },
    );
    expect(result.matchedCount).toBe(2);
    expect(
      await rows()
        .find({}, { sort: { _id: 1 } })
        .toArray(),
    ).toEqual([
      { _id: 1, name: 'a', n: 10 },
      { _id: 2, name: 'b', n: 21, tag: 'bumped' },
      { _id: 3, name: 'c', n: 31, tag: 'bumped' },
    ]);
  });

  it('update: a statement constant `c` is visible in its pipeline, and refused without one', async () => {
    await db.command({
      update: 'rows',
      updates: [{ q: { _id: 1 }, u: [{ $set: { label: '$$label' } }], c: { label: 'from c' } }],
    });
    expect(await rows().findOne({ _id: 1 })).toMatchObject({ label: 'from c' });
    const reply = await db.command({
      update: 'rows',
      updates: [{ q: { _id: 1 }, u: { $set: { x: 1 } }, c: { label: 1 } }],
    });
    expect(reply.writeErrors?.[0]?.code).toBe(51198);
  });

  it('delete and findOneAndUpdate/findOneAndDelete take let', async () => {
    const deleted = await rows().deleteMany(
      { $expr: { $eq: ['$name', '$$name'] } },
      {
        let: { name: 'a' },
      },
    );
    expect(deleted.deletedCount).toBe(1);
    const updated = await rows().findOneAndUpdate(
      { $expr: { $eq: ['$_id', '$$id'] } },
      [{ $set: { n: '$$n' } }],
      { let: { id: 2, n: 99 }, returnDocument: 'after' },
    );
    expect(updated).toEqual({ _id: 2, name: 'b', n: 99 });
    const removed = await rows().findOneAndDelete(
      { $expr: { $eq: ['$_id', '$$id'] } },
      { let: { id: 3 } },
    );
    expect(removed).toEqual({ _id: 3, name: 'c', n: 30 });
    expect(await rows().countDocuments()).toBe(1);
  });

  it('bulkWrite sends let with its update and delete commands', async () => {
    const result = await rows().bulkWrite(
      [
        { insertOne: { document: { _id: 4, name: 'd', n: 40 } } },
        {
          updateOne: {
            filter: { $expr: { $eq: ['$_id', '$$target'] } },
            update: [{ $set: { n: '$$value' } }],
          },
        },
        { deleteOne: { filter: { $expr: { $eq: ['$_id', '$$gone'] } } } },
      ],
      { let: { target: 1, value: 11, gone: 2 } },
    );
    expect(result.insertedCount).toBe(1);
    expect(result.modifiedCount).toBe(1);
    expect(result.deletedCount).toBe(1);
    expect(
      (
        await rows()
          .find({}, { sort: { _id: 1 } })
          .toArray()
      ).map((row) => row.n),
    ).toEqual([11, 30, 40]);
  });

  it('$$NOW is a date in $expr; $$CLUSTER_TIME is not available on a standalone', async () => {
    const before = Date.now();
    const [row] = await rows()
      .aggregate([{ $match: { _id: 1 } }, { $project: { now: '$$NOW' } }])
      .toArray();
    expect(row.now).toBeInstanceOf(Date);
    expect((row.now as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const found = await rows()
      .find({ $expr: { $lt: ['$$NOW', new Date(Date.now() + 60_000)] } })
      .toArray();
    expect(found).toHaveLength(3);
    const error = await serverError(
      rows()
        .find({ $expr: { $eq: ['$$CLUSTER_TIME', null] } })
        .toArray(),
    );
    expect(error.code).toBe(51144);
  });

  it('an undefined variable fails with 17276', async () => {
    const error = await serverError(
      rows()
        .find({ $expr: { $eq: ['$_id', '$$id'] } })
        .toArray(),
    );
    expect(error.code).toBe(17276);
    expect(error.message).toContain('Use of undefined variable: id');
  });

  describe('refused let', () => {
    it('a let that is not an object: TypeMismatch naming the command', async () => {
      for (const [command, extra] of [
        ['find', {}],
        ['aggregate', { pipeline: [], cursor: {} }],
        ['update', { updates: [{ q: {}, u: { $set: { x: 1 } } }] }],
        ['delete', { deletes: [{ q: {}, limit: 1 }] }],
        ['findAndModify', { query: {}, update: { $set: { x: 1 } } }],
      ] as const) {
        const error = await serverError(db.command({ [command]: 'rows', ...extra, let: 5 }));
        expect(error.code).toBe(14);
        expect(error.codeName).toBe('TypeMismatch');
        expect(error.message).toBe(
          `BSON field '${command}.let' is the wrong type 'int', expected type 'object'`,
        );
      }
      expect(await rows().countDocuments({ x: 1 })).toBe(0);
    });

    it('names that are not user variable names', async () => {
      const cases: Array<[string, number, string]> = [
        ['ROOT', 16867, "'ROOT' starts with an invalid character for a user variable name"],
        ['_x', 16867, "'_x' starts with an invalid character for a user variable name"],
        ['1a', 16867, "'1a' starts with an invalid character for a user variable name"],
        ['a-b', 16868, "'a-b' contains an invalid character for a variable name: '-'"],
        ['NOW', 4738901, 'Attempt to set internal constant: NOW'],
      ];
      for (const [name, code, message] of cases) {
        const error = await serverError(
          db.command({ find: 'rows', filter: {}, let: { [name]: 1 } }),
        );
        expect([name, error.code]).toEqual([name, code]);
        expect(error.message).toContain(message);
      }
      const error = await serverError(db.command({ find: 'rows', filter: {}, let: { '': 1 } }));
      expect(error.code).toBe(16866);
    });

    it('a let expression may not read a document field', async () => {
      const error = await serverError(
        db.command({ find: 'rows', filter: {}, let: { x: '$name' } }),
      );
      expect(error.code).toBe(4890500);
      expect(error.message).toContain('Command let Expression tried to access a field');
    });

    it('a failing update let changes nothing', async () => {
      await serverError(
        db.command({
          update: 'rows',
          updates: [{ q: {}, u: { $set: { x: 1 } }, multi: true }],
          let: { Bad: 1 },
        }),
      );
      expect(await rows().countDocuments({ x: 1 })).toBe(0);
    });
  });
});
