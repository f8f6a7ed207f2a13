import { MongoClient, ObjectId } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { silentLogger, startEmbeddedMongo } from '../src/index';

/** Options of {@link runFindOneBench}. */
export interface FindOneBenchOptions {
  /** Documents in the small collection; default 1,000. */
  smallSize?: number;
  /** Documents in the large collection; default 100,000. */
  largeSize?: number;
  /** How long each operation is repeated per size (over three alternating rounds); default 1,500 ms. */
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

/** A filled collection and the ids in it. */
interface Subject {
  coll: Collection<BenchDoc>;
  ids: ObjectId[];
  size: number;
  nextInsert: number;
}

async function prepare(client: MongoClient, dbName: string, size: number): Promise<Subject> {
  const coll = client.db(dbName).collection<BenchDoc>(`docs_${size}`);
  await coll.drop().catch(() => undefined);
  return { coll, ids: await fill(coll, size), size, nextInsert: size };
}

type Operation = (subject: Subject, i: number) => Promise<void>;

const OPERATIONS: Record<keyof OpsPerSecond, Operation> = {
  findOneById: async ({ coll, ids, size }, i) => {
    // A fixed stride through the ids, so both sizes do the same work per lookup.
    const doc = await coll.findOne({ _id: ids[(i * 7919) % size] });
    if (!doc) throw new RangeError('benchmark lookup by _id found nothing');
  },
  findOneByUniqueField: async ({ coll, size }, i) => {
    const doc = await coll.findOne({ email: `user${(i * 7919) % size}@example.com` });
    if (!doc) throw new RangeError('benchmark lookup by email found nothing');
  },
  insertOne: async (subject) => {
    subject.nextInsert += 1;
    const n = subject.nextInsert;
    await subject.coll.insertOne({ _id: new ObjectId(), email: `user${n}@example.com`, n });
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures each operation on both collections in alternating rounds and keeps the median:
 * measuring all of the small size first would hand the large one a warmer JIT and make the
 * ratio look better than it is.
 */
async function measureBoth(
  small: Subject,
  large: Subject,
  durationMs: number,
): Promise<{ small: OpsPerSecond; large: OpsPerSecond }> {
  const rounds = 3;
  const result = { small: {} as OpsPerSecond, large: {} as OpsPerSecond };
  for (const [name, op] of Object.entries(OPERATIONS) as Array<[keyof OpsPerSecond, Operation]>) {
    const runs = { small: [] as number[], large: [] as number[] };
    for (let round = 0; round < rounds; round += 1) {
      runs.small.push(await measure(durationMs / rounds, (i) => op(small, i)));
      runs.large.push(await measure(durationMs / rounds, (i) => op(large, i)));
    }
    result.small[name] = median(runs.small);
    result.large[name] = median(runs.large);
  }
  return result;
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
    const { small, large } = await measureBoth(
      await prepare(client, dbName, smallSize),
      await prepare(client, dbName, largeSize),
      durationMs,
    );
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
