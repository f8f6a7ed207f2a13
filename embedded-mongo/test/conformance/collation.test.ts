import { MongoClient } from 'mongodb';
import type { Collection, CollationOptions, Db, Document } from 'mongodb';
import { startEmbeddedMongo } from '../../src';
import { serverUri, uniqueDbName } from '../helpers';

interface Named {
  _id: number;
  name: string;
  tags?: string[];
}

/** Rows with numeric ids and any other fields. */
interface Row {
  _id: number;
  [field: string]: unknown;
}

const EN_1: CollationOptions = { locale: 'en', strength: 1 };
const EN_2: CollationOptions = { locale: 'en', strength: 2 };
const EN_3: CollationOptions = { locale: 'en', strength: 3 };

/** mongod 7.0's default-filled collation document for `{ locale: 'en', strength }`. */
function fullEn(strength: number): Document {
  return {
    locale: 'en',
    caseLevel: false,
    caseFirst: 'off',
    strength,
    numericOrdering: false,
    alternate: 'non-ignorable',
    maxVariable: 'punct',
    normalization: false,
    backwards: false,
    version: '57.1',
  };
}

const CAFES = ['cafe', 'Café', 'CAFE', 'café', 'Cafe'];

describe('collation through the official driver', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('collation'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  async function seeded(name: string, values: string[]): Promise<Collection<Row>> {
    const coll = db.collection<Row>(name);
    await coll.insertMany(values.map((value, i) => ({ _id: i + 1, name: value })));
    return coll;
  }

  const names = (docs: Document[]): unknown[] => docs.map((doc) => doc.name);

  it('matches equality at strength 1, 2 and 3 in find, and simple stays binary', async () => {
    const coll = await seeded('eq', CAFES);
    const find = (collation?: CollationOptions): Promise<Document[]> =>
      coll
        .find({ name: 'cafe' }, collation ? { collation } : {})
        .sort({ _id: 1 })
        .toArray();
    expect(names(await find(EN_1))).toEqual(CAFES);
    expect(names(await find(EN_2))).toEqual(['cafe', 'CAFE', 'Cafe']);
    expect(names(await find(EN_3))).toEqual(['cafe']);
    expect(names(await find({ locale: 'simple' }))).toEqual(['cafe']);
    expect(names(await find())).toEqual(['cafe']);
    // $eq, $ne, $in, $nin with the same rules.
    const byOp = async (filter: Document, collation: CollationOptions): Promise<unknown[]> =>
      names(await coll.find(filter, { collation }).sort({ _id: 1 }).toArray());
    expect(await byOp({ name: { $eq: 'CAFÉ' } }, EN_2)).toEqual(['Café', 'café']);
    expect(await byOp({ name: { $ne: 'cafe' } }, EN_2)).toEqual(['Café', 'café']);
    expect(await byOp({ name: { $in: ['x', 'CAFÉ'] } }, EN_2)).toEqual(['Café', 'café']);
    expect(await byOp({ name: { $nin: ['CAFÉ'] } }, EN_2)).toEqual(['cafe', 'CAFE', 'Cafe']);
    // Aggregation expressions compare strings by the collation too.
    expect(await byOp({ $expr: { $eq: ['$name', 'CAFE'] } }, EN_2)).toEqual([
      'cafe',
      'CAFE',
      'Cafe',
    ]);
    expect(await byOp({ $expr: { $in: ['$name', ['CAFÉ']] } }, EN_1)).toEqual(CAFES);
    expect(await byOp({ $expr: { $lt: ['$name', 'CAFE'] } }, EN_3)).toEqual(['cafe', 'Cafe']);
    expect(await byOp({ $or: [{ name: 'CAFE' }, { _id: 2 }] }, EN_2)).toEqual([
      'cafe',
      'Café',
      'CAFE',
      'Cafe',
    ]);
  });

  it('compares strings inside arrays and sub-documents, not field names', async () => {
    const coll = db.collection<Row>('arrays');
    await coll.insertMany([
      { _id: 1, tags: ['Red', 'Blue'], meta: { color: 'Green' } },
      { _id: 2, tags: ['yellow'], meta: { color: 'green', size: 1 } },
    ]);
    const ids = async (filter: Document, collation = EN_2): Promise<unknown[]> =>
      (await coll.find(filter, { collation }).sort({ _id: 1 }).toArray()).map((doc) => doc._id);
    expect(await ids({ tags: 'red' })).toEqual([1]);
    expect(await ids({ tags: { $in: ['BLUE', 'YELLOW'] } })).toEqual([1, 2]);
    expect(await ids({ tags: { $all: ['RED', 'blue'] } })).toEqual([1]);
    expect(await ids({ tags: { $elemMatch: { $eq: 'YELLOW' } } })).toEqual([2]);
    expect(await ids({ 'meta.color': 'GREEN' })).toEqual([1, 2]);
    expect(await ids({ meta: { color: 'GREEN' } })).toEqual([1]);
    expect(await ids({ meta: { COLOR: 'Green' } })).toEqual([]);
    expect(await ids({ tags: ['RED', 'BLUE'] })).toEqual([1]);
    expect(await ids({ tags: 'red' }, EN_3)).toEqual([]);
  });

  it('counts and answers distinct by the collation', async () => {
    const coll = await seeded('counts', CAFES);
    expect(await coll.countDocuments({ name: 'cafe' }, { collation: EN_1 })).toBe(5);
    expect(await coll.countDocuments({ name: 'cafe' }, { collation: EN_2 })).toBe(3);
    expect(await coll.countDocuments({ name: 'cafe' })).toBe(1);
    const count = await db.command({ count: 'counts', query: { name: 'CAFE' }, collation: EN_2 });
    expect(count).toMatchObject({ n: 3, ok: 1 });
    const strength1 = await coll.distinct('name', {}, { collation: EN_1 });
    expect(strength1).toHaveLength(1);
    expect(CAFES).toContain(strength1[0]);
    const strength2 = (await coll.distinct('name', {}, { collation: EN_2 })) as string[];
    expect(strength2).toHaveLength(2);
    expect(strength2.map((value) => value.toLowerCase()).sort()).toEqual(['cafe', 'café']);
    expect(((await coll.distinct('name')) as string[]).sort()).toEqual([...CAFES].sort());
  });

  it('sorts by the locale: en orders case and accents after the letter', async () => {
    const coll = await seeded('sorting', ['b', 'A', 'a', 'B', 'é', 'e']);
    const sorted = async (collation?: CollationOptions): Promise<unknown[]> =>
      names(
        await coll
          .find({}, collation ? { collation } : {})
          .sort({ name: 1, _id: 1 })
          .toArray(),
      );
    expect(await sorted()).toEqual(['A', 'B', 'a', 'b', 'e', 'é']);
    expect(await sorted({ locale: 'en' })).toEqual(['a', 'A', 'b', 'B', 'e', 'é']);
    expect(await sorted({ locale: 'en', caseFirst: 'upper' })).toEqual([
      'A',
      'a',
      'B',
      'b',
      'e',
      'é',
    ]);
    // At strength 1 'a' and 'A' tie, so _id decides.
    expect(await sorted(EN_1)).toEqual(['A', 'a', 'b', 'B', 'é', 'e']);
    const descending = await coll
      .find({}, { collation: { locale: 'en' } })
      .sort({ name: -1 })
      .toArray();
    expect(names(descending)).toEqual(['é', 'e', 'B', 'b', 'A', 'a']);
  });

  it('orders numbers inside strings with numericOrdering', async () => {
    const coll = await seeded('numeric', ['item10', 'item9', 'item2']);
    const plain = await coll
      .find({}, { collation: { locale: 'en' } })
      .sort({ name: 1 })
      .toArray();
    expect(names(plain)).toEqual(['item10', 'item2', 'item9']);
    const numeric = await coll
      .find({}, { collation: { locale: 'en', numericOrdering: true } })
      .sort({ name: 1 })
      .toArray();
    expect(names(numeric)).toEqual(['item2', 'item9', 'item10']);
    const above = await coll
      .find({ name: { $gt: 'item3' } }, { collation: { locale: 'en', numericOrdering: true } })
      .sort({ _id: 1 })
      .toArray();
    expect(names(above)).toEqual(['item10', 'item9']);
  });

  it('applies ranges ($gt, $gte, $lt, $lte) by the collation', async () => {
    const coll = await seeded('ranges', ['a', 'A', 'b', 'B']);
    const find = async (filter: Document, collation?: CollationOptions): Promise<unknown[]> =>
      names(
        await coll
          .find(filter, collation ? { collation } : {})
          .sort({ _id: 1 })
          .toArray(),
      );
    expect(await find({ name: { $gt: 'a' } })).toEqual(['b']);
    expect(await find({ name: { $gt: 'a' } }, EN_1)).toEqual(['b', 'B']);
    expect(await find({ name: { $gt: 'a' } }, EN_3)).toEqual(['A', 'b', 'B']);
    expect(await find({ name: { $gte: 'B' } }, EN_1)).toEqual(['b', 'B']);
    expect(await find({ name: { $lt: 'b' } }, EN_2)).toEqual(['a', 'A']);
    expect(await find({ name: { $lte: 'A' } }, EN_2)).toEqual(['a', 'A']);
    expect(await find({ name: { $lt: 'b' } })).toEqual(['a', 'A', 'B']);
  });

  it('updates, deletes and findAndModifies with the statement collation', async () => {
    const coll = await seeded('writes', CAFES);
    const updated = await coll.updateMany(
      { name: 'CAFE' },
      { $set: { hit: true } },
      { collation: EN_2 },
    );
    expect(updated).toMatchObject({ matchedCount: 3, modifiedCount: 3 });
    expect(await coll.countDocuments({ hit: true })).toBe(3);
    const one = await coll.updateOne({ name: 'café' }, { $set: { one: 1 } }, { collation: EN_1 });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const found = await coll.findOneAndUpdate(
      { name: 'CAFÉ' },
      { $set: { fam: true } },
      { collation: EN_2, sort: { _id: -1 }, returnDocument: 'after' },
    );
    expect(found).toMatchObject({ _id: 4, name: 'café', fam: true });
    const removed = await coll.findOneAndDelete({ name: 'CAFÉ' }, { collation: EN_2 });
    expect(removed).toMatchObject({ _id: 2, name: 'Café' });
    const deleted = await coll.deleteMany({ name: 'cafe' }, { collation: EN_2 });
    expect(deleted.deletedCount).toBe(3);
    expect(names(await coll.find().toArray())).toEqual(['café']);
    const none = await coll.deleteOne({ name: 'CAFÉ' }, { collation: { locale: 'simple' } });
    expect(none.deletedCount).toBe(0);
  });

  it('runs aggregate $match and $sort with the collation', async () => {
    const coll = await seeded('pipeline', ['b', 'A', 'a', 'B', 'é', 'e']);
    const docs = await coll
      .aggregate([{ $match: { name: { $in: ['A', 'E'] } } }, { $sort: { name: 1, _id: 1 } }], {
        collation: EN_1,
      })
      .toArray();
    expect(names(docs)).toEqual(['A', 'a', 'é', 'e']);
    const later = await coll
      .aggregate([{ $project: { name: 1 } }, { $match: { name: 'B' } }, { $sort: { _id: 1 } }], {
        collation: EN_2,
      })
      .toArray();
    expect(names(later)).toEqual(['b', 'B']);
    const compared = await coll
      .aggregate(
        [
          { $sort: { _id: 1 } },
          {
            $project: {
              _id: 0,
              name: 1,
              isA: { $eq: ['$name', 'a'] },
              cmp: { $cmp: ['$name', 'b'] },
            },
          },
        ],
        { collation: EN_1 },
      )
      .toArray();
    const total = await coll
      .aggregate([{ $match: { name: 'A' } }, { $group: { _id: null, n: { $sum: 1 } } }], {
        collation: EN_2,
      })
      .toArray();
    expect(total).toEqual([{ _id: null, n: 2 }]);
    expect(compared).toEqual([
      { name: 'b', isA: false, cmp: 0 },
      { name: 'A', isA: true, cmp: -1 },
      { name: 'a', isA: true, cmp: -1 },
      { name: 'B', isA: false, cmp: 0 },
      { name: 'é', isA: false, cmp: 1 },
      { name: 'e', isA: false, cmp: 1 },
    ]);
  });

  it('enforces unique indexes created with a collation (E11000 for case and accent variants)', async () => {
    const coll = db.collection<Row>('uniq');
    await coll.createIndex({ name: 1 }, { unique: true, collation: EN_1, name: 'name_ci' });
    await coll.insertOne({ _id: 1, name: 'cafe' });
    const dup = await coll.insertOne({ _id: 2, name: 'Café' }).catch((caught: unknown) => caught);
    expect(dup).toMatchObject({ code: 11000, keyPattern: { name: 1 } });
    expect(String((dup as Error).message)).toContain('E11000 duplicate key error collection: ');
    expect(String((dup as Error).message)).toContain(' index: name_ci dup key: ');
    await coll.insertOne({ _id: 3, name: 'caff' });
    const update = await coll
      .updateOne({ _id: 3 }, { $set: { name: 'CAFE' } })
      .catch((caught: unknown) => caught);
    expect(update).toMatchObject({ code: 11000 });
    expect(await coll.countDocuments()).toBe(2);
    // Building one over existing duplicates fails and leaves no index behind.
    const other = db.collection('uniq_build');
    await other.insertMany([{ name: 'Straße' }, { name: 'STRASSE' }]);
    const build = await other
      .createIndex({ name: 1 }, { unique: true, collation: EN_1 })
      .catch((caught: unknown) => caught);
    expect(build).toMatchObject({ code: 11000 });
    expect((await other.indexes()).map((index) => index.name)).toEqual(['_id_']);
    // The same key pattern with another collation is another index.
    await coll.createIndex({ name: 1 }, { name: 'name_bin' });
    expect((await coll.indexes()).map((index) => index.name)).toEqual([
      '_id_',
      'name_ci',
      'name_bin',
    ]);
  });

  it('lists index collations default-filled, and simple as none', async () => {
    const coll = db.collection('listed');
    await coll.createIndex({ name: 1 }, { collation: EN_1 });
    await coll.createIndex({ other: 1 }, { collation: { locale: 'simple' } });
    const indexes = await coll.indexes();
    const byName = new Map(indexes.map((index) => [index.name, index]));
    expect(byName.get('name_1')?.collation).toEqual(fullEn(1));
    expect(byName.get('other_1')).not.toHaveProperty('collation');
  });

  it('uses a collection default collation unless a command gives one', async () => {
    await db.createCollection('defaulted', { collation: EN_2 });
    const coll = db.collection<Named>('defaulted');
    await coll.insertMany(CAFES.map((name, i) => ({ _id: i + 1, name })));
    expect(names(await coll.find({ name: 'cafe' }).sort({ _id: 1 }).toArray())).toEqual([
      'cafe',
      'CAFE',
      'Cafe',
    ]);
    expect(await coll.countDocuments({ name: 'CAFE' })).toBe(3);
    const simple = await coll.find({ name: 'cafe' }, { collation: { locale: 'simple' } }).toArray();
    expect(names(simple)).toEqual(['cafe']);
    const updated = await coll.updateMany({ name: 'CAFE' }, { $set: { seen: 1 } });
    expect(updated.modifiedCount).toBe(3);
    const [info] = await db.listCollections({ name: 'defaulted' }).toArray();
    expect((info as Document).options).toMatchObject({ collation: fullEn(2) });
    // Indexes created without a collation inherit the default.
    await coll.createIndex({ name: 1 });
    const index = (await coll.indexes()).find((entry) => entry.name === 'name_1');
    expect(index?.collation).toEqual(fullEn(2));
  });

  it('refuses bad collations with mongod codes', async () => {
    const coll = await seeded('bad', ['a']);
    const attempt = (collation: unknown): Promise<unknown> =>
      db.command({ find: 'bad', filter: {}, collation }).catch((caught: unknown) => caught);
    expect(await attempt({ locale: 'xx_bogus' })).toMatchObject({
      code: 2,
      codeName: 'BadValue',
      message: expect.stringMatching(/^Field 'locale' is invalid in: /),
    });
    expect(await attempt({ strength: 2 })).toMatchObject({
      code: 40414,
      message: "BSON field 'collation.locale' is missing but a required field",
    });
    expect(await attempt({ locale: 'en', strength: 0 })).toMatchObject({
      code: 2,
      codeName: 'BadValue',
    });
    expect(await attempt({ locale: 'en', strength: 6 })).toMatchObject({ code: 51024 });
    expect(await attempt({ locale: 'en', bogus: true })).toMatchObject({
      code: 40415,
      message: "BSON field 'collation.bogus' is an unknown field.",
    });
    expect(await attempt({ locale: 'en', caseFirst: 'sideways' })).toMatchObject({
      code: 2,
      codeName: 'BadValue',
    });
    expect(await attempt({ locale: 5 })).toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    expect(await attempt('en')).toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    // On a missing collection too, and nothing was created or changed.
    const missing = await db
      .command({ find: 'nowhere', filter: {}, collation: { locale: 'xx_bogus' } })
      .catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ code: 2 });
    const index = await coll
      .createIndex({ name: 1 }, { collation: { locale: 'en', strength: 9 } })
      .catch((caught: unknown) => caught);
    // mongod reports the collation error itself (51024) or wrapped as CannotCreateIndex.
    expect([51024, 67]).toContain((index as { code?: number }).code);
    expect((await coll.indexes()).map((entry) => entry.name)).toEqual(['_id_']);
    const created = await db
      .createCollection('bad_default', { collation: { locale: 'xx_bogus' } })
      .catch((caught: unknown) => caught);
    expect(created).toMatchObject({ code: 2 });
    const listed = await db.listCollections({ name: 'bad_default' }).toArray();
    expect(listed).toEqual([]);
  });
});

