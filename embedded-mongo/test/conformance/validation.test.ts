import { MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import type { Db, Document } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

/** The writeErrors entry (or command error) a rejected write carries. */
async function rejection(promise: Promise<unknown>): Promise<MongoServerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MongoBulkWriteError) {
      const first = error.writeErrors;
      const entry = Array.isArray(first) ? first[0] : first;
      return entry.err as unknown as MongoServerError;
    }
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error('expected the write to be rejected');
}

const studentSchema = {
  $jsonSchema: {
    bsonType: 'object',
    required: ['name', 'year'],
    properties: {
      name: { bsonType: 'string', minLength: 2, maxLength: 20 },
      year: { bsonType: 'int', minimum: 2017, maximum: 3017 },
      major: { enum: ['Math', 'English', null] },
      email: { bsonType: 'string', pattern: '^[^@]+@[^@]+$' },
      tags: { bsonType: 'array', minItems: 1, maxItems: 3, items: { bsonType: 'string' } },
      address: {
        bsonType: 'object',
        required: ['city'],
        additionalProperties: false,
        properties: { city: { bsonType: 'string' }, zip: { bsonType: 'string' } },
      },
    },
  },
};

describe('document validation (validator, validationLevel, validationAction)', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('validation'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('refuses an invalid insert with 121 and errInfo naming the document and the rule', async () => {
    const students = await db.createCollection('students', { validator: studentSchema });
    await students.insertOne({ name: 'Mihai', year: 2019, major: 'Math' });
    const error = await rejection(students.insertOne({ _id: 7 as never, name: 'Ana' }));
    expect(error.code).toBe(121);
    expect(error.errmsg ?? error.message).toBe('Document failed validation');
    const errInfo = error.errInfo as Document;
    expect(errInfo.failingDocumentId).toBe(7);
    expect(errInfo.details.operatorName).toBe('$jsonSchema');
    expect(errInfo.details.schemaRulesNotSatisfied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operatorName: 'required', missingProperties: ['year'] }),
      ]),
    );
    expect(await students.countDocuments()).toBe(1);
  });

  it('applies the common $jsonSchema keywords', async () => {
    const students = db.collection('students');
    const bad: Document[] = [
      { name: 5, year: 2019 },
      { name: 'A', year: 2019 },
      { name: 'Averyveryverylongname!', year: 2019 },
      { name: 'Ana', year: 2000 },
      { name: 'Ana', year: 2019.5 },
      { name: 'Ana', year: 2019, major: 'Art' },
      { name: 'Ana', year: 2019, email: 'nope' },
      { name: 'Ana', year: 2019, tags: [] },
      { name: 'Ana', year: 2019, tags: ['a', 'b', 'c', 'd'] },
      { name: 'Ana', year: 2019, tags: ['a', 2] },
      { name: 'Ana', year: 2019, address: { zip: '1000' } },
      { name: 'Ana', year: 2019, address: { city: 'Oslo', planet: 'Earth' } },
    ];
    for (const doc of bad) {
      const error = await rejection(students.insertOne(doc));
      expect({ doc, code: error.code }).toEqual({ doc, code: 121 });
    }
    await students.insertOne({
      name: 'Ana',
      year: 2020,
      major: null,
      email: 'ana@example.com',
      tags: ['x'],
      address: { city: 'Oslo', zip: '0150' },
    });
  });

  it('refuses updates, upserts, replacements and findAndModify that produce invalid documents', async () => {
    const coll = await db.createCollection('stock', { validator: { qty: { $gte: 0 } } });
    await coll.insertOne({ _id: 1 as never, qty: 5 });
    const update = await rejection(coll.updateOne({ _id: 1 as never }, { $inc: { qty: -10 } }));
    expect(update.code).toBe(121);
    expect((update.errInfo as Document).failingDocumentId).toBe(1);
    expect((update.errInfo as Document).details.operatorName).toBe('$gte');
    const replace = await rejection(coll.replaceOne({ _id: 1 as never }, { qty: -1 }));
    expect(replace.code).toBe(121);
    const upsert = await rejection(
      coll.updateOne({ _id: 2 as never }, { $set: { qty: -1 } }, { upsert: true }),
    );
    expect(upsert.code).toBe(121);
    const fam = await rejection(coll.findOneAndUpdate({ _id: 1 as never }, { $set: { qty: -3 } }));
    expect(fam.code).toBe(121);
    expect((fam.errInfo as Document).failingDocumentId).toBe(1);
    expect(await coll.find().toArray()).toEqual([{ _id: 1, qty: 5 }]);
  });

  it('reports several failing clauses under $and', async () => {
    const coll = await db.createCollection('pairs', {
      validator: { a: { $type: 'string' }, b: { $exists: true } },
    });
    const error = await rejection(coll.insertOne({ a: 1 }));
    expect(error.code).toBe(121);
    const details = (error.errInfo as Document).details;
    expect(details.operatorName).toBe('$and');
    expect(details.clausesNotSatisfied).toHaveLength(2);
  });

  it('skips validation with bypassDocumentValidation', async () => {
    const coll = db.collection('stock');
    await coll.insertOne({ _id: 10 as never, qty: -1 }, { bypassDocumentValidation: true });
    await coll.updateOne(
      { _id: 1 as never },
      { $set: { qty: -2 } },
      { bypassDocumentValidation: true },
    );
    await coll.findOneAndUpdate(
      { _id: 1 as never },
      { $set: { qty: -4 } },
      { bypassDocumentValidation: true },
    );
    expect(await coll.find({ qty: { $lt: 0 } }).toArray()).toHaveLength(2);
  });

  it("validationLevel 'moderate' lets updates of already-invalid documents through", async () => {
    const coll = await db.createCollection('moderate', {
      validator: { qty: { $gte: 0 } },
      validationLevel: 'moderate',
    });
    await coll.insertOne({ _id: 1 as never, qty: -1 }, { bypassDocumentValidation: true });
    await coll.insertOne({ _id: 2 as never, qty: 1 });
    await coll.updateOne({ _id: 1 as never }, { $inc: { qty: -1 } });
    expect((await rejection(coll.updateOne({ _id: 2 as never }, { $set: { qty: -1 } }))).code).toBe(
      121,
    );
    expect((await rejection(coll.insertOne({ qty: -5 }))).code).toBe(121);
  });

  it("validationLevel 'off' and validationAction 'warn' let invalid writes pass", async () => {
    const off = await db.createCollection('off', {
      validator: { qty: { $gte: 0 } },
      validationLevel: 'off',
    });
    await off.insertOne({ qty: -1 });
    const warn = await db.createCollection('warn', {
      validator: { qty: { $gte: 0 } },
      validationAction: 'warn',
    });
    await warn.insertOne({ qty: -1 });
    await warn.updateOne({}, { $inc: { qty: -1 } });
    expect(await warn.findOne({}, { projection: { _id: 0 } })).toEqual({ qty: -2 });
  });

  it('unordered inserts keep the valid documents and report each invalid one', async () => {
    const coll = db.collection('stock');
    const error = await rejection(
      coll.insertMany(
        [
          { _id: 20, qty: 1 },
          { _id: 21, qty: -1 },
          { _id: 22, qty: 2 },
        ] as never[],
        { ordered: false },
      ),
    );
    expect(error.code).toBe(121);
    expect(await coll.countDocuments({ _id: { $in: [20, 21, 22] } as never })).toBe(2);
  });

  it('refuses bad validators and options when the collection is created', async () => {
    await expect(
      db.createCollection('bad1', { validator: { a: { $foo: 1 } } }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      db.createCollection('bad2', { validator: { $jsonSchema: { bsonType: 'object', foo: 1 } } }),
    ).rejects.toMatchObject({ code: 9 });
    await expect(
      db.createCollection('bad3', { validator: { $jsonSchema: { bsonType: 'nope' } } }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      db.createCollection('bad4', { validator: { $jsonSchema: { format: 'email' } } }),
    ).rejects.toMatchObject({ code: 9 });
    await expect(
      db.createCollection('bad5', { validator: { $where: 'true' } }),
    ).rejects.toBeInstanceOf(MongoServerError);
    await expect(
      db.command({ create: 'bad6', validationLevel: 'sometimes' }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(db.command({ create: 'bad7', validationAction: 'shout' })).rejects.toMatchObject({
      code: 2,
    });
    const names = (await db.listCollections({ name: { $regex: /^bad/ } }).toArray()).map(
      (c) => c.name,
    );
    expect(names).toEqual([]);
  });

  it('answers $jsonSchema in find filters', async () => {
    const coll = db.collection('schema_find');
    await coll.insertMany([{ a: 1 }, { a: 'x' }, { b: 1 }]);
    const found = await coll
      .find({ $jsonSchema: { required: ['a'], properties: { a: { bsonType: 'string' } } } })
      .project({ _id: 0 })
      .toArray();
    expect(found).toEqual([{ a: 'x' }]);
  });
});

describe("_id values with '$'-prefixed field names", () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('dollar_id'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('are refused on insert, replace-upsert and nested, with 52 DollarPrefixedFieldName', async () => {
    const coll = db.collection('things');
    const insert = await rejection(coll.insertOne({ _id: { $foo: 1 } as never, a: 1 }));
    expect(insert.code).toBe(52);
    expect(insert.errmsg ?? insert.message).toBe(
      "_id fields may not contain '$'-prefixed fields: $foo is not valid for storage.",
    );
    const nested = await rejection(coll.insertOne({ _id: { a: { $bar: 1 } } as never }));
    expect(nested.code).toBe(52);
    const upsert = await rejection(
      coll.replaceOne({ a: 1 }, { _id: { $foo: 1 } as never, a: 1 }, { upsert: true }),
    );
    expect(upsert.code).toBe(52);
    await coll.insertOne({ _id: { a: 1, b: 'x' } as never });
    expect(await coll.countDocuments()).toBe(1);
  });
});
