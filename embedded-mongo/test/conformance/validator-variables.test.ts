import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

/**
 * mongod parses a validator's `$expr` when the validator is set, so a variable nothing
 * defines is refused then (17276), at create and at collMod; a validator never sees the
 * `let` variables of the command whose write it judges.
 */
describe('validator variables', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('validator_variables'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const undefinedX = { code: 17276, message: 'Use of undefined variable: x' };

  it('refuses an undefined variable at create, nested too, and creates nothing', async () => {
    expect(
      await failure(db.command({ create: 'v1', validator: { $expr: { $ne: ['$a', '$$x'] } } })),
    ).toMatchObject(undefinedX);
    expect(
      await failure(
        db.command({
          create: 'v1',
          validator: { $or: [{ a: 1 }, { $expr: { $map: { input: [1], in: '$$x' } } }] },
        }),
      ),
    ).toMatchObject(undefinedX);
    expect(await db.listCollections({ name: 'v1' }).toArray()).toEqual([]);
  });

  it('refuses an undefined variable at collMod and keeps the old validator', async () => {
    await db.command({ create: 'v2', validator: { a: { $gt: 0 } } });
    expect(
      await failure(db.command({ collMod: 'v2', validator: { $expr: { $eq: ['$a', '$$x'] } } })),
    ).toMatchObject(undefinedX);
    const [info] = await db.listCollections({ name: 'v2' }).toArray();
    expect(info).toMatchObject({ options: { validator: { a: { $gt: 0 } } } });
  });

  it('accepts variables bound by $let, $map, $filter, $reduce and system variables', async () => {
    await db.command({
      create: 'v3',
      validator: {
        $expr: {
          $and: [
            { $eq: [{ $let: { vars: { x: 1 }, in: '$$x' } }, 1] },
            { $eq: [{ $size: { $map: { input: [1], as: 'i', in: '$$i' } } }, 1] },
            { $eq: [{ $size: { $filter: { input: [1], cond: { $eq: ['$$this', 1] } } } }, 1] },
            {
              $eq: [
                { $reduce: { input: [1], initialValue: 0, in: { $add: ['$$value', '$$this'] } } },
                1,
              ],
            },
            { $lte: ['$$ROOT.a', 10] },
            { $lt: [0, { $toLong: '$$NOW' }] },
          ],
        },
      },
    });
    const coll = db.collection<{ _id: number; a: number }>('v3');
    await coll.insertOne({ _id: 1, a: 5 });
    expect(await failure(coll.insertOne({ _id: 2, a: 11 }))).toMatchObject({ code: 121 });
  });

  it('judges writes under a command let by the validator alone', async () => {
    await db.command({ create: 'v4', validator: { $expr: { $gt: ['$a', 0] } } });
    const coll = db.collection<{ _id: number; a: number; b?: number }>('v4');
    await coll.insertOne({ _id: 1, a: 1 });
    await db.command({
      update: 'v4',
      updates: [{ q: { _id: 1 }, u: { $set: { b: 1 } } }],
      let: { a: 5 },
    });
    expect(await failure(coll.insertOne({ _id: 2, a: 0 }))).toMatchObject({ code: 121 });
    await coll.insertOne({ _id: 3, a: 6 });
    expect(await coll.countDocuments()).toBe(2);
  });
});
