import { MongoClient } from 'mongodb';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EmbeddedMongo } from '../../src/index';
import { silentLogger, startEmbeddedMongo } from '../../src/index';

// Restarts of the embedded server's own data directory: always an embedded instance, also when
// MONGODB_URI points the rest of the suite at a mongod.
describe('embedded server only: collMod, validators and views survive a restart', () => {
  const dirs: string[] = [];
  const running: EmbeddedMongo[] = [];

  async function start(dataDir: string): Promise<EmbeddedMongo> {
    const server = await startEmbeddedMongo({ dataDir, logger: silentLogger });
    running.push(server);
    return server;
  }

  async function withClient<T>(
    server: EmbeddedMongo,
    use: (client: MongoClient) => Promise<T>,
  ): Promise<T> {
    const client = await MongoClient.connect(server.uri);
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps collMod changes (validator, level, TTL, hidden, view pipeline) across two restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-collmod-'));
    dirs.push(dir);
    const first = await start(dir);
    await withClient(first, async (client) => {
      const db = client.db('app');
      await db.createCollection('items', { validator: { qty: { $gte: 0 } } });
      await db.collection('items').createIndex({ seenAt: 1 }, { expireAfterSeconds: 3600 });
      await db.collection('items').createIndex({ sku: 1 });
      await db.collection('items').insertOne({ sku: 'a', qty: 1 });
      await db.createCollection('cheap', {
        viewOn: 'items',
        pipeline: [{ $match: { qty: { $lt: 10 } } }],
      });
      await db.command({
        collMod: 'items',
        validator: { qty: { $gte: 1 } },
        validationLevel: 'moderate',
        index: { name: 'seenAt_1', expireAfterSeconds: 60 },
      });
      await db.command({ collMod: 'items', index: { name: 'sku_1', hidden: true } });
      await db.command({ collMod: 'cheap', pipeline: [{ $project: { _id: 0, sku: 1 } }] });
    });
    await first.stop();
    // Twice: the first restart replays the collMod records, the second its compacted snapshot.
    for (let round = 0; round < 2; round += 1) {
      const server = await start(dir);
      await withClient(server, async (client) => {
        const db = client.db('app');
        const [items] = await db.listCollections({ name: 'items' }, { nameOnly: false }).toArray();
        expect(items.options).toEqual({
          validator: { qty: { $gte: 1 } },
          validationLevel: 'moderate',
        });
        await expect(db.collection('items').insertOne({ sku: 'b', qty: 0 })).rejects.toMatchObject({
          code: 121,
        });
        const indexes = await db.collection('items').listIndexes().toArray();
        expect(indexes.find((index) => index.name === 'seenAt_1')).toMatchObject({
          expireAfterSeconds: 60,
        });
        expect(indexes.find((index) => index.name === 'sku_1')).toMatchObject({ hidden: true });
        const [cheap] = await db.listCollections({ name: 'cheap' }, { nameOnly: false }).toArray();
        expect(cheap).toMatchObject({
          type: 'view',
          options: { viewOn: 'items', pipeline: [{ $project: { _id: 0, sku: 1 } }] },
        });
        expect(await db.collection('cheap').find().toArray()).toEqual([{ sku: 'a' }]);
        await expect(db.collection('cheap').insertOne({ sku: 'c' })).rejects.toMatchObject({
          code: 166,
        });
      });
      await server.stop();
    }
  });
});
