import { MongoClient, ObjectId } from 'mongodb';
import type { Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

interface CodedRow {
  _id: number;
  code: string;
  group: number;
  tags: string[];
}

describe('indexes through the official driver', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('indexes'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('answers listIndexes on a missing collection with 26 NamespaceNotFound', async () => {
    const error = await db
      .collection('missing')
      .indexes()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
  });

  it('enforces a single-field unique index on insert, update, upsert and findAndModify', async () => {
    const users = db.collection('users');
    expect(await users.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    await users.insertMany([{ email: 'a@x.io' }, { email: 'b@x.io', n: 1 }]);
    const insert = await users.insertOne({ email: 'a@x.io' }).catch((caught: unknown) => caught);
    expect(insert).toMatchObject({
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: 'a@x.io' },
    });
    expect((insert as Error).message).toContain(
      `E11000 duplicate key error collection: ${db.databaseName}.users index: email_1 dup key: { email: "a@x.io" }`,
    );
    const update = await users
      .updateOne({ email: 'b@x.io' }, { $set: { email: 'a@x.io', n: 2 } })
      .catch((caught: unknown) => caught);
    expect(update).toMatchObject({ code: 11000, keyValue: { email: 'a@x.io' } });
    // The failed update changed nothing in that document.
    expect(await users.findOne({ email: 'b@x.io' }, { projection: { _id: 0 } })).toEqual({
      email: 'b@x.io',
      n: 1,
    });
    const upsert = await users
      .updateOne({ name: 'new' }, { $set: { email: 'b@x.io' } }, { upsert: true })
      .catch((caught: unknown) => caught);
    expect(upsert).toMatchObject({ code: 11000 });
    const fam = await users
      .findOneAndUpdate({ email: 'b@x.io' }, { $set: { email: 'a@x.io' } })
      .catch((caught: unknown) => caught);
    expect(fam).toMatchObject({ code: 11000, keyValue: { email: 'a@x.io' } });
    expect(await users.countDocuments({})).toBe(2);
    // Missing fields index as null: a second document without `email` is a duplicate too.
    await users.insertOne({ other: 1 });
    const nullDup = await users.insertOne({ other: 2 }).catch((caught: unknown) => caught);
    expect(nullDup).toMatchObject({ code: 11000, keyValue: { email: null } });
    expect((nullDup as Error).message).toContain('index: email_1 dup key: { email: null }');
    // Numbers print bare.
    const seats = db.collection('seats');
    await seats.createIndex({ row: 1, seat: 1 }, { unique: true });
    await seats.insertOne({ row: 'B', seat: 7 });
    await expect(seats.insertOne({ row: 'B', seat: 7 })).rejects.toThrow(
      'index: row_1_seat_1 dup key: { row: "B", seat: 7 }',
    );
  });

  it('enforces compound unique indexes with ObjectId keys', async () => {
    const favs = db.collection('favs');
    await favs.createIndex({ userId: 1, movieId: 1 }, { unique: true });
    const userId = new ObjectId();
    const movieId = new ObjectId();
    await favs.insertOne({ userId, movieId });
    await favs.insertOne({ userId, movieId: new ObjectId() });
    const error = await favs.insertOne({ userId, movieId }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 11000, keyPattern: { userId: 1, movieId: 1 } });
    expect((error as Error).message).toContain(
      `index: userId_1_movieId_1 dup key: { userId: ObjectId('${userId.toHexString()}'), movieId: ObjectId('${movieId.toHexString()}') }`,
    );
    // An upsert whose seed (the filter's equalities) collides is refused the same way.
    await expect(
      favs.updateOne({ userId, movieId, note: 'x' }, { $set: { seen: true } }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000, keyValue: { userId, movieId } });
    expect(await favs.countDocuments({ userId })).toBe(2);
  });

  it('skips documents that sparse and partial unique indexes do not cover', async () => {
    const accounts = db.collection('accounts');
    await accounts.createIndex({ nickname: 1 }, { unique: true, sparse: true });
    await accounts.createIndex(
      { handle: 1 },
      { unique: true, partialFilterExpression: { active: true } },
    );
    await accounts.insertMany([{ a: 1 }, { a: 2 }]); // no nickname: not in the sparse index
    await accounts.insertOne({ nickname: 'neo' });
    await expect(accounts.insertOne({ nickname: 'neo' })).rejects.toMatchObject({ code: 11000 });
    await accounts.insertMany([
      { handle: 'h', active: false },
      { handle: 'h', active: false },
      { handle: 'h', active: true },
    ]);
    await expect(accounts.insertOne({ handle: 'h', active: true })).rejects.toMatchObject({
      code: 11000,
    });
    // Updates that bring a document into the sparse or partial index are checked too.
    await expect(
      accounts.updateOne({ a: 1 }, { $set: { nickname: 'neo', touched: true } }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(
      accounts.findOneAndUpdate({ handle: 'h', active: false }, { $set: { active: true } }),
    ).rejects.toMatchObject({ code: 11000, keyValue: { handle: 'h' } });
    expect(await accounts.countDocuments({ touched: true })).toBe(0);
    expect(await accounts.countDocuments({ handle: 'h', active: true })).toBe(1);
    const specs = await accounts.indexes();
    expect(specs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'nickname_1', unique: true, sparse: true }),
        expect.objectContaining({ name: 'handle_1', partialFilterExpression: { active: true } }),
      ]),
    );
  });

  it('refuses to build a unique index over existing duplicates', async () => {
    const coll = db.collection('predup');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(coll.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({
      code: 11000,
    });
    expect((await coll.indexes()).map((index) => index.name)).toEqual(['_id_']);
  });

  it('lists, re-creates idempotently and drops indexes', async () => {
    const coll = db.collection('ix');
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ a: 1 }); // same spec again: a no-op
    await coll.createIndex({ b: -1, c: 1 }, { name: 'bc' });
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    const names = (await coll.indexes()).map((index) => index.name);
    expect(names).toEqual(['_id_', 'a_1', 'bc', 'at_1']);
    await coll.dropIndex('bc');
    await expect(coll.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
    await expect(coll.dropIndex('_id_')).rejects.toMatchObject({ code: 72 });
    await coll.dropIndexes();
    expect((await coll.indexes()).map((index) => index.name)).toEqual(['_id_']);
  });

  it('answers equality lookups on indexed fields, _id included, with the right documents', async () => {
    const coll = db.collection<CodedRow>('lookups');
    await coll.createIndex({ code: 1 }, { unique: true });
    await coll.createIndex({ group: 1 });
    const docs = Array.from({ length: 200 }, (_, i) => ({
      _id: i,
      code: `c${i}`,
      group: i % 10,
      tags: [`t${i % 3}`],
    }));
    await coll.insertMany(docs);
    expect(await coll.findOne({ _id: 42 })).toMatchObject({ code: 'c42' });
    expect(await coll.findOne({ code: 'c77' })).toMatchObject({ _id: 77 });
    expect(await coll.countDocuments({ group: 3 })).toBe(20);
    expect(await coll.countDocuments({ group: { $in: [1, 2] }, tags: 't0' })).toBe(13);
    expect(await coll.findOne({ code: 'c77', group: 8 })).toBeNull();
    await coll.updateOne({ code: 'c77' }, { $set: { code: 'renamed' } });
    expect(await coll.findOne({ code: 'c77' })).toBeNull();
    expect(await coll.findOne({ code: 'renamed' })).toMatchObject({ _id: 77 });
    await coll.deleteOne({ _id: 42 });
    expect(await coll.findOne({ code: 'c42' })).toBeNull();
    // Equality on the first field of a compound (multikey) index, kept in step with writes.
    await coll.createIndex({ tags: 1, code: 1 });
    await coll.updateOne({ _id: 1 }, { $set: { tags: ['moved'] } });
    await coll.deleteOne({ _id: 4 });
    expect(await coll.countDocuments({ tags: 't1' })).toBe(65);
    expect((await coll.find({ tags: 'moved' }).toArray()).map((doc) => doc._id)).toEqual([1]);
  });
});
