import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

interface Row {
  _id: number;
  t?: Date;
}

/**
 * `$$NOW` is read once per command (mongod sets it on the command's expression context): every
 * document of an aggregate or of a multi-document pipeline update sees the same date.
 */
describe('$$NOW', () => {
  let client: MongoClient;
  let db: Db;
  const count = 2000;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('now_variable'));
    await db
      .collection<Row>('rows')
      .insertMany(Array.from({ length: count }, (_, i) => ({ _id: i })));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const distinctTimes = (rows: Array<{ t?: unknown }>): number[] => [
    ...new Set(rows.map((row) => (row.t instanceof Date ? row.t.getTime() : NaN))),
  ];

  it('is one value for every document of an aggregate, in every stage and in let', async () => {
    const before = Date.now();
    const rows = await db
      .collection<Row>('rows')
      .aggregate<{ t: Date; u: Date; same: boolean }>(
        [
          { $addFields: { t: '$$NOW' } },
          { $sort: { _id: -1 } },
          { $addFields: { u: '$$NOW', same: { $eq: ['$$start', '$$NOW'] } } },
        ],
        { let: { start: '$$NOW' }, batchSize: 100 },
      )
      .toArray();
    expect(rows).toHaveLength(count);
    const times = distinctTimes(rows);
    expect(times).toHaveLength(1);
    expect(distinctTimes(rows.map((row) => ({ t: row.u })))).toEqual(times);
    expect(rows.every((row) => row.same)).toBe(true);
    expect(times[0]).toBeGreaterThanOrEqual(before - 1000);
    expect(times[0]).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('is one value for every document a pipeline updateMany changes', async () => {
    const result = await db.collection<Row>('rows').updateMany({}, [{ $set: { t: '$$NOW' } }]);
    expect(result.modifiedCount).toBe(count);
    const rows = await db.collection<Row>('rows').find().toArray();
    expect(distinctTimes(rows)).toHaveLength(1);
  });

  it('changes from one command to the next', async () => {
    const first = await db
      .aggregate<{ t: Date }>([{ $documents: [{}] }, { $set: { t: '$$NOW' } }])
      .toArray();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await db
      .aggregate<{ t: Date }>([{ $documents: [{}] }, { $set: { t: '$$NOW' } }])
      .toArray();
    expect(second[0].t.getTime()).toBeGreaterThan(first[0].t.getTime());
  });
});
