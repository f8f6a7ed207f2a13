import { MongoClient } from 'mongodb';
import { silentLogger, startEmbeddedMongo } from '../../src/index';
import { opMsg, sendRaw } from '../wire-client';

// Settings of the embedded server itself: these tests start their own instance, also when
// MONGODB_URI points the rest of the suite at a mongod.
describe('embedded server only: message size limit', () => {
  it('advertises the configured maxMessageSizeBytes and closes connections that exceed it', async () => {
    const server = await startEmbeddedMongo({
      logger: silentLogger,
      maxMessageSizeBytes: 1_000_000,
    });
    const client = await MongoClient.connect(server.uri);
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      expect(hello.maxMessageSizeBytes).toBe(1_000_000);
      const tooBig = opMsg({ ping: 1, pad: 'x'.repeat(1_000_000), $db: 'admin' });
      expect(await sendRaw(server.uri, tooBig)).toEqual({ kind: 'closed' });
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
