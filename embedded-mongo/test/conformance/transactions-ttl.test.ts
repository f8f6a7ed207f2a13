import { MongoClient, MongoServerError } from 'mongodb';
import type { Db } from 'mongodb';
import { isExternalServer, serverUri, uniqueDbName } from '../helpers';

const TRANSACTION_MESSAGE =
  'Transaction numbers are only allowed on a replica set member or mongos';

/** Polls until `check` holds or the deadline passes; returns whether it held. */
async function eventually(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('transactions and TTL through the official driver', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('txn_ttl'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('rejects a transaction like a standalone mongod: code 20 IllegalOperation', async () => {
    const coll = db.collection('txn');
    await coll.insertOne({ n: 1 });
    const session = client.startSession();
    try {
      session.startTransaction();
      const read = await coll.findOne({ n: 1 }, { session }).catch((caught: unknown) => caught);
      expect(read).toBeInstanceOf(MongoServerError);
      expect(read).toMatchObject({ code: 20, codeName: 'IllegalOperation' });
      expect((read as Error).message).toBe(TRANSACTION_MESSAGE);
      await session.abortTransaction().catch(() => undefined);
      session.startTransaction();
      const write = await coll.insertOne({ n: 2 }, { session }).catch((caught: unknown) => caught);
      // The driver rewrites code 20 on writes into its retryable-writes hint; the server's
      // own answer is kept as the original error.
      const original = (write as { originalError?: { code?: number } }).originalError;
      expect((write as { code?: number }).code ?? original?.code).toBe(20);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments({})).toBe(1);
  });

  it('counts with the upsert-and-increment pattern rate limiters use on TTL collections', async () => {
    const limits = db.collection('limits');
    await limits.createIndex({ expire: -1 }, { expireAfterSeconds: 0 });
    await limits.createIndex({ key: 1 }, { unique: true });
    const consume = (key: string) =>
      limits.findOneAndUpdate(
        { $or: [{ expire: { $gt: new Date() } }, { expire: { $eq: null } }], key },
        { $setOnInsert: { key, expire: new Date(Date.now() + 60_000) }, $inc: { points: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
    expect(await consume('ip:1')).toMatchObject({ key: 'ip:1', points: 1 });
    expect(await consume('ip:1')).toMatchObject({ key: 'ip:1', points: 2 });
    expect(await consume('ip:2')).toMatchObject({ key: 'ip:2', points: 1 });
    // A window that no longer matches the filter makes the upsert collide on the unique key.
    // (A non-date `expire`, so the TTL monitor cannot remove it in the meantime.)
    await limits.updateOne({ key: 'ip:2' }, { $set: { expire: 'stale' } });
    await expect(consume('ip:2')).rejects.toMatchObject({ code: 11000, keyValue: { key: 'ip:2' } });
  });

  it('removes documents whose TTL-indexed date has expired', async () => {
    const sessions = db.collection('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await sessions.insertMany([
      { token: 'old', expiresAt: new Date(Date.now() - 60_000) },
      { token: 'fresh', expiresAt: new Date(Date.now() + 3_600_000) },
      { token: 'no-date', expiresAt: 'not a date' },
    ]);
    // mongod's TTL monitor runs every 60 s; the embedded one is configured for tests.
    const gone = await eventually(
      async () => (await sessions.countDocuments({ token: 'old' })) === 0,
      isExternalServer() ? 120_000 : 10_000,
    );
    expect(gone).toBe(true);
    const left = await sessions.find({}, { projection: { _id: 0, token: 1 } }).toArray();
    expect(left.map((doc) => doc.token).sort()).toEqual(['fresh', 'no-date']);
  }, 150_000);
});
