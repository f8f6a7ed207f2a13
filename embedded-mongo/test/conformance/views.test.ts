import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import mongoose from 'mongoose';
import { serverUri, uniqueDbName } from '../helpers';

describe('read-only views (create with viewOn and pipeline)', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('views'));
    await db.collection('movies').insertMany([
      { _id: 1, title: 'Alien', year: 1979, genre: 'horror', tags: ['space', 'classic'] },
      { _id: 2, title: 'Heat', year: 1995, genre: 'crime', tags: ['classic'] },
      { _id: 3, title: 'Arrival', year: 2016, genre: 'scifi', tags: ['space'] },
      { _id: 4, title: 'Jaws', year: 1975, genre: 'horror', tags: [] },
    ] as never[]);
    await db.createCollection('recent', {
      viewOn: 'movies',
      pipeline: [
        { $match: { year: { $gte: 1979 } } },
        { $project: { title: 1, year: 1, tags: 1 } },
      ],
    });
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('is listed by listCollections as a view with its definition', async () => {
    const [entry] = await db.listCollections({ name: 'recent' }, { nameOnly: false }).toArray();
    expect(entry).toMatchObject({
      name: 'recent',
      type: 'view',
      options: {
        viewOn: 'movies',
        pipeline: [
          { $match: { year: { $gte: 1979 } } },
          { $project: { title: 1, year: 1, tags: 1 } },
        ],
      },
      info: { readOnly: true },
    });
    const views = await db.listCollections({ type: 'view' }, { nameOnly: true }).toArray();
    expect(views.map((v) => v.name)).toEqual(['recent']);
  });

  it('answers find with the filter, sort, projection, skip and limit applied after its pipeline', async () => {
    const recent = db.collection('recent');
    expect(await recent.find().sort({ year: 1 }).toArray()).toEqual([
      { _id: 1, title: 'Alien', year: 1979, tags: ['space', 'classic'] },
      { _id: 2, title: 'Heat', year: 1995, tags: ['classic'] },
      { _id: 3, title: 'Arrival', year: 2016, tags: ['space'] },
    ]);
    const page = await recent
      .find({ tags: 'space' }, { projection: { _id: 0, title: 1 } })
      .sort({ year: -1 })
      .skip(1)
      .limit(1)
      .toArray();
    expect(page).toEqual([{ title: 'Alien' }]);
    const natural = await recent
      .find({}, { sort: { $natural: 1 }, projection: { _id: 1 } })
      .toArray();
    expect(natural.map((doc) => doc._id)).toEqual([1, 2, 3]);
    // The view's $project dropped `genre`: filtering on it finds nothing.
    expect(await recent.findOne({ genre: 'horror' })).toBeNull();
  });

  it('answers aggregate, countDocuments, estimatedDocumentCount and distinct over its pipeline', async () => {
    const recent = db.collection('recent');
    const grouped = await recent
      .aggregate([
        { $unwind: '$tags' },
        { $group: { _id: '$tags', n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(grouped).toEqual([
      { _id: 'classic', n: 2 },
      { _id: 'space', n: 2 },
    ]);
    expect(await recent.countDocuments()).toBe(3);
    expect(await recent.countDocuments({ year: { $lt: 2000 } })).toBe(2);
    expect(await recent.estimatedDocumentCount()).toBe(3);
    expect((await recent.distinct('tags')).sort()).toEqual(['classic', 'space']);
    expect(await recent.distinct('title', { year: { $gt: 2000 } })).toEqual(['Arrival']);
  });

  it('supports views on views and sees later changes to the source', async () => {
    await db.createCollection('recent_titles', {
      viewOn: 'recent',
      pipeline: [{ $project: { _id: 0, title: 1 } }],
    });
    const titles = db.collection('recent_titles');
    expect(await titles.find().sort({ title: 1 }).toArray()).toEqual([
      { title: 'Alien' },
      { title: 'Arrival' },
      { title: 'Heat' },
    ]);
    await db.collection('movies').insertOne({ _id: 5, title: 'Dune', year: 2021 } as never);
    expect(await titles.countDocuments()).toBe(4);
    await db.collection('movies').deleteOne({ _id: 5 } as never);
  });

  it('refuses writes and index builds with 166 CommandNotSupportedOnView', async () => {
    const recent = db.collection('recent');
    const message = `Namespace ${db.databaseName}.recent is a view, not a collection`;
    await expect(recent.insertOne({ title: 'x' })).rejects.toMatchObject({ code: 166, message });
    await expect(recent.insertMany([{ a: 1 }, { a: 2 }], { ordered: false })).rejects.toMatchObject(
      {
        code: 166,
      },
    );
    await expect(recent.updateOne({}, { $set: { a: 1 } })).rejects.toMatchObject({ code: 166 });
    await expect(
      recent.updateOne({ _id: 9 } as never, { $set: { a: 1 } }, { upsert: true }),
    ).rejects.toMatchObject({
      code: 166,
    });
    await expect(recent.replaceOne({}, { a: 1 })).rejects.toMatchObject({ code: 166 });
    await expect(recent.deleteMany({})).rejects.toMatchObject({ code: 166 });
    await expect(recent.findOneAndUpdate({}, { $set: { a: 1 } })).rejects.toMatchObject({
      code: 166,
    });
    await expect(recent.findOneAndDelete({})).rejects.toMatchObject({ code: 166 });
    await expect(recent.createIndex({ title: 1 })).rejects.toMatchObject({ code: 166 });
    await expect(recent.listIndexes().toArray()).rejects.toMatchObject({ code: 166 });
    expect(await db.collection('movies').countDocuments()).toBe(4);
  });

  it('returns nothing when its source collection does not exist', async () => {
    await db.createCollection('ghost', { viewOn: 'nowhere', pipeline: [{ $match: {} }] });
    expect(await db.collection('ghost').find().toArray()).toEqual([]);
    expect(await db.collection('ghost').countDocuments()).toBe(0);
  });

  it('is dropped like a collection, leaving its source alone', async () => {
    await db.createCollection('temp', { viewOn: 'movies', pipeline: [] });
    expect(await db.collection('temp').drop()).toBe(true);
    expect(await db.listCollections({ name: 'temp' }, { nameOnly: false }).toArray()).toEqual([]);
    expect(await db.collection('movies').countDocuments()).toBe(4);
  });

  it('refuses bad definitions: cycles, $out, wrong types, an existing name, pipeline alone', async () => {
    await db.createCollection('loop_a', { viewOn: 'movies', pipeline: [] });
    await db.createCollection('loop_b', { viewOn: 'loop_a', pipeline: [] });
    await expect(
      db.command({ collMod: 'loop_a', viewOn: 'loop_b', pipeline: [] }),
    ).rejects.toMatchObject({
      code: 11,
    });
    await expect(
      db.command({ create: 'writer', viewOn: 'movies', pipeline: [{ $out: 'copy' }] }),
    ).rejects.toMatchObject({ code: 167 });
    await expect(db.command({ create: 'typed', viewOn: 5, pipeline: [] })).rejects.toMatchObject({
      code: 14,
    });
    await expect(
      db.command({ create: 'recent', viewOn: 'movies', pipeline: [] }),
    ).rejects.toMatchObject({
      code: 48,
    });
    await expect(db.command({ create: 'lonely', pipeline: [] })).rejects.toBeDefined();
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).not.toEqual(expect.arrayContaining(['writer']));
    expect(names).not.toContain('typed');
    expect(names).not.toContain('lonely');
  });

  it('can be read through a mongoose model', async () => {
    const connection = await mongoose
      .createConnection(serverUri(), { dbName: db.databaseName })
      .asPromise();
    try {
      const schema = new mongoose.Schema(
        { title: String, year: Number },
        { collection: 'recent', autoCreate: false, autoIndex: false },
      );
      const Recent = connection.model('Recent', schema);
      const docs = await Recent.find({ year: { $gt: 1990 } })
        .sort({ year: 1 })
        .lean();
      expect(docs.map((doc) => doc.title)).toEqual(['Heat', 'Arrival']);
      expect(await Recent.countDocuments()).toBe(3);
    } finally {
      await connection.close();
    }
  });
});
