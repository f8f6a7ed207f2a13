import { MongoClient } from 'mongodb';
import type { Db, Document } from 'mongodb';
import { serverError, serverUri, uniqueDbName } from '../helpers';
import { opMsg, sendRaw } from '../wire-client';

/** Rows with numeric ids; the invalid ids under test are cast (`as never`). */
interface Row {
  _id: number;
  [field: string]: unknown;
}

/**
 * mongod 7.0 refuses an array, a regex or `undefined` as `_id` with 53 InvalidIdField
 * (`storage_validation::storageValidIdField`), in inserts, replacements, pipeline updates and
 * upserts alike; before 5.0 inserts answered BadValue "can't use an array for _id".
 */
describe("invalid '_id' types", () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('id_field'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('an insert of an array or regex _id is a 53 write error, and the valid documents go in', async () => {
    const reply = await db.command({
      insert: 'rows',
      documents: [{ _id: [1, 2] }, { _id: 1 }, { _id: /ab/i }, { _id: { a: [1] } }],
      ordered: false,
    });
    expect(reply.n).toBe(2);
    expect(reply.writeErrors).toHaveLength(2);
    expect(reply.writeErrors[0]).toMatchObject({
      index: 0,
      code: 53,
      errmsg: "The '_id' value cannot be of type array",
    });
    expect(reply.writeErrors[1]).toMatchObject({
      index: 2,
      code: 53,
      errmsg: "The '_id' value cannot be of type regex",
    });
    const ids = (await db.collection<Row>('rows').find().sort({ _id: 1 }).toArray()).map(
      (row) => row._id,
    );
    expect(ids).toEqual([1, { a: [1] }]);
  });

  it('insertOne rejects with code 53 through the driver', async () => {
    const error = await serverError(
      db.collection<Row>('single').insertOne({ _id: ['x'] as never }),
    );
    expect(error.code).toBe(53);
    expect(error.message).toBe("The '_id' value cannot be of type array");
    expect(await db.collection<Row>('single').countDocuments()).toBe(0);
  });

  it('a BSON undefined _id is refused with 53 (sent as raw bytes: drivers send null)', async () => {
    const frame = opMsg({
      insert: 'undef',
      documents: [{ _id: null, a: 1 }],
      $db: db.databaseName,
    });
    // BSON null (0x0A) and undefined (0x06) both have an empty value: retype the _id element.
    const at = frame.indexOf(Buffer.from([0x0a, 0x5f, 0x69, 0x64, 0x00]));
    expect(at).toBeGreaterThan(0);
    frame[at] = 0x06;
    const outcome = await sendRaw(serverUri(), frame);
    expect(outcome.kind).toBe('reply');
    const reply = (outcome as { doc: Document }).doc;
    expect(reply.n).toBe(0);
    expect(reply.writeErrors?.[0]).toMatchObject({
      code: 53,
      errmsg: "The '_id' value cannot be of type undefined",
    });
    expect(await db.collection<Row>('undef').countDocuments()).toBe(0);
  });

  it('a replacement or pipeline update to an array or regex _id answers 53 (before the immutable check)', async () => {
    const rows = db.collection<Row>('replaced');
    await rows.insertOne({ _id: 1, n: 1 });
    const replaced = await serverError(rows.replaceOne({ _id: 1 }, { _id: [1] as never, n: 2 }));
    expect(replaced.code).toBe(53);
    expect(replaced.message).toBe("The '_id' value cannot be of type array");
    const piped = await serverError(rows.updateOne({ _id: 1 }, [{ $set: { _id: /x/ } }]));
    expect(piped.code).toBe(53);
    expect(piped.message).toBe("The '_id' value cannot be of type regex");
    // An operator update of an existing document's _id stays an ImmutableField error.
    const setId = await serverError(rows.updateOne({ _id: 1 }, { $set: { _id: [1] as never } }));
    expect(setId.code).toBe(66);
    expect(await rows.find().toArray()).toEqual([{ _id: 1, n: 1 }]);
  });

  it('upserts producing an array or regex _id answer 53 and insert nothing', async () => {
    const rows = db.collection<Row>('upserted');
    const cases: Array<() => Promise<unknown>> = [
      () => rows.replaceOne({ n: 1 }, { _id: [1] as never, n: 1 }, { upsert: true }),
      () => rows.updateOne({ n: 2 }, { $set: { _id: /y/ as never } }, { upsert: true }),
      () => rows.updateOne({ n: 3 }, { $setOnInsert: { _id: /z/ as never } }, { upsert: true }),
      () => rows.updateOne({ n: 4 }, [{ $set: { _id: [4] } }], { upsert: true }),
      () => rows.findOneAndUpdate({ n: 5 }, { $set: { _id: [5] as never } }, { upsert: true }),
    ];
    for (const operation of cases) {
      const error = await serverError(operation());
      expect([error.code, error.message]).toEqual([
        53,
        expect.stringMatching(/^The '_id' value cannot be of type (array|regex)$/),
      ]);
    }
    expect(await rows.countDocuments()).toBe(0);
  });

  it('an upsert may still set a valid _id with $set or $setOnInsert', async () => {
    const rows = db.collection<Row>('upserted_ok');
    const set = await rows.updateOne({ n: 1 }, { $set: { _id: 7 } }, { upsert: true });
    expect(set.upsertedId).toBe(7);
    const onInsert = await rows.updateOne(
      { n: 2 },
      { $setOnInsert: { _id: { k: 8 } as never }, $set: { m: 1 } },
      { upsert: true },
    );
    expect(onInsert.upsertedId).toEqual({ k: 8 });
    expect(await rows.find().sort({ n: 1 }).toArray()).toEqual([
      { _id: 7, n: 1 },
      { _id: { k: 8 }, n: 2, m: 1 },
    ]);
  });
});
