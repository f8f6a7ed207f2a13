import { MongoClient, ObjectId } from 'mongodb';
import type { Collection, Document, Filter } from 'mongodb';
import { silentLogger, startEmbeddedMongo } from '../src/index';
import { measureAlternating, ratiosOf } from './measure';

/** Options of {@link runCatalogBench}. */
export interface CatalogBenchOptions {
  /** Movies in the small catalog; default 1,000. */
  smallSize?: number;
  /** Movies in the large catalog; default 100,000. */
  largeSize?: number;
  /** How long each page is read per size (over three alternating rounds); default 1,500 ms. */
  durationMs?: number;
  /** Benchmark this server instead of a fresh in-process embedded one (e.g. a real mongod). */
  uri?: string;
}

/** Pages per second for each catalog read. */
export interface CatalogOps {
  /** The first page sorted by `(title, _id)`: `find({}).sort(...).limit(21)`. */
  firstPage: number;
  /** The first page of one tag (`tags: { $all: [tag] }`). */
  firstPageTagged: number;
  /** A page after a `(title, _id)` cursor 40–90% of the way through the catalog. */
  deepPage: number;
  /** A page after a cursor deep in one tag's movies. */
  deepPageTagged: number;
}

export interface CatalogBenchResult {
  smallSize: number;
  largeSize: number;
  small: CatalogOps;
  large: CatalogOps;
  /** large ÷ small pages/s per read; the goal is ≥ 0.5 for each. */
  ratios: CatalogOps;
  /** The worst ratio. */
  worstRatio: number;
}

interface Movie extends Document {
  _id: ObjectId;
  title: string;
  titleSearch: string;
  year: number;
  tags: string[];
  description: string;
  duration: number;
}

const TAGS = [
  'drama',
  'comedy',
  'noir',
  'war',
  'kids',
  'sci-fi',
  'documentary',
  'horror',
  'romance',
  'western',
  'musical',
  'thriller',
];
const WORDS = [
  'Night',
  'River',
  'Silent',
  'Golden',
  'Last',
  'City',
  'Storm',
  'Garden',
  'Iron',
  'Blue',
  'Winter',
  'Empire',
  'Shadow',
  'Harbor',
  'Paper',
  'Wild',
];
const PAGE = 21;

/** The page query of graphql-api's MovieService.list: `$and` of the match and the cursor. */
function pageFilter(match: Filter<Movie>, after: Movie | undefined): Filter<Movie> {
  if (!after) return match;
  return {
    $and: [
      match,
      { $or: [{ title: { $gt: after.title } }, { title: after.title, _id: { $gt: after._id } }] },
    ],
  };
}

function byTitleThenId(a: Movie, b: Movie): number {
  if (a.title !== b.title) return a.title < b.title ? -1 : 1;
  const x = a._id.toHexString();
  const y = b._id.toHexString();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A filled catalog and the cursors the deep pages start after. */
interface Catalog {
  coll: Collection<Movie>;
  size: number;
  pivots: Movie[];
  tagPivots: Movie[][];
}

/** Cursors spread from 40% to 90% of `sorted`, each with at least a page after it. */
function pivotsOf(sorted: Movie[]): Movie[] {
  const out: Movie[] = [];
  for (let k = 0; k < 16; k += 1) {
    const at = Math.floor(sorted.length * (0.4 + (0.5 * k) / 16));
    if (at + PAGE < sorted.length) out.push(sorted[at]);
  }
  return out;
}

async function prepare(client: MongoClient, dbName: string, size: number): Promise<Catalog> {
  const coll = client.db(dbName).collection<Movie>(`movies_${size}`);
  await coll.drop().catch(() => undefined);
  // The Movie model's indexes (graphql-api/src/movies/movie.model.ts).
  await coll.createIndex({ title: 1, _id: 1 });
  await coll.createIndex({ tags: 1, title: 1, _id: 1 });
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const movies: Movie[] = [];
  for (let i = 0; i < size; i += 1) {
    const pick = (): string => WORDS[Math.floor(random() * WORDS.length)];
    const title = `${pick()} ${pick()} ${Math.floor(random() * size)}`;
    const tags = [...new Set([0, 1, 2].map(() => TAGS[Math.floor(random() * TAGS.length)]))];
    movies.push({
      _id: new ObjectId(),
      title,
      titleSearch: title.toLowerCase(),
      year: 1930 + Math.floor(random() * 90),
      tags,
      description: `${title}: a film about ${pick().toLowerCase()} and ${pick().toLowerCase()}, told over ${tags.length} acts.`,
      duration: 80 + Math.floor(random() * 100),
    });
  }
  for (let start = 0; start < size; start += 10_000) {
    await coll.insertMany(movies.slice(start, start + 10_000), { ordered: false });
  }
  const sorted = [...movies].sort(byTitleThenId);
  return {
    coll,
    size,
    pivots: pivotsOf(sorted),
    tagPivots: TAGS.map((tag) => pivotsOf(sorted.filter((movie) => movie.tags.includes(tag)))),
  };
}

async function page(coll: Collection<Movie>, filter: Filter<Movie>): Promise<void> {
  const rows = await coll.find(filter).sort({ title: 1, _id: 1 }).limit(PAGE).toArray();
  if (rows.length !== PAGE) throw new RangeError(`a catalog page had ${rows.length} movies`);
}

const OPERATIONS: Record<keyof CatalogOps, (catalog: Catalog, i: number) => Promise<void>> = {
  firstPage: ({ coll }) => page(coll, {}),
  firstPageTagged: ({ coll }, i) => page(coll, { tags: { $all: [TAGS[i % TAGS.length]] } }),
  deepPage: ({ coll, pivots }, i) => page(coll, pageFilter({}, pivots[i % pivots.length])),
  deepPageTagged: ({ coll, tagPivots }, i) => {
    const tag = i % TAGS.length;
    const pivots = tagPivots[tag];
    const after = pivots[Math.floor(i / TAGS.length) % pivots.length];
    return page(coll, pageFilter({ tags: { $all: [TAGS[tag]] } }, after));
  },
};

/**
 * Reads catalog pages the way graphql-api's MovieService.list does (sorted by `(title, _id)`,
 * 21 movies, after a cursor or not, with a tag or not) from a small and a large catalog, in
 * alternating rounds. A benchmark: it reports, it asserts nothing.
 */
export async function runCatalogBench(
  options: CatalogBenchOptions = {},
): Promise<CatalogBenchResult> {
  const smallSize = options.smallSize ?? 1_000;
  const largeSize = options.largeSize ?? 100_000;
  const durationMs = options.durationMs ?? 1_500;
  const server = options.uri ? undefined : await startEmbeddedMongo({ logger: silentLogger });
  const uri = options.uri ?? server?.uri ?? '';
  const client = await MongoClient.connect(uri);
  const dbName = `bench_catalog_${process.pid}_${Date.now()}`;
  try {
    const { small, large } = await measureAlternating<Catalog, keyof CatalogOps>(
      OPERATIONS,
      await prepare(client, dbName, smallSize),
      await prepare(client, dbName, largeSize),
      durationMs,
    );
    const ratios = ratiosOf(small, large);
    return {
      smallSize,
      largeSize,
      small,
      large,
      ratios,
      worstRatio: Math.min(...Object.values(ratios)),
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
