import { MongoClient, ObjectId } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { silentLogger, startEmbeddedMongo } from '../src/index';
import { measureAlternating, ratiosOf } from './measure';

export type { CatalogBenchOptions, CatalogBenchResult, CatalogOps } from './catalog.bench';
export { runCatalogBench } from './catalog.bench';

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
    const { small, large } = await measureAlternating<Subject, keyof OpsPerSecond>(
      OPERATIONS,
      await prepare(client, dbName, smallSize),
      await prepare(client, dbName, largeSize),
      durationMs,
    );
    const ratios: OpsPerSecond = ratiosOf(small, large);
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
