import { MongoClient, MongoServerError } from 'mongodb';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EmbeddedMongo, Logger } from '../../src/index';
import { startEmbeddedMongo } from '../../src/index';

/**
 * A real full disk: the data directory lives on a 2 MiB tmpfs mounted for this file. Mounting
 * needs root (CAP_SYS_ADMIN); where it is refused, the tests are skipped with the reason.
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-full-disk-'));
const mountError = tryMount(root);
const mounted = mountError === undefined;
if (!mounted) {
  console.warn(`disk-full tests skipped: cannot mount a 2 MiB tmpfs on ${root} (${mountError})`);
}
const onTmpfs = mounted ? it : it.skip;

function tryMount(dir: string): string | undefined {
  if (process.platform !== 'linux') return `${process.platform} has no tmpfs mount`;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || (error instanceof Error ? error.message : String(error));
  }
}

const PAD = 'x'.repeat(16 * 1024);
const FILLER_BYTES = 256 * 1024;

// These tests exercise the embedded server's own files on a full disk, so they always start
// their own embedded instance (also when MONGODB_URI points the rest of the suite at a mongod).
describe('embedded server only: a full disk', () => {
  const dataDir = path.join(root, 'data');
  const filler = path.join(root, 'filler');
  const compactFile = path.join(dataDir, 'journal.bin.compact');
  /** `_id`s of the inserts the server acknowledged, in order. */
  const acknowledged: number[] = [];
  let server: EmbeddedMongo | undefined;
  let warnings: string[] = [];
  const logger: Logger = { warn: (message) => warnings.push(message), info: () => undefined };

  async function start(): Promise<EmbeddedMongo> {
    warnings = [];
    server = await startEmbeddedMongo({ dataDir, logger });
    return server;
  }

  async function stop(): Promise<void> {
    await server?.stop();
    server = undefined;
  }

  async function withItems<T>(
    use: (items: ReturnType<ReturnType<MongoClient['db']>['collection']>) => Promise<T>,
  ): Promise<T> {
    if (!server) throw new TypeError('no server running');
    const client = await MongoClient.connect(server.uri);
    try {
      return await use(client.db('full_disk').collection('items'));
    } finally {
      await client.close();
    }
  }

  afterAll(async () => {
    try {
      await stop();
    } finally {
      if (mounted) execFileSync('umount', [root]);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  onTmpfs('a write the disk cannot hold is not done: not visible, no E11000 on retry', async () => {
    await start();
    let failed: number | undefined;
    await withItems(async (items) => {
      await items.createIndex({ key: 1 }, { unique: true });
      // Room to free later, on the same filesystem.
      fs.writeFileSync(filler, Buffer.alloc(FILLER_BYTES, 1));
      for (let i = 0; i < 1000 && failed === undefined; i += 1) {
        try {
          await items.insertOne({ _id: i, key: `k${i}`, pad: PAD } as never);
          acknowledged.push(i);
        } catch (error) {
          expect(error).toBeInstanceOf(MongoServerError);
          expect(error).toMatchObject({
            code: 1,
            codeName: 'InternalError',
            errmsg: 'journal write failed (ENOSPC); the write is not durable',
          });
          failed = i;
        }
      }
      expect(failed).toBeDefined();
      expect(acknowledged.length).toBeGreaterThan(10);
      const id = failed as number;
      expect(await items.findOne({ _id: id } as never)).toBeNull();
      expect(await items.countDocuments({})).toBe(acknowledged.length);
      expect(await items.findOne({ key: `k${id}` })).toBeNull(); // through the unique index
      expect(await items.countDocuments({ key: `k${id}` })).toBe(0);
      // Still full: the retry fails the same way, not as a duplicate of the first attempt.
      await expect(
        items.insertOne({ _id: id, key: `k${id}`, pad: PAD } as never),
      ).rejects.toMatchObject({
        code: 1,
      });
      fs.rmSync(filler);
      await items.insertOne({ _id: id, key: `k${id}`, pad: PAD } as never);
      acknowledged.push(id);
      expect(await items.countDocuments({ key: `k${id}` })).toBe(1);
    });
    expect(fs.existsSync(compactFile)).toBe(false);
    await stop();
  });

  onTmpfs(
    'restarts on the nearly full disk without compacting, keeping exactly the acknowledged documents',
    async () => {
      const journalBytes = fs.statSync(path.join(dataDir, 'journal.bin')).size;
      expect(fs.statfsSync(root).bavail * fs.statfsSync(root).bsize).toBeLessThan(journalBytes);
      await start();
      expect(warnings).toEqual([
        expect.stringMatching(
          /not compacted at start-up: .*; replayed in place, appending to the existing journal/,
        ),
      ]);
      expect(fs.existsSync(compactFile)).toBe(false);
      await withItems(async (items) => {
        const ids = (await items.find({}, { projection: { _id: 1 } }).toArray()).map(
          (doc) => doc._id,
        );
        expect(ids.sort((a, b) => Number(a) - Number(b))).toEqual(
          [...acknowledged].sort((a, b) => a - b),
        );
        // The unique index came back too, and the journal takes new writes in place.
        await expect(items.insertOne({ key: 'k0' })).rejects.toMatchObject({ code: 11000 });
        await items.deleteOne({ _id: acknowledged[0] } as never);
        acknowledged.shift();
      });
      await stop();
      await start();
      await withItems(async (items) => {
        expect(await items.countDocuments({})).toBe(acknowledged.length);
      });
      await stop();
    },
  );

  onTmpfs('removes a journal.bin.compact left by an earlier failed start', async () => {
    fs.writeFileSync(compactFile, Buffer.alloc(64 * 1024, 7));
    await start();
    expect(fs.existsSync(compactFile)).toBe(false);
    expect(warnings[0]).toContain(`removed ${compactFile}`);
    await withItems(async (items) => {
      expect(await items.countDocuments({})).toBe(acknowledged.length);
    });
    await stop();
  });
});
