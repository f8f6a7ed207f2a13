import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

interface MovieRow {
  _id: number;
  title: string;
  year: number;
  genres: string[];
}

interface UntouchedRow {
  _id: number;
  a: { b: number; c: number };
  tags: string[] | string;
}

describe('aggregation through the official driver', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('aggregate'));
    await db.collection<MovieRow>('movies').insertMany([
      { _id: 1, title: 'Alien', year: 1979, genres: ['horror', 'sf'] },
      { _id: 2, title: 'Brazil', year: 1985, genres: ['sf'] },
      { _id: 3, title: 'Ran', year: 1985, genres: ['drama'] },
    ]);
    await db.collection('ratings').insertMany([
      { movieId: 1, stars: 5 },
      { movieId: 1, stars: 3 },
      { movieId: 2, stars: 4 },
    ]);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('joins with $lookup and reshapes with $addFields and $project', async () => {
    const rows = await db
      .collection('movies')
      .aggregate([
        { $match: { year: { $lt: 1990 } } },
        { $lookup: { from: 'ratings', localField: '_id', foreignField: 'movieId', as: 'ratings' } },
        { $addFields: { votes: { $size: '$ratings' } } },
        { $project: { _id: 0, title: 1, votes: 1 } },
        { $sort: { votes: -1, title: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { title: 'Alien', votes: 2 },
      { title: 'Brazil', votes: 1 },
      { title: 'Ran', votes: 0 },
    ]);
  });

  it('groups, unwinds, counts, facets, skips and limits', async () => {
    const byGenre = await db
      .collection('movies')
      .aggregate([
        { $unwind: '$genres' },
        { $group: { _id: '$genres', n: { $sum: 1 } } },
        { $sort: { n: -1, _id: 1 } },
        { $skip: 1 },
        { $limit: 2 },
      ])
      .toArray();
    expect(byGenre).toEqual([
      { _id: 'drama', n: 1 },
      { _id: 'horror', n: 1 },
    ]);
    const [facets] = await db
      .collection('movies')
      .aggregate([
        {
          $facet: {
            total: [{ $count: 'n' }],
            byYear: [
              { $group: { _id: '$year', titles: { $push: '$title' } } },
              { $sort: { _id: 1 } },
            ],
          },
        },
      ])
      .toArray();
    expect(facets).toEqual({
      total: [{ n: 3 }],
      byYear: [
        { _id: 1979, titles: ['Alien'] },
        { _id: 1985, titles: ['Brazil', 'Ran'] },
      ],
    });
  });

  it('never changes stored documents through pipeline stages', async () => {
    await db
      .collection('movies')
      .aggregate([{ $set: { title: 'changed' } }, { $unset: 'year' }])
      .toArray();
    expect(await db.collection<MovieRow>('movies').findOne({ _id: 1 })).toMatchObject({
      title: 'Alien',
      year: 1979,
    });
    const nested = db.collection<{ _id: string; info: Record<string, number> }>('nested');
    await nested.insertOne({ _id: 'n', info: { a: 1 } });
    const shaped = await nested
      .aggregate([
        { $match: { _id: 'n' } },
        { $set: { 'info.b': 2 } },
        { $addFields: { 'info.c': 3 } },
      ])
      .toArray();
    expect(shaped).toEqual([{ _id: 'n', info: { a: 1, b: 2, c: 3 } }]);
    expect(await nested.findOne({})).toEqual({ _id: 'n', info: { a: 1 } });
  });

  it('never changes stored documents through exclusions, $unset or $unwind options', async () => {
    const coll = db.collection<UntouchedRow>('untouched');
    const stored: UntouchedRow[] = [
      { _id: 1, a: { b: 1, c: 2 }, tags: [] },
      { _id: 2, a: { b: 3, c: 4 }, tags: 'solo' },
    ];
    await coll.insertMany(stored);
    const projected = await coll.aggregate([{ $project: { 'a.c': 0 } }]).toArray();
    expect(projected).toEqual([
      { _id: 1, a: { b: 1 }, tags: [] },
      { _id: 2, a: { b: 3 }, tags: 'solo' },
    ]);
    await coll.aggregate([{ $unset: ['a.c'] }]).toArray();
    const unwound = await coll
      .aggregate([
        { $unwind: { path: '$tags', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } },
      ])
      .toArray();
    expect(unwound).toEqual([
      { _id: 1, a: { b: 1, c: 2 }, i: null },
      { _id: 2, a: { b: 3, c: 4 }, tags: 'solo', i: null },
    ]);
    await coll
      .aggregate([{ $group: { _id: null, a: { $first: '$a' } } }, { $unset: 'a.c' }])
      .toArray();
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual(stored);
  });

  it('counts, sorts and pages in aggregations the way countDocuments and lists use them', async () => {
    const movies = db.collection<MovieRow>('movies');
    expect(await movies.countDocuments({ year: 1985 })).toBe(2);
    expect(await movies.countDocuments({ year: 2001 })).toBe(0);
    expect(await movies.countDocuments({}, { skip: 1, limit: 5 })).toBe(2);
    const page = await movies
      .aggregate([
        { $sort: { year: -1, title: 1 } },
        { $skip: 1 },
        { $limit: 1 },
        { $project: { _id: 0, title: 1 } },
      ])
      .toArray();
    expect(page).toEqual([{ title: 'Ran' }]);
  });
});
