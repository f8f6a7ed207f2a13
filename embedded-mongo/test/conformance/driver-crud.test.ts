import { Long, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import type { Db } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

interface UpdateRow {
  name: string;
  n: number;
  tags?: string[];
  flagged?: boolean;
  active?: boolean;
  created?: string;
  profile?: { city: string };
}

interface ProjectedRow {
  _id: number;
  a: { b: number; secret?: number };
  list: Array<{ x: number; y?: number }>;
  seen?: boolean;
}

/** `tags` is deliberately a string: the test pushes onto it to provoke BadValue. */
interface TypedRow {
  name: string;
  count: number;
  tags: string[] | string;
}

describe('CRUD through the official driver', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('crud'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('handshakes as a writable standalone that supports sessions', async () => {
    const hello = await db.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('answers an unknown command with 59 CommandNotFound naming it', async () => {
    const error = await db.command({ noSuchThing: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect((error as Error).message).toContain("no such command: 'noSuchThing'");
  });

  it('inserts, finds with filters, sorts, skips, limits and projects', async () => {
    const films = db.collection('films');
    const result = await films.insertMany([
      { title: 'Alien', year: 1979, genres: ['horror', 'sf'], rating: 8.5 },
      { title: 'Heat', year: 1995, genres: ['crime'], rating: 8.3 },
      { title: 'Brazil', year: 1985, genres: ['sf', 'comedy'], rating: 7.9 },
      { title: 'Ran', year: 1985, genres: ['drama'], rating: 8.2 },
    ]);
    expect(result.insertedCount).toBe(4);
    const sf = await films.find({ genres: 'sf' }).sort({ year: 1 }).toArray();
    expect(sf.map((film) => film.title)).toEqual(['Alien', 'Brazil']);
    const in85 = await films
      .find({ year: { $in: [1985] } }, { projection: { _id: 0, title: 1 } })
      .sort({ title: -1 })
      .toArray();
    expect(in85).toEqual([{ title: 'Ran' }, { title: 'Brazil' }]);
    const page = await films
      .find({ rating: { $gt: 8 } })
      .sort({ rating: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(page.map((film) => film.title)).toEqual(['Heat', 'Ran']);
    const regex = await films.find({ title: { $regex: '^b', $options: 'i' } }).toArray();
    expect(regex.map((film) => film.title)).toEqual(['Brazil']);
    expect(await films.countDocuments({ year: { $gte: 1985 } })).toBe(3);
    expect(await films.estimatedDocumentCount()).toBe(4);
    expect((await films.distinct('genres')).sort()).toEqual([
      'comedy',
      'crime',
      'drama',
      'horror',
      'sf',
    ]);
    const byId = await films.findOne({ _id: result.insertedIds[2] });
    expect(byId?.title).toBe('Brazil');
  });

  it('streams a 1,000-document result through getMore batches', async () => {
    const many = db.collection('many');
    await many.insertMany(Array.from({ length: 1000 }, (_, i) => ({ i, even: i % 2 === 0 })));
    const cursor = many.find({}, { batchSize: 100 }).sort({ i: 1 });
    const seen: number[] = [];
    for await (const doc of cursor) seen.push(doc.i as number);
    expect(seen).toHaveLength(1000);
    expect(seen[0]).toBe(0);
    expect(seen[999]).toBe(999);
    const evens = await many.find({ even: true }).toArray();
    expect(evens).toHaveLength(500);
  });

  it('projects without changing the stored documents (nested exclusions included)', async () => {
    const coll = db.collection<ProjectedRow>('projected');
    const stored = { _id: 1, a: { b: 1, secret: 2 }, list: [{ x: 1, y: 2 }] };
    await coll.insertOne(stored);
    const excluded = await coll.findOne({ _id: 1 }, { projection: { 'a.secret': 0, 'list.y': 0 } });
    expect(excluded).toEqual({ _id: 1, a: { b: 1 }, list: [{ x: 1 }] });
    const returned = await coll.findOneAndUpdate(
      { _id: 1 },
      { $set: { seen: true } },
      { projection: { 'a.secret': 0 }, returnDocument: 'after' },
    );
    expect(returned).toEqual({ _id: 1, a: { b: 1 }, list: [{ x: 1, y: 2 }], seen: true });
    expect(await coll.findOne({ _id: 1 })).toEqual({ ...stored, seen: true });
  });

  it('answers batchSize 0 with an empty first batch and an open cursor', async () => {
    const coll = db.collection('lazy');
    await coll.insertMany(Array.from({ length: 5 }, (_, i) => ({ i })));
    const first = await db.command({ find: 'lazy', filter: {}, batchSize: 0 });
    expect(first.cursor.firstBatch).toEqual([]);
    expect(Long.fromValue(first.cursor.id as Long).isZero()).toBe(false);
    const rest = await db.command({ getMore: first.cursor.id, collection: 'lazy' });
    expect(rest.cursor.nextBatch).toHaveLength(5);
    const aggregated = await db.command({
      aggregate: 'lazy',
      pipeline: [],
      cursor: { batchSize: 0 },
    });
    expect(aggregated.cursor.firstBatch).toEqual([]);
    await db.command({ killCursors: 'lazy', cursors: [aggregated.cursor.id] });
  });

  it('kills an open cursor so getMore on it fails', async () => {
    const coll = db.collection('killed');
    await coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    const first = await db.command({ find: 'killed', filter: {}, batchSize: 2 });
    const id = first.cursor.id as Long;
    expect(first.cursor.firstBatch).toHaveLength(2);
    expect(Long.fromValue(id).isZero()).toBe(false);
    const killed = await db.command({ killCursors: 'killed', cursors: [id] });
    expect(killed.cursorsKilled).toHaveLength(1);
    const error = await db
      .command({ getMore: id, collection: 'killed' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 43 });
    // A getMore naming another collection is refused with 13 Unauthorized (on a fresh cursor:
    // whether the refused one survives is not asserted).
    const other = await db.command({ find: 'killed', filter: {}, batchSize: 2 });
    await expect(
      db.command({ getMore: other.cursor.id, collection: 'other' }),
    ).rejects.toMatchObject({ code: 13, codeName: 'Unauthorized' });
    await db.command({ killCursors: 'killed', cursors: [other.cursor.id] });
  });

  it('reports per-document write errors for ordered and unordered inserts', async () => {
    const coll = db.collection('writes');
    const id = new ObjectId();
    await coll.insertOne({ _id: id, n: 0 });
    const ordered = await coll
      .insertMany([{ n: 1 }, { _id: id, n: 2 }, { n: 3 }], { ordered: true })
      .catch((caught: unknown) => caught);
    expect(ordered).toMatchObject({ code: 11000 });
    expect((ordered as { writeErrors: Array<{ index: number }> }).writeErrors[0].index).toBe(1);
    expect(await coll.countDocuments({})).toBe(2);
    const unordered = await coll
      .insertMany([{ n: 4 }, { _id: id, n: 5 }, { n: 6 }], { ordered: false })
      .catch((caught: unknown) => caught);
    expect(
      (unordered as { writeErrors: Array<{ index: number }> }).writeErrors.map((e) => e.index),
    ).toEqual([1]);
    expect(await coll.countDocuments({})).toBe(4);
  });

  it('updates one and many, upserts from the filter, replaces and deletes', async () => {
    const coll = db.collection<UpdateRow>('updates');
    await coll.insertMany([
      { name: 'a', n: 1, tags: ['x'] },
      { name: 'b', n: 2, tags: [] },
      { name: 'c', n: 3, tags: ['x', 'y'] },
    ]);
    const one = await coll.updateOne({ name: 'a' }, { $inc: { n: 10 }, $push: { tags: 'z' } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ name: 'a' }, { projection: { _id: 0 } })).toEqual({
      name: 'a',
      n: 11,
      tags: ['x', 'z'],
    });
    const many = await coll.updateMany({ tags: 'x' }, { $set: { flagged: true } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const same = await coll.updateOne({ name: 'b' }, { $set: { n: 2 } });
    expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    const upsert = await coll.updateOne(
      { name: 'd', 'profile.city': 'Oslo', n: { $gt: 5 } },
      { $set: { active: true }, $setOnInsert: { created: 'now' } },
      { upsert: true },
    );
    expect(upsert.upsertedCount).toBe(1);
    const upserted = await coll.findOne(
      { _id: upsert.upsertedId ?? undefined },
      { projection: { _id: 0 } },
    );
    expect(upserted).toEqual({
      name: 'd',
      profile: { city: 'Oslo' },
      active: true,
      created: 'now',
    });
    const noInsert = await coll.updateOne(
      { name: 'd' },
      { $setOnInsert: { created: 'again' } },
      { upsert: true },
    );
    expect(noInsert).toMatchObject({ matchedCount: 1, upsertedCount: 0 });
    expect((await coll.findOne({ name: 'd' }))?.created).toBe('now');
    const replaced = await coll.replaceOne({ name: 'c' }, { name: 'c2', n: 30 });
    expect(replaced.modifiedCount).toBe(1);
    expect(await coll.findOne({ name: 'c2' }, { projection: { _id: 0 } })).toEqual({
      name: 'c2',
      n: 30,
    });
    expect((await coll.deleteOne({ name: 'b' })).deletedCount).toBe(1);
    expect((await coll.deleteMany({})).deletedCount).toBe(3);
  });

  it('supports findOneAndUpdate / findOneAndDelete with sort, projection and returnDocument', async () => {
    const coll = db.collection('fam');
    await coll.insertMany([
      { k: 'q', n: 1 },
      { k: 'q', n: 2 },
    ]);
    const before = await coll.findOneAndUpdate(
      { k: 'q' },
      { $inc: { n: 100 } },
      { sort: { n: -1 }, projection: { _id: 0, n: 1 }, returnDocument: 'before' },
    );
    expect(before).toEqual({ n: 2 });
    const after = await coll.findOneAndUpdate(
      { k: 'q', n: 1 },
      { $set: { seen: true } },
      { returnDocument: 'after' },
    );
    expect(after).toMatchObject({ k: 'q', n: 1, seen: true });
    const created = await coll.findOneAndUpdate(
      { k: 'new' },
      { $setOnInsert: { n: 7 } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(created.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(created.value).toMatchObject({ k: 'new', n: 7 });
    const removed = await coll.findOneAndDelete({ k: 'q' }, { sort: { n: -1 } });
    expect(removed).toMatchObject({ n: 102 });
    expect(await coll.countDocuments({ k: 'q' })).toBe(1);
  });

  it('updates array elements with positional $, arrayFilters and $[]', async () => {
    const coll = db.collection('arrays');
    const { insertedId } = await coll.insertOne({
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 5 },
        { sku: 'c', qty: 9 },
      ],
    });
    await coll.updateOne({ _id: insertedId, 'items.sku': 'b' }, { $set: { 'items.$.qty': 50 } });
    await coll.updateOne(
      { _id: insertedId },
      { $inc: { 'items.$[big].qty': 1000 } },
      { arrayFilters: [{ 'big.qty': { $gte: 9 } }] },
    );
    await coll.updateOne({ _id: insertedId }, { $inc: { 'items.$[].qty': 1 } });
    const doc = await coll.findOne({ _id: insertedId });
    expect(doc?.items).toEqual([
      { sku: 'a', qty: 2 },
      { sku: 'b', qty: 1051 },
      { sku: 'c', qty: 1010 },
    ]);
    // findAndModify carries arrayFilters too.
    const marked = await coll.findOneAndUpdate(
      { _id: insertedId },
      { $set: { 'items.$[first].first': true } },
      { arrayFilters: [{ 'first.sku': 'a' }], returnDocument: 'after' },
    );
    expect(marked?.items).toEqual([
      { sku: 'a', qty: 2, first: true },
      { sku: 'b', qty: 1051 },
      { sku: 'c', qty: 1010 },
    ]);
  });

  it('applies pipeline-style updates', async () => {
    const coll = db.collection('pipeline');
    const { insertedId } = await coll.insertOne({ first: 'Ada', last: 'Lovelace', n: 2 });
    await coll.updateOne({ _id: insertedId }, [
      { $set: { full: { $concat: ['$first', ' ', '$last'] }, double: { $multiply: ['$n', 2] } } },
      { $unset: 'n' },
    ]);
    expect(await coll.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({
      first: 'Ada',
      last: 'Lovelace',
      full: 'Ada Lovelace',
      double: 4,
    });
  });

  it('answers type errors like mongod and leaves the document unchanged', async () => {
    const coll = db.collection<TypedRow>('typed');
    const { insertedId } = await coll.insertOne({ name: 'x', count: 1, tags: 'not-an-array' });
    const inc = await coll
      .updateOne({ _id: insertedId }, { $inc: { name: 1, count: 1 } } as never)
      .catch((caught: unknown) => caught);
    expect(inc).toMatchObject({ code: 14 });
    const incArg = await coll
      .updateOne({ _id: insertedId }, { $inc: { count: 'one' } } as never)
      .catch((caught: unknown) => caught);
    expect(incArg).toMatchObject({ code: 14 });
    const push = await coll
      .updateOne({ _id: insertedId }, { $set: { count: 5 }, $push: { tags: 'y' } } as never)
      .catch((caught: unknown) => caught);
    expect(push).toMatchObject({ code: 2 });
    const idChange = await coll
      .updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } })
      .catch((caught: unknown) => caught);
    expect(idChange).toMatchObject({ code: 66 });
    const conflict = await coll
      .updateOne({ _id: insertedId }, { $set: { count: 1 }, $inc: { count: 1 } })
      .catch((caught: unknown) => caught);
    expect(conflict).toMatchObject({ code: 40 });
    const unknownOperator = await coll
      .updateOne({ _id: insertedId }, { $frobnicate: { count: 1 } } as never)
      .catch((caught: unknown) => caught);
    expect(unknownOperator).toMatchObject({ code: 9 });
    expect(await coll.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({
      name: 'x',
      count: 1,
      tags: 'not-an-array',
    });
  });

  it('keeps int64 values exact and increments them', async () => {
    const coll = db.collection('longs');
    const big = Long.fromString('9007199254740993'); // 2^53 + 1: not representable as a double
    const { insertedId } = await coll.insertOne({ big, small: Long.fromNumber(41) });
    await coll.updateOne({ _id: insertedId }, { $inc: { big: Long.fromNumber(2), small: 1 } });
    const doc = await coll.findOne({ _id: insertedId }, { promoteLongs: false });
    expect(Long.fromValue(doc?.big as Long).toString()).toBe('9007199254740995');
    expect(Long.fromValue(doc?.small as Long | number).toNumber()).toBe(42);
    expect(await coll.countDocuments({ small: 42 })).toBe(1);
  });

  it('lists every collection of a database, beyond one default batch of 101', async () => {
    const many = client.db(uniqueDbName('many_colls'));
    try {
      const names = Array.from({ length: 120 }, (_, i) => `c${String(i).padStart(3, '0')}`);
      for (const name of names) await many.createCollection(name);
      const listed = await many.listCollections({}, { nameOnly: true }).toArray();
      expect(listed.map((c) => c.name).sort()).toEqual(names);
    } finally {
      await many.dropDatabase();
    }
  });

  it('creates, lists and drops collections and databases', async () => {
    const other = client.db(uniqueDbName('admin_ops'));
    await other.createCollection('c1');
    const exists = await other.createCollection('c1').catch((caught: unknown) => caught);
    expect(exists).toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    await other.collection('c2').insertOne({ a: 1 });
    const names = (await other.listCollections({}, { nameOnly: true }).toArray()).map(
      (c) => c.name,
    );
    expect(names.sort()).toEqual(['c1', 'c2']);
    const filtered = await other.listCollections({ name: 'c2' }).toArray();
    expect(filtered.map((c) => c.name)).toEqual(['c2']);
    const dbs = await client.db('admin').admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(other.databaseName);
    const only = await client
      .db('admin')
      .admin()
      .listDatabases({ filter: { name: other.databaseName } });
    expect(only.databases.map((d) => d.name)).toEqual([other.databaseName]);
    expect(await other.collection('c1').drop()).toBe(true);
    await other.dropDatabase();
    const after = await client.db('admin').admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(other.databaseName);
  });
});
