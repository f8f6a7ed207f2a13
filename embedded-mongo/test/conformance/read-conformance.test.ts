import { MongoClient, MongoServerError } from 'mongodb';
import type { Db, Document } from 'mongodb';
import type { EmbeddedMongo } from '../../src/index';
import { silentLogger, startEmbeddedMongo } from '../../src/index';
import { serverUri, uniqueDbName } from '../helpers';

interface Post {
  _id: number;
  title: string;
  comments: number[];
  secret: string;
  score: number;
}

/**
 * Reads that must behave like a mongod 7.0 standalone (issue 12, causes 8-10): refusals carry
 * mongod's code, codeName and message shape; accepted reads return what mongod returns.
 */
describe('read conformance through the official driver', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('reads'));
    await db.collection<Post>('posts').insertMany([
      { _id: 1, title: 'a', comments: [1, 2, 3], secret: 's1', score: 10 },
      { _id: 2, title: 'b', comments: [4], secret: 's2', score: 20 },
    ]);
    await db.collection('posts').createIndex({ score: 1 }, { name: 'by_score' });
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  /** The server error a promise rejects with (fails the test if it resolves). */
  async function serverError(promise: Promise<unknown>): Promise<MongoServerError> {
    const error: unknown = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MongoServerError);
    return error as MongoServerError;
  }

  describe('unknown query operators and pipeline stages', () => {
    it.each(['posts', 'missing'])(
      'refuses { a: { $foo: 1 } } on the %s collection',
      async (name) => {
        const error = await serverError(
          db
            .collection(name)
            .find({ a: { $foo: 1 } })
            .toArray(),
        );
        expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
        expect(error.message).toBe('unknown operator: $foo');
      },
    );

    it.each(['posts', 'missing'])('refuses a top-level $foo on the %s collection', async (name) => {
      const error = await serverError(db.collection(name).find({ $foo: 1 }).toArray());
      expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
      expect(error.message).toMatch(/^unknown top level operator: \$foo/);
    });

    it('refuses a bad operator in a leading $match on a missing collection', async () => {
      const error = await serverError(
        db
          .collection('missing')
          .aggregate([{ $match: { a: { $foo: 1 } } }])
          .toArray(),
      );
      expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
      expect(error.message).toBe('unknown operator: $foo');
    });

    it('refuses a bad operator in countDocuments on a missing collection', async () => {
      const error = await serverError(db.collection('missing').countDocuments({ a: { $foo: 1 } }));
      expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
    });

    it.each(['posts', 'missing'])('refuses an unknown stage on the %s collection', async (name) => {
      for (const pipeline of [[{ $foo: 1 }], [{ $match: {} }, { $foo: {} }]]) {
        const error = await serverError(db.collection(name).aggregate(pipeline).toArray());
        expect(error).toMatchObject({ code: 40324, codeName: 'Location40324' });
        expect(error.message).toBe("Unrecognized pipeline stage name: '$foo'");
      }
    });
  });

  describe('hint', () => {
    const noIndex = /hint provided does not correspond to an existing index/;

    it.each<[string, string | Document]>([
      ['an unknown name', 'nope_1'],
      ['an unknown key pattern', { title: 1 }],
      ['a key pattern in another direction', { score: -1 }],
    ])('refuses %s in find and aggregate', async (_label, hint) => {
      const posts = db.collection('posts');
      for (const promise of [
        posts.find({}, { hint }).toArray(),
        posts.aggregate([{ $match: {} }], { hint }).toArray(),
      ]) {
        const error = await serverError(promise);
        expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
        expect(error.message).toMatch(noIndex);
      }
    });

    it.each<[string, string | Document]>([
      ['an index name', 'by_score'],
      ['a key pattern', { score: 1 }],
      ['the _id index by name', '_id_'],
      ['the _id index by key', { _id: 1 }],
      ['$natural', { $natural: 1 }],
      ['reverse $natural', { $natural: -1 }],
    ])('reads with %s as hint', async (_label, hint) => {
      const posts = db.collection('posts');
      const found = await posts
        .find({ score: { $gte: 0 } }, { hint, projection: { _id: 1 }, sort: { _id: 1 } })
        .toArray();
      expect(found).toEqual([{ _id: 1 }, { _id: 2 }]);
      const aggregated = await posts
        .aggregate([{ $match: { score: 20 } }, { $project: { _id: 1 } }], { hint })
        .toArray();
      expect(aggregated).toEqual([{ _id: 2 }]);
    });
  });

  describe('$slice with an exclusion projection', () => {
    it('slices the array, removes the excluded field and keeps the others', async () => {
      const found = await db
        .collection('posts')
        .find({}, { projection: { comments: { $slice: 2 }, secret: 0 }, sort: { _id: 1 } })
        .toArray();
      expect(found).toEqual([
        { _id: 1, title: 'a', comments: [1, 2], score: 10 },
        { _id: 2, title: 'b', comments: [4], score: 20 },
      ]);
    });

    it('accepts [skip, limit] and _id: 0 alongside the exclusion', async () => {
      const found = await db
        .collection<Post>('posts')
        .find(
          { _id: 1 },
          { projection: { _id: 0, secret: 0, score: 0, comments: { $slice: [1, 1] } } },
        )
        .toArray();
      expect(found).toEqual([{ title: 'a', comments: [2] }]);
    });

    it('keeps every other field with a $slice alone, and honours inclusions', async () => {
      const posts = db.collection<Post>('posts');
      expect(await posts.findOne({ _id: 1 }, { projection: { comments: { $slice: -1 } } })).toEqual(
        { _id: 1, title: 'a', comments: [3], secret: 's1', score: 10 },
      );
      expect(
        await posts.findOne({ _id: 1 }, { projection: { title: 1, comments: { $slice: 1 } } }),
      ).toEqual({ _id: 1, title: 'a', comments: [1] });
    });

    it('leaves the stored document whole', async () => {
      expect(await db.collection<Post>('posts').findOne({ _id: 1 })).toEqual({
        _id: 1,
        title: 'a',
        comments: [1, 2, 3],
        secret: 's1',
        score: 10,
      });
    });
  });

  describe('__proto__ as a field name', () => {
    // A literal `{ __proto__: … }` sets a prototype in JavaScript; JSON.parse makes the own
    // field a client really sends.
    const doc = (json: string): Document => JSON.parse(json) as Document;
    // The suite's server runs in jest's parent process (or is a mongod), so pollution of the
    // server's own Object.prototype is checked on an embedded server started in this process.
    let local: EmbeddedMongo;
    let localClient: MongoClient;

    beforeAll(async () => {
      local = await startEmbeddedMongo({ logger: silentLogger });
      localClient = await MongoClient.connect(local.uri);
    });

    afterAll(async () => {
      await localClient.close();
      await local.stop();
    });

    function expectPrototypeUntouched(): void {
      expect(Object.keys(Object.prototype)).toEqual([]);
      const probe: Record<string, unknown> = {};
      expect(probe.polluted).toBeUndefined();
      expect(probe.x).toBeUndefined();
      expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
    }

    it.each(['suite', 'in-process'])(
      'matches documents whose __proto__ field equals the value (%s server)',
      async (target) => {
        const protos = (
          target === 'suite' ? db : localClient.db(uniqueDbName('protos'))
        ).collection('protos');
        await protos.insertMany([
          doc('{ "_id": 1, "__proto__": { "polluted": true } }'),
          doc('{ "_id": 2, "__proto__": 5 }'),
          doc('{ "_id": 3, "a": { "__proto__": { "x": 1 } } }'),
          doc('{ "_id": 4, "other": 1 }'),
        ]);
        const ids = async (filter: Document): Promise<unknown[]> =>
          (await protos.find(filter, { sort: { _id: 1 } }).toArray()).map((row) => row._id);

        expect(await ids(doc('{ "__proto__": 5 }'))).toEqual([2]);
        expect(await ids(doc('{ "__proto__": { "polluted": true } }'))).toEqual([1]);
        expect(await ids(doc('{ "__proto__.polluted": true }'))).toEqual([1]);
        expect(await ids(doc('{ "__proto__": { "$exists": true } }'))).toEqual([1, 2]);
        expect(await ids(doc('{ "__proto__": { "$exists": false } }'))).toEqual([3, 4]);
        expect(await ids(doc('{ "a.__proto__.x": 1 }'))).toEqual([3]);
        expect(await ids(doc('{ "$or": [{ "__proto__": 5 }, { "other": 1 }] }'))).toEqual([2, 4]);
        expect(await protos.countDocuments(doc('{ "__proto__": 5 }'))).toBe(1);
        const matched = await protos
          .aggregate([{ $match: doc('{ "__proto__.polluted": true }') }, { $project: { _id: 1 } }])
          .toArray();
        expect(matched).toEqual([{ _id: 1 }]);
        // The field comes back as data, not as the returned document's prototype.
        const [first] = await protos
          .find(doc('{ "_id": 1 }'), { projection: { other: 0 } })
          .toArray();
        expect(Object.getOwnPropertyNames(first)).toEqual(['_id', '__proto__']);
        expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
        expectPrototypeUntouched();
      },
    );
  });
});
