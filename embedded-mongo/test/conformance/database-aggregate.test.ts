import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { serverError, serverUri, uniqueDbName } from '../helpers';

/** `{ aggregate: 1 }`: pipelines that start with a stage producing its own documents. */
describe('database-level aggregate', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('db_aggregate'));
    await db.collection<{ _id: number; name: string }>('colors').insertMany([
      { _id: 1, name: 'red' },
      { _id: 2, name: 'blue' },
    ]);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('$documents with the stages after it', async () => {
    const rows = await db
      .aggregate([
        { $documents: [{ x: 1 }, { x: 2 }, { x: 3 }] },
        { $match: { x: { $gte: 2 } } },
        { $set: { double: { $multiply: ['$x', 2] } } },
      ])
      .toArray();
    expect(rows).toEqual([
      { x: 2, double: 4 },
      { x: 3, double: 6 },
    ]);
  });

  it('$documents takes an expression, and let variables', async () => {
    const rows = await db
      .aggregate([{ $documents: { $map: { input: '$$ids', in: { id: '$$this' } } } }], {
        let: { ids: [3, 1] },
      })
      .toArray();
    expect(rows).toEqual([{ id: 3 }, { id: 1 }]);
  });

  it('$documents joined with a collection through $lookup, and written with $merge', async () => {
    const rows = await db
      .aggregate([
        { $documents: [{ colorId: 2 }, { colorId: 1 }] },
        { $lookup: { from: 'colors', localField: 'colorId', foreignField: '_id', as: 'color' } },
        { $project: { colorId: 1, name: { $first: '$color.name' } } },
      ])
      .toArray();
    expect(rows).toEqual([
      { colorId: 2, name: 'blue' },
      { colorId: 1, name: 'red' },
    ]);
    await db
      .aggregate([{ $documents: [{ _id: 3, name: 'green' }] }, { $merge: 'colors' }])
      .toArray();
    expect(await db.collection('colors').countDocuments()).toBe(3);
  });

  it('$documents inside $unionWith', async () => {
    const rows = await db
      .collection('colors')
      .aggregate([
        { $match: { _id: 1 } },
        { $project: { _id: 0, name: 1 } },
        { $unionWith: { pipeline: [{ $documents: [{ name: 'extra' }] }] } },
      ])
      .toArray();
    expect(rows).toEqual([{ name: 'red' }, { name: 'extra' }]);
  });

  it('$listLocalSessions answers a list of sessions', async () => {
    const sessions = await client
      .db('admin')
      .aggregate([{ $listLocalSessions: {} }])
      .toArray();
    expect(Array.isArray(sessions)).toBe(true);
    for (const session of sessions) expect(session._id).toBeDefined();
    const all = await client
      .db('admin')
      .aggregate([{ $listLocalSessions: { allUsers: true } }, { $count: 'n' }])
      .toArray();
    expect(Array.isArray(all)).toBe(true);
  });

  it('any other first stage needs a collection (73 InvalidNamespace)', async () => {
    const error = await serverError(db.aggregate([{ $match: {} }]).toArray());
    expect(error.code).toBe(73);
    expect(error.codeName).toBe('InvalidNamespace');
    expect(error.message).toBe(
      "{aggregate: 1} is not valid for '$match'; a collection is required.",
    );
    const group = await serverError(db.aggregate([{ $group: { _id: null } }]).toArray());
    expect(group.message).toContain("'$group'");
  });

  it('$documents needs a database-level aggregate', async () => {
    const error = await serverError(
      db
        .collection('colors')
        .aggregate([{ $documents: [{ x: 1 }] }])
        .toArray(),
    );
    expect(error.message).toContain('can only be run with database or cluster-level aggregation');
  });

  it('refuses an aggregate field that is neither a name nor 1, and unknown stages', async () => {
    const two = await serverError(db.command({ aggregate: 2, pipeline: [], cursor: {} }));
    expect(two.code).toBe(9);
    const unknown = await serverError(db.aggregate([{ $nope: {} }]).toArray());
    expect(unknown.code).toBe(40324);
  });
});