describe('collation: embedded server only', () => {
  it('refuses collation options it cannot honour with 238 NotImplemented naming them', async () => {
    const mongo = await startEmbeddedMongo({ port: 0 });
    const client = await MongoClient.connect(mongo.uri);
    try {
      const db = client.db('collation_refused');
      await db.collection('c').insertOne({ name: 'a' });
      const attempt = (collation: unknown): Promise<unknown> =>
        db.command({ find: 'c', filter: {}, collation }).catch((caught: unknown) => caught);
      expect(await attempt({ locale: 'en', backwards: true })).toMatchObject({
        code: 238,
        message: expect.stringContaining('backwards'),
      });
      expect(await attempt({ locale: 'en', strength: 4 })).toMatchObject({
        code: 238,
        message: expect.stringContaining('strength: 4'),
      });
      expect(
        await attempt({ locale: 'en', alternate: 'shifted', maxVariable: 'space' }),
      ).toMatchObject({ code: 238, message: expect.stringContaining('maxVariable') });
      const grouped = await db
        .collection('c')
        .aggregate([{ $group: { _id: '$name' } }], { collation: { locale: 'en', strength: 2 } })
        .toArray()
        .catch((caught: unknown) => caught);
      expect(grouped).toMatchObject({ code: 238, message: expect.stringContaining('$group') });
      // alternate: 'shifted' (punctuation and spaces ignored) is supported.
      await db.collection('c').insertOne({ name: 'a-b' });
      await db.collection('c').insertOne({ name: 'a b' });
      const shifted = await db
        .collection('c')
        .countDocuments({ name: 'ab' }, { collation: { locale: 'en', alternate: 'shifted' } });
      expect(shifted).toBe(2);
    } finally {
      await client.close();
      await mongo.stop();
    }
  });
});
