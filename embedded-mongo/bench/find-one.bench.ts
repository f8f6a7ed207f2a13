import { MongoClient, ObjectId } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { silentLogger, startEmbeddedMongo } from '../src/index';

/** Options of {@link runFindOneBench}. */
export interface FindOneBenchOptions {
  /** Documents in the small collection; default 1,000. */
  smallSize?: number;
  /** Documents in the large collection; default 100,000. */
  largeSize?: number;
  /** How long each operation is repeated per size; default 1,500 ms. */
  durationMs?: number;
  /** Benchmark this server instead of a fresh in-process embedded one (e.g. a real mongod). */
  uri?: string;
}

export interface OpsPerSecond {
  findOneById: number;
  findOneByUniqueField: number;
  insertOne: number;
}

export interface FindOneBenchResult {
  smallSize: number;
  largeSize: number;
  small: OpsPerSecond;
  large: OpsPerSecond;
  /** large ÷ small ops/s per operation; indexed lookups should stay ≥ 0.5. */
  ratios: OpsPerSecond;
  /** The worse of the two indexed-lookup ratios (the number the P8 target is about). */
  indexedLookupRatio: number;
}

interface BenchDoc extends Document {
  _id: ObjectId;
  email: string;
  n: number;
}

async function fill(coll: Collection<BenchDoc>, size: number): Promise<ObjectId[]> {
  await coll.createIndex({ email: 1 }, { unique: true });
  const ids: ObjectId[] = [];
  const batch = 10_000;
  for (let start = 0; start < size; start += batch) {
    const docs: BenchDoc[] = [];
    for (let i = start; i < Math.min(size, start + batch); i += 1) {
      const _id = new ObjectId();
      ids.push(_id);
      docs.push({ _id, email: `user${i}@example.com`, n: i });
    }
    await coll.insertMany(docs, { ordered: false });
  }
  return ids;
}

/** Runs `op` back to back for `durationMs` and returns operations per second. */
async function measure(durationMs: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i += 1) await op(i); // warm-up
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let count = 0;
  let now = start;
  while (now < end) {
    await op(count);
    count += 1;
    now = process.hrtime.bigint();
  }
  return Math.round((count * 1e9) / Number(now - start));
}

async function measureSize(
  client: MongoClient,
  dbName: string,
  size: number,
  durationMs: number,
): Promise<OpsPerSecond> {
  const coll = client.db(dbName).collection<BenchDoc>(`docs_${size}`);
  await coll.drop().catch(() => undefined);
  const ids = await fill(coll, size);
  // A fixed stride through the ids, so both sizes do the same work per lookup.
  const pick = (i: number): number => (i * 7919) % size;
  const findOneById = await measure(durationMs, async (i) => {
    const doc = await coll.findOne({ _id: ids[pick(i)] });
    if (!doc) throw new RangeError('benchmark lookup by _id found nothing');
  });
  const findOneByUniqueField = await measure(durationMs, async (i) => {
    const doc = await coll.findOne({ email: `user${pick(i)}@example.com` });
    if (!doc) throw new RangeError('benchmark lookup by email found nothing');
  });
  let next = size;
  const insertOne = await measure(durationMs, async () => {
    next += 1;
    await coll.insertOne({ _id: new ObjectId(), email: `user${next}@example.com`, n: next });
  });
  await coll.drop();
  return { findOneById, findOneByUniqueField, insertOne };
}

/**
 * Measures findOne by `_id`, findOne by a unique field and insertOne through the official
 * driver with a small and a large collection. A benchmark: it reports, it asserts nothing.
 */
export async function runFindOneBench(
  options: FindOneBenchOptions = {},
): Promise<FindOneBenchResult> {
  const smallSize = options.smallSize ?? 1_000;
  const largeSize = options.largeSize ?? 100_000;
  const durationMs = options.durationMs ?? 1_500;
  const server = options.uri ? undefined : await startEmbeddedMongo({ logger: silentLogger });
  const uri = options.uri ?? server?.uri ?? '';
  const client = await MongoClient.connect(uri);
  const dbName = `bench_${process.pid}_${Date.now()}`;
  try {
    const small = await measureSize(client, dbName, smallSize, durationMs);
    const large = await measureSize(client, dbName, largeSize, durationMs);
    const ratio = (key: keyof OpsPerSecond): number =>
      small[key] > 0 ? Number((large[key] / small[key]).toFixed(3)) : 0;
    const ratios: OpsPerSecond = {
      findOneById: ratio('findOneById'),
      findOneByUniqueField: ratio('findOneByUniqueField'),
      insertOne: ratio('insertOne'),
    };
    return {
      smallSize,
      largeSize,
      small,
      large,
      ratios,
      indexedLookupRatio: Math.min(ratios.findOneById, ratios.findOneByUniqueField),
    };
  } finally {
    await client
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
    await server?.stop();
  }
}
