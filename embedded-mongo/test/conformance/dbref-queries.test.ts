import { DBRef, MongoClient } from 'mongodb';
import type { Db, ObjectId } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

/** A DBRef with a numeric `$id`: any BSON value is a legal `$id`, the driver types say ObjectId. */
function ref(collection: string, id: number, db?: string): DBRef {
  return new DBRef(collection, id as unknown as ObjectId, db);
}

interface Post {
  _id: number;
  author: DBRef;
  refs: DBRef[];
}

/**
 * DBRef fields (`$ref`, `$id`, `$db`) are field names in stored documents and query paths,
 * not operators: `{ 'ref.$id': x }`, `$elemMatch: { $id, $ref }` and equality on a DBRef.
 */
describe('queries on DBRef fields', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('dbref'));
    await db.collection<Post>('posts').insertMany([
      {
        _id: 1,
        author: ref('users', 10),
        refs: [ref('tags', 1), ref('tags', 2)],
      },
      { _id: 2, author: ref('users', 11), refs: [ref('cats', 1)] },
      { _id: 3, author: ref('users', 10, 'other'), refs: [] },
    ]);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  const ids = async (filter: Record<string, unknown>): Promise<number[]> =>
    (
      await db
        .collection('posts')
        .find(filter, { sort: { _id: 1 } })
        .toArray()
    ).map((doc) => doc._id as unknown as number);

  it('matches dotted paths through $id, $ref and $db', async () => {
    expect(await ids({ 'author.$id': 10 })).toEqual([1, 3]);
    expect(await ids({ 'author.$ref': 'users', 'author.$id': 11 })).toEqual([2]);
    expect(await ids({ 'author.$db': 'other' })).toEqual([3]);
    expect(await ids({ 'refs.$id': 2 })).toEqual([1]);
  });

  it('matches $elemMatch on the fields of DBRefs in an array', async () => {
    expect(await ids({ refs: { $elemMatch: { $id: 1, $ref: 'tags' } } })).toEqual([1]);
    expect(await ids({ refs: { $elemMatch: { $ref: 'cats', $id: 1 } } })).toEqual([2]);
    expect(await ids({ refs: { $elemMatch: { $id: { $gt: 1 } } } })).toEqual([1]);
  });

  it('matches a whole DBRef by equality and returns DBRefs unchanged', async () => {
    expect(await ids({ author: ref('users', 11) })).toEqual([2]);
    const doc = await db
      .collection<Post>('posts')
      .findOne({ _id: 1 }, { projection: { author: 1 } });
    expect(doc?.author).toBeInstanceOf(DBRef);
    expect((doc?.author as DBRef).oid).toBe(10);
    const [viaAggregate] = await db
      .collection('posts')
      .aggregate([{ $match: { 'author.$id': 11 } }, { $project: { author: 1 } }])
      .toArray();
    expect(viaAggregate.author).toBeInstanceOf(DBRef);
  });
});
