import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { crc32c } from '../../src/wire/crc32c';
import { serverUri, uniqueDbName } from '../helpers';
import type { RawOutcome } from '../wire-client';
import { opMsg, opMsgWithSequence, opQuery, sendRaw } from '../wire-client';

function replyDoc(outcome: RawOutcome): Record<string, unknown> {
  if (outcome.kind !== 'reply') throw new TypeError('expected a reply, the connection was closed');
  return outcome.doc;
}

describe('wire protocol, byte level', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('wire'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('answers the legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const outcome = await sendRaw(serverUri(), opQuery({ isMaster: 1, helloOk: true }));
    expect(outcome).toMatchObject({ kind: 'reply', opCode: 1 });
    expect(replyDoc(outcome)).toMatchObject({ ok: 1, ismaster: true, minWireVersion: 0 });
    expect(replyDoc(outcome).maxWireVersion).toBeGreaterThanOrEqual(17);
    expect(replyDoc(outcome).logicalSessionTimeoutMinutes).toBeGreaterThan(0);
  });

  it('refuses other commands over OP_QUERY', async () => {
    const outcome = await sendRaw(serverUri(), opQuery({ find: 'x' }, `${db.databaseName}.$cmd`));
    expect(outcome.kind).toBe('reply');
    expect(replyDoc(outcome).ok).toBe(0);
  });

  it('verifies an OP_MSG checksum when the flag is set', async () => {
    const good = await sendRaw(serverUri(), opMsg({ ping: 1, $db: 'admin' }, { checksum: crc32c }));
    expect(replyDoc(good)).toMatchObject({ ok: 1 });
    const bad = await sendRaw(
      serverUri(),
      opMsg({ ping: 1, $db: 'admin' }, { checksum: (bytes) => (crc32c(bytes) + 1) >>> 0 }),
    );
    // A wrong checksum is refused: an error reply or a closed connection, never ok: 1.
    if (bad.kind === 'reply') expect(bad.doc.ok).toBe(0);
    else expect(bad.kind).toBe('closed');
  });

  it('merges kind-1 document sequences into the command', async () => {
    const outcome = await sendRaw(
      serverUri(),
      opMsgWithSequence({ insert: 'seq', $db: db.databaseName }, 'documents', [{ a: 1 }, { a: 2 }]),
    );
    expect(replyDoc(outcome)).toMatchObject({ ok: 1, n: 2 });
    expect(await db.collection('seq').countDocuments({})).toBe(2);
  });

  it('sends no reply when the client sets moreToCome, but performs the write', async () => {
    const frame = opMsg(
      { insert: 'fire', documents: [{ z: 1 }], writeConcern: { w: 0 }, $db: db.databaseName },
      { flags: 2 },
    );
    await expect(sendRaw(serverUri(), frame, 500)).rejects.toThrow('no reply');
    const deadline = Date.now() + 5000;
    while ((await db.collection('fire').countDocuments({})) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await db.collection('fire').countDocuments({})).toBe(1);
  });
});
