import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

describe('collMod', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('collmod'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('sets, changes and removes a validator, and changes validationLevel and validationAction', async () => {
    const coll = await db.createCollection('items');
    await coll.insertOne({ qty: -1 });
    expect(await db.command({ collMod: 'items', validator: { qty: { $gte: 0 } } })).toMatchObject({
      ok: 1,
    });
    const [entry] = await db.listCollections({ name: 'items' }, { nameOnly: false }).toArray();
    expect(entry.options).toMatchObject({ validator: { qty: { $gte: 0 } } });
    await expect(coll.insertOne({ qty: -2 })).rejects.toMatchObject({ code: 121 });
    await db.command({ collMod: 'items', validationAction: 'warn' });
    await coll.insertOne({ qty: -3 });
    await db.command({ collMod: 'items', validationAction: 'error', validationLevel: 'off' });
    await coll.insertOne({ qty: -4 });
    await db.command({ collMod: 'items', validationLevel: 'strict', validator: {} });
    await coll.insertOne({ qty: -5 });
    const [after] = await db.listCollections({ name: 'items' }, { nameOnly: false }).toArray();
    expect(after.options).toMatchObject({
      validator: {},
      validationLevel: 'strict',
      validationAction: 'error',
    });
    expect(await coll.countDocuments()).toBe(4);
  });

  it('changes expireAfterSeconds of a TTL index by name or key pattern', async () => {
    const coll = db.collection('sessions');
    await coll.createIndex({ seenAt: 1 }, { expireAfterSeconds: 3600 });
    const byKey = await db.command({
      collMod: 'sessions',
      index: { keyPattern: { seenAt: 1 }, expireAfterSeconds: 60 },
    });
    expect(byKey).toMatchObject({
      expireAfterSeconds_old: 3600,
      expireAfterSeconds_new: 60,
      ok: 1,
    });
    const byName = await db.command({
      collMod: 'sessions',
      index: { name: 'seenAt_1', expireAfterSeconds: 120 },
    });
    expect(byName).toMatchObject({ expireAfterSeconds_old: 60, expireAfterSeconds_new: 120 });
    const indexes = await coll.listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'seenAt_1')).toMatchObject({
      expireAfterSeconds: 120,
    });
  });

  it('turns a single-field index into a TTL index', async () => {
    await db.collection('events').createIndex({ at: 1 });
    const reply = await db.command({
      collMod: 'events',
      index: { keyPattern: { at: 1 }, expireAfterSeconds: 10 },
    });
    expect(reply.expireAfterSeconds_new).toBe(10);
    expect(reply.expireAfterSeconds_old).toBeUndefined();
    const indexes = await db.collection('events').listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'at_1')).toMatchObject({
      expireAfterSeconds: 10,
    });
  });

  it('hides and unhides an index', async () => {
    const coll = db.collection('hidden');
    await coll.createIndex({ a: 1 });
    expect(
      await db.command({ collMod: 'hidden', index: { name: 'a_1', hidden: true } }),
    ).toMatchObject({ hidden_old: false, hidden_new: true });
    expect((await coll.listIndexes().toArray()).find((i) => i.name === 'a_1')).toMatchObject({
      hidden: true,
    });
    const again = await db.command({ collMod: 'hidden', index: { name: 'a_1', hidden: true } });
    expect(again.hidden_new).toBeUndefined();
    await db.command({ collMod: 'hidden', index: { keyPattern: { a: 1 }, hidden: false } });
    expect(
      (await coll.listIndexes().toArray()).find((i) => i.name === 'a_1')?.hidden,
    ).toBeUndefined();
  });

  it('changes the definition of a view', async () => {
    await db.collection('people').insertMany([
      { name: 'Ann', age: 30 },
      { name: 'Bob', age: 15 },
    ]);
    await db.createCollection('adults', {
      viewOn: 'people',
      pipeline: [{ $match: { age: { $gte: 18 } } }],
    });
    await db.command({
      collMod: 'adults',
      viewOn: 'people',
      pipeline: [{ $match: { age: { $lt: 18 } } }, { $project: { _id: 0, name: 1 } }],
    });
    expect(await db.collection('adults').find().toArray()).toEqual([{ name: 'Bob' }]);
    const [entry] = await db.listCollections({ name: 'adults' }, { nameOnly: false }).toArray();
    expect(entry).toMatchObject({
      type: 'view',
      options: {
        viewOn: 'people',
        pipeline: [{ $match: { age: { $lt: 18 } } }, { $project: { _id: 0, name: 1 } }],
      },
    });
    await expect(db.command({ collMod: 'adults', validator: { a: 1 } })).rejects.toMatchObject({
      code: 72,
    });
    await expect(
      db.command({ collMod: 'people', viewOn: 'adults', pipeline: [] }),
    ).rejects.toMatchObject({ code: 72 });
  });

  it('refuses unknown options, a missing namespace, a missing index and bad values, changing nothing', async () => {
    await db.createCollection('strict', { validator: { a: { $exists: true } } });
    await expect(db.command({ collMod: 'strict', frobnicate: true })).rejects.toMatchObject({
      code: 40415,
      message: "BSON field 'collMod.frobnicate' is an unknown field.",
    });
    await expect(db.command({ collMod: 'nowhere', validator: {} })).rejects.toMatchObject({
      code: 26,
      codeName: 'NamespaceNotFound',
    });
    await expect(
      db.command({ collMod: 'strict', index: { name: 'nope_1', hidden: true } }),
    ).rejects.toMatchObject({ code: 27 });
    await expect(
      db.command({
        collMod: 'strict',
        validator: { a: { $exists: false } },
        validationLevel: 'maybe',
      }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      db.command({ collMod: 'strict', validator: { a: { $bogus: 1 } } }),
    ).rejects.toMatchObject({ code: 2 });
    await db.collection('sessions').createIndex({ plain: 1 });
    await db.collection('sessions').createIndex({ x: 1, y: 1 });
    await expect(
      db.command({ collMod: 'sessions', index: { name: 'x_1_y_1', expireAfterSeconds: 10 } }),
    ).rejects.toMatchObject({ code: 72 });
    await expect(
      db.command({
        collMod: 'sessions',
        index: { name: 'plain_1', keyPattern: { plain: 1 }, hidden: true },
      }),
    ).rejects.toMatchObject({ code: 72 });
    const [entry] = await db.listCollections({ name: 'strict' }, { nameOnly: false }).toArray();
    expect(entry.options).toEqual({ validator: { a: { $exists: true } } });
  });
});
