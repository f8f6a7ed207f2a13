import { MongoClient, ObjectId } from 'mongodb';
import type { Collection, Db, Document, Filter } from 'mongodb';
import { serverUri, uniqueDbName } from '../helpers';

/**
 * The winning plan of an explain reply in either of mongod 7.0's shapes: top-level
 * `queryPlanner` (a find, or a pipeline pushed down whole) or the first stage's `$cursor`
 * (a pipeline with more stages); under SBE the classic tree sits in `winningPlan.queryPlan`.
 */
function winningPlan(explain: Document): Document {
  const planner =
    (explain.queryPlanner as Document | undefined) ??
    ((explain.stages as Document[] | undefined)?.[0]?.$cursor as Document | undefined)
      ?.queryPlanner;
  if (!planner) throw new TypeError(`no queryPlanner in ${JSON.stringify(explain)}`);
  const plan = planner.winningPlan as Document;
  return (plan.queryPlan as Document | undefined) ?? plan;
}

/** executionStats in either shape. */
function executionStats(explain: Document): Document {
  const stats =
    (explain.executionStats as Document | undefined) ??
    ((explain.stages as Document[] | undefined)?.[0]?.$cursor as Document | undefined)
      ?.executionStats;
  if (!stats) throw new TypeError(`no executionStats in ${JSON.stringify(explain)}`);
  return stats as Document;
}

/** Every stage of a plan tree, depth first. */
function stages(plan: Document): Document[] {
  const children = [
    ...(plan.inputStage ? [plan.inputStage as Document] : []),
    ...((plan.inputStages as Document[] | undefined) ?? []),
  ];
  return [plan, ...children.flatMap(stages)];
}

function stageNames(plan: Document): string[] {
  return stages(plan).map((stage) => stage.stage as string);
}

function indexScans(plan: Document): Document[] {
  return stages(plan).filter((stage) => stage.stage === 'IXSCAN');
}

/** The index names any stage reads (IXSCAN, or mongod's COUNT_SCAN and DISTINCT_SCAN). */
function indexesUsed(plan: Document): string[] {
  return stages(plan).flatMap((stage) =>
    typeof stage.indexName === 'string' ? [stage.indexName] : [],
  );
}

/** Test rows keyed by small numbers (the driver's default type wants ObjectId keys). */
interface Row {
  _id: number;
  [field: string]: unknown;
}

/** A seeded generator, so every run (and both servers) sees the same data. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('ordered indexes: ranges, sorts, $in, prefixes and explain', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(serverUri());
    db = client.db(uniqueDbName('ordered'));
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  describe('single and compound indexes', () => {
    let items: Collection<Row>;

    beforeAll(async () => {
      items = db.collection<Row>('items');
      await items.createIndex({ n: 1 });
      await items.createIndex({ g: 1, n: 1 });
      const random = seeded(7);
      const order = Array.from({ length: 200 }, (_, i) => i).sort(() => random() - 0.5);
      await items.insertMany(order.map((n) => ({ _id: n, n, g: n % 4, other: n % 10 })));
    });

    it('answers a range through the index, in index order under a sort', async () => {
      const query = items.find({ n: { $gte: 10, $lt: 20 } }).sort({ n: 1 });
      expect((await query.toArray()).map((doc) => doc.n)).toEqual([
        10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
      ]);
      const explain = await items
        .find({ n: { $gte: 10, $lt: 20 } })
        .sort({ n: 1 })
        .explain('executionStats');
      const plan = winningPlan(explain);
      expect(stageNames(plan)).not.toContain('SORT');
      expect(indexScans(plan)).toEqual([
        expect.objectContaining({
          indexName: 'n_1',
          keyPattern: { n: 1 },
          direction: 'forward',
          indexBounds: { n: ['[10, 20)'] },
        }),
      ]);
      const stats = executionStats(explain);
      expect(stats.nReturned).toBe(10);
      expect(stats.totalDocsExamined).toBe(10);
      expect(stats.totalKeysExamined).toBeLessThanOrEqual(11);
    });

    it('reads the index backwards for the reverse sort, stopping after the limit', async () => {
      const docs = await items.find({}).sort({ n: -1 }).limit(5).toArray();
      expect(docs.map((doc) => doc.n)).toEqual([199, 198, 197, 196, 195]);
      const explain = await items.find({}).sort({ n: -1 }).limit(5).explain('executionStats');
      const plan = winningPlan(explain);
      expect(stageNames(plan)).not.toContain('SORT');
      expect(indexScans(plan)[0]).toMatchObject({ indexName: 'n_1', direction: 'backward' });
      expect(executionStats(explain).totalDocsExamined).toBe(5);
    });

    it('answers $in with one interval per value, in order', async () => {
      const docs = await items
        .find({ n: { $in: [70, 3, 5] } })
        .sort({ n: 1 })
        .toArray();
      expect(docs.map((doc) => doc.n)).toEqual([3, 5, 70]);
      const plan = winningPlan(await items.find({ n: { $in: [70, 3, 5] } }).explain());
      expect(indexScans(plan)[0]).toMatchObject({
        indexName: 'n_1',
        indexBounds: { n: ['[3, 3]', '[5, 5]', '[70, 70]'] },
      });
    });

    it('uses a compound index for equality on a prefix and a range on the next field', async () => {
      const docs = await items
        .find({ g: 2, n: { $gt: 150 } })
        .sort({ n: -1 })
        .toArray();
      const expected = Array.from({ length: 200 }, (_, n) => n)
        .filter((n) => n % 4 === 2 && n > 150)
        .reverse();
      expect(docs.map((doc) => doc.n)).toEqual(expected);
      const explain = await items
        .find({ g: 2, n: { $gt: 150 } })
        .sort({ n: -1 })
        .explain('executionStats');
      const plan = winningPlan(explain);
      expect(stageNames(plan)).not.toContain('SORT');
      expect(indexScans(plan)[0]).toMatchObject({
        indexName: 'g_1_n_1',
        direction: 'backward',
        indexBounds: { g: ['[2, 2]'], n: ['[inf.0, 150)'] },
      });
      expect(executionStats(explain).totalDocsExamined).toBe(expected.length);
    });

    it('sorts by the index after an equality prefix, and skips and limits on the way', async () => {
      const docs = await items.find({ g: 1 }).sort({ n: 1 }).skip(3).limit(4).toArray();
      expect(docs.map((doc) => doc.n)).toEqual([13, 17, 21, 25]);
      const explain = await items
        .find({ g: 1 })
        .sort({ n: 1 })
        .skip(3)
        .limit(4)
        .explain('executionStats');
      expect(stageNames(winningPlan(explain))).not.toContain('SORT');
      expect(indexScans(winningPlan(explain))[0]).toMatchObject({ indexName: 'g_1_n_1' });
      expect(executionStats(explain).nReturned).toBe(4);
    });

    it('merges the sorted runs of an $in on the prefix instead of sorting', async () => {
      const docs = await items
        .find({ g: { $in: [3, 1] } })
        .sort({ n: 1 })
        .limit(5)
        .toArray();
      expect(docs.map((doc) => doc.n)).toEqual([1, 3, 5, 7, 9]);
      const explain = await items
        .find({ g: { $in: [3, 1] } })
        .sort({ n: 1 })
        .limit(5)
        .explain('executionStats');
      const plan = winningPlan(explain);
      expect(stageNames(plan)).not.toContain('SORT');
      expect(stageNames(plan)).toContain('SORT_MERGE');
      expect(indexesUsed(plan)).toContain('g_1_n_1');
      expect(executionStats(explain).totalDocsExamined).toBeLessThanOrEqual(6);
    });

    it('answers a $or whose branches each have an index by a union of index scans', async () => {
      const filter = { $or: [{ n: 5 }, { g: 3, n: { $lt: 12 } }] };
      const docs = await items.find(filter).sort({ _id: 1 }).toArray();
      expect(docs.map((doc) => doc.n)).toEqual([3, 5, 7, 11]);
      const explain = await items.find(filter).explain('executionStats');
      const plan = winningPlan(explain);
      expect(stageNames(plan)).toContain('OR');
      expect(indexScans(plan).length).toBeGreaterThanOrEqual(2);
      expect(executionStats(explain)).toMatchObject({ nReturned: 4, totalDocsExamined: 4 });
    });

    it('keeps the order right after updates and deletes move keys', async () => {
      await items.updateOne({ _id: 5 }, { $set: { n: 500 } });
      await items.deleteOne({ _id: 198 });
      const top = await items
        .find({ n: { $gt: 190 } })
        .sort({ n: -1 })
        .toArray();
      expect(top.map((doc) => doc._id)).toEqual([5, 199, 197, 196, 195, 194, 193, 192, 191]);
      expect(await items.countDocuments({ n: { $lt: 10 } })).toBe(9);
      await items.updateOne({ _id: 5 }, { $set: { n: 5 } });
      await items.insertOne({ _id: 198, n: 198, g: 2, other: 8 });
    });

    it('scans the collection when no index applies, and says COLLSCAN', async () => {
      const explain = await items.find({ other: 3 }).explain('executionStats');
      expect(stageNames(winningPlan(explain))).toEqual(['COLLSCAN']);
      expect(executionStats(explain)).toMatchObject({ nReturned: 20, totalDocsExamined: 200 });
      const sorted = winningPlan(await items.find({ other: 3 }).sort({ other: 1 }).explain());
      expect(stageNames(sorted)).toContain('SORT');
      expect(stageNames(sorted)).toContain('COLLSCAN');
    });

    it('answers an anchored regex as a string range', async () => {
      const names = db.collection('names');
      await names.createIndex({ name: 1 });
      await names.insertMany(
        ['Abba', 'Abc', 'abc', 'Ab', 'Aa', 'B', 'Abz', 'Ac'].map((name) => ({ name })),
      );
      const docs = await names
        .find({ name: /^Ab/ })
        .sort({ name: 1 })
        .project({ _id: 0 })
        .toArray();
      expect(docs).toEqual([{ name: 'Ab' }, { name: 'Abba' }, { name: 'Abc' }, { name: 'Abz' }]);
      const plan = winningPlan(await names.find({ name: /^Ab/ }).explain());
      expect(indexScans(plan)[0]).toMatchObject({
        indexName: 'name_1',
        indexBounds: { name: ['["Ab", "Ac")', '[/^Ab/, /^Ab/]'] },
      });
      // Case-insensitive: every key is a candidate, none is lost.
      expect(await names.countDocuments({ name: /^ab/i })).toBe(5);
    });
  });

  describe('multikey indexes', () => {
    let posts: Collection<Row>;

    beforeAll(async () => {
      posts = db.collection<Row>('posts');
      await posts.createIndex({ tags: 1 });
      await posts.insertMany([
        { _id: 1, tags: ['a', 'z'] },
        { _id: 2, tags: ['m1'] },
        { _id: 3, tags: ['b'] },
        { _id: 4, tags: 'mm' },
        { _id: 5, tags: ['c', 'd', 'e'] },
        { _id: 6, tags: [] },
        { _id: 7 },
      ]);
    });

    it('matches a range through different elements, as MongoDB does', async () => {
      const docs = await posts
        .find({ tags: { $gt: 'm', $lt: 'n' } })
        .sort({ _id: 1 })
        .toArray();
      expect(docs.map((doc) => doc._id)).toEqual([1, 2, 4]);
      const plan = winningPlan(await posts.find({ tags: { $gt: 'm', $lt: 'n' } }).explain());
      expect(indexScans(plan)[0]).toMatchObject({ indexName: 'tags_1', isMultiKey: true });
    });

    it('returns a document reached through several keys once', async () => {
      const docs = await posts
        .find({ tags: { $in: ['c', 'd', 'e', 'a', 'z'] } })
        .sort({ _id: 1 })
        .toArray();
      expect(docs.map((doc) => doc._id)).toEqual([1, 5]);
      expect(await posts.countDocuments({ tags: { $gte: 'a' } })).toBe(5);
      expect(await posts.countDocuments({ tags: { $all: ['c', 'e'] } })).toBe(1);
    });

    it('sorts a multikey field by each document’s smallest or largest element', async () => {
      // (The empty array is left out: mongod sorts it before null, which is not modelled.)
      const filter = { _id: { $ne: 6 } };
      const ascending = await posts.find(filter).sort({ tags: 1, _id: 1 }).toArray();
      expect(ascending.map((doc) => doc._id)).toEqual([7, 1, 3, 5, 2, 4]);
      const descending = await posts.find(filter).sort({ tags: -1, _id: 1 }).toArray();
      expect(descending.map((doc) => doc._id)).toEqual([1, 4, 2, 5, 3, 7]);
    });
  });

  describe('unique, sparse and partial indexes', () => {
    it('never reads a sparse index for a sort it would cut short', async () => {
      const people = db.collection<Row>('people');
      await people.createIndex({ nick: 1 }, { sparse: true });
      await people.insertMany([{ _id: 1, nick: 'b' }, { _id: 2 }, { _id: 3, nick: 'a' }]);
      const docs = await people.find({}).sort({ nick: 1 }).toArray();
      expect(docs.map((doc) => doc._id)).toEqual([2, 3, 1]);
      const ranged = await people
        .find({ nick: { $gte: 'a' } })
        .sort({ nick: 1 })
        .toArray();
      expect(ranged.map((doc) => doc._id)).toEqual([3, 1]);
    });

    it('finds documents a partial index leaves out', async () => {
      const parts = db.collection<Row>('parts');
      await parts.createIndex({ part: 1 }, { partialFilterExpression: { kind: { $gt: 2 } } });
      await parts.insertMany([
        { _id: 1, part: 'p1', kind: 1 },
        { _id: 2, part: 'p1', kind: 5 },
        { _id: 3, part: 'p2', kind: 9 },
      ]);
      const docs = await parts
        .find({ part: { $gte: 'p1' } })
        .sort({ part: 1, _id: 1 })
        .toArray();
      expect(docs.map((doc) => doc._id)).toEqual([1, 2, 3]);
    });

    it('still enforces unique keys, and ranges see the committed values only', async () => {
      const codes = db.collection('codes');
      await codes.createIndex({ code: 1 }, { unique: true });
      await codes.insertMany([{ code: 'a' }, { code: 'c' }]);
      await expect(codes.insertOne({ code: 'a' })).rejects.toMatchObject({ code: 11000 });
      await expect(codes.updateOne({ code: 'c' }, { $set: { code: 'a' } })).rejects.toMatchObject({
        code: 11000,
      });
      const docs = await codes.find({ code: { $gt: '' } }, { projection: { _id: 0 } }).toArray();
      expect(docs).toEqual([{ code: 'a' }, { code: 'c' }]);
    });
  });

  describe('collation', () => {
    it('uses a collated index only for queries under the same collation', async () => {
      const words = db.collection<Row>('words');
      await words.createIndex({ word: 1 }, { collation: { locale: 'en', strength: 2 } });
      await words.insertMany(['b', 'abc', 'ABC', 'Abd', 'a'].map((word, i) => ({ _id: i, word })));
      const collation = { locale: 'en', strength: 2 };
      const same = await words.find({ word: 'abc' }, { collation }).sort({ _id: 1 }).toArray();
      expect(same.map((doc) => doc.word)).toEqual(['abc', 'ABC']);
      const samePlan = winningPlan(await words.find({ word: 'abc' }, { collation }).explain());
      expect(indexesUsed(samePlan)).toEqual(['word_1']);
      const sorted = await words.find({}, { collation }).sort({ word: 1, _id: 1 }).toArray();
      expect(sorted.map((doc) => doc._id)).toEqual([4, 1, 2, 3, 0]);
      // Binary comparison: the collated index cannot answer it, and only 'abc' matches.
      const binary = await words.find({ word: 'abc' }).toArray();
      expect(binary.map((doc) => doc.word)).toEqual(['abc']);
      expect(stageNames(winningPlan(await words.find({ word: 'abc' }).explain()))).toEqual([
        'COLLSCAN',
      ]);
      const ranged = await words
        .find({ word: { $gte: 'a', $lt: 'b' } })
        .sort({ _id: 1 })
        .toArray();
      expect(ranged.map((doc) => doc.word)).toEqual(['abc', 'a']);
    });
  });

  describe('the catalog query (graphql-api movie.service.ts)', () => {
    interface Movie {
      _id: ObjectId;
      title: string;
      titleSearch: string;
      tags: string[];
    }
    const TAGS = ['drama', 'comedy', 'noir', 'war', 'kids'];
    let movies: Collection<Movie>;
    let all: Movie[];

    beforeAll(async () => {
      movies = db.collection<Movie>('movies');
      await movies.createIndex({ title: 1, _id: 1 });
      await movies.createIndex({ tags: 1 });
      await movies.createIndex({ tags: 1, title: 1, _id: 1 });
      const random = seeded(11);
      all = Array.from({ length: 300 }, (_, i) => {
        // 60 titles for 300 movies: every page boundary falls inside a run of equal titles.
        const title = `Title ${String(Math.floor(random() * 60)).padStart(2, '0')}${i % 7 === 0 ? ' é' : ''}`;
        return {
          _id: new ObjectId(),
          title,
          titleSearch: title.toLowerCase(),
          tags: TAGS.filter(() => random() < 0.35),
        };
      });
      await movies.insertMany(all);
    });

    /** The service's filter for a page after `(title, id)`. */
    function pageFilter(match: Filter<Movie>, after?: Movie): Filter<Movie> {
      if (!after) return match;
      return {
        $and: [
          match,
          {
            $or: [{ title: { $gt: after.title } }, { title: after.title, _id: { $gt: after._id } }],
          },
        ],
      };
    }

    function reference(keep: (movie: Movie) => boolean): Movie[] {
      return all
        .filter(keep)
        .sort((a, b) =>
          a.title < b.title
            ? -1
            : a.title > b.title
              ? 1
              : a._id.toHexString() < b._id.toHexString()
                ? -1
                : 1,
        );
    }

    async function pages(match: Filter<Movie>, first: number): Promise<Movie[]> {
      const out: Movie[] = [];
      let after: Movie | undefined;
      for (let guard = 0; guard < 400; guard += 1) {
        const rows = await movies
          .find(pageFilter(match, after))
          .sort({ title: 1, _id: 1 })
          .limit(first + 1)
          .toArray();
        out.push(...rows.slice(0, first));
        if (rows.length <= first) return out;
        after = rows[first - 1];
      }
      throw new RangeError('the cursor never reached the end');
    }

    it('pages through the whole catalog in (title, _id) order by cursor and by offset', async () => {
      const expected = reference(() => true).map((movie) => movie._id.toHexString());
      const byCursor = await pages({}, 20);
      expect(byCursor.map((movie) => movie._id.toHexString())).toEqual(expected);
      const byOffset = await movies
        .find({})
        .sort({ title: 1, _id: 1 })
        .skip(140)
        .limit(21)
        .toArray();
      expect(byOffset.map((movie) => movie._id.toHexString())).toEqual(expected.slice(140, 161));
    });

    it('pages through a tag with $all and with $in, and with a title search', async () => {
      const noir = reference((movie) => movie.tags.includes('noir'));
      expect((await pages({ tags: { $all: ['noir'] } }, 20)).map((m) => m._id)).toEqual(
        noir.map((m) => m._id),
      );
      const either = reference(
        (movie) => movie.tags.includes('war') || movie.tags.includes('kids'),
      );
      expect((await pages({ tags: { $in: ['war', 'kids'] } }, 20)).map((m) => m._id)).toEqual(
        either.map((m) => m._id),
      );
      const searched = reference(
        (movie) => movie.tags.includes('drama') && movie.titleSearch.includes('e 1'),
      );
      expect(
        (await pages({ tags: { $all: ['drama'] }, titleSearch: { $regex: 'e 1' } }, 5)).map(
          (m) => m._id,
        ),
      ).toEqual(searched.map((m) => m._id));
    });

    it('explains the cursor query as an index walk without an in-memory sort', async () => {
      const pivot = reference(() => true)[120];
      for (const match of [{}, { tags: { $all: ['comedy'] } }]) {
        const explain = await movies
          .find(pageFilter(match, pivot))
          .sort({ title: 1, _id: 1 })
          .limit(21)
          .explain('executionStats');
        const plan = winningPlan(explain);
        expect(stageNames(plan)).not.toContain('SORT');
        expect(indexScans(plan).length).toBeGreaterThan(0);
        expect(executionStats(explain).nReturned).toBe(21);
      }
      const first = winningPlan(
        await movies.find({}).sort({ title: 1, _id: 1 }).limit(21).explain(),
      );
      expect(indexScans(first)[0]).toMatchObject({ indexName: 'title_1__id_1' });
    });

    it('explains an aggregate whose $match/$sort/$limit use the index', async () => {
      const explain = await movies
        .aggregate([{ $match: { tags: 'war' } }, { $sort: { title: 1, _id: 1 } }, { $limit: 5 }])
        .explain('queryPlanner');
      const plan = winningPlan(explain);
      expect(indexScans(plan).length).toBeGreaterThan(0);
      expect(stageNames(plan)).not.toContain('SORT');
      const grouped = await movies
        .aggregate([{ $match: { tags: 'war' } }, { $group: { _id: null, n: { $sum: 1 } } }])
        .explain('executionStats');
      expect(indexScans(winningPlan(grouped)).length).toBeGreaterThan(0);
    });
  });

  describe('explain arguments', () => {
    it('explains count and distinct, and a missing collection', async () => {
      const coll = db.collection('items');
      const count = await db.command({
        explain: { count: 'items', query: { n: { $lt: 5 } } },
        verbosity: 'queryPlanner',
      });
      expect(indexesUsed(winningPlan(count))).toEqual(['n_1']);
      const distinct = await db.command({
        explain: { distinct: 'items', key: 'g', query: { n: { $in: [1, 2] } } },
        verbosity: 'queryPlanner',
      });
      expect(indexesUsed(winningPlan(distinct)).length).toBeGreaterThan(0);
      const missing = await db.collection('nothing').find({ a: 1 }).explain('executionStats');
      expect(executionStats(missing)).toMatchObject({ nReturned: 0, totalDocsExamined: 0 });
      expect(missing.queryPlanner).toMatchObject({ namespace: `${db.databaseName}.nothing` });
      expect(await coll.countDocuments({})).toBeGreaterThan(0);
    });

    it('refuses a bad verbosity, an unknown command and a non-document', async () => {
      await expect(
        db.command({ explain: { find: 'items' }, verbosity: 'everything' }),
      ).rejects.toThrow();
      await expect(db.command({ explain: { noSuchCommand: 'items' } })).rejects.toThrow();
      await expect(db.command({ explain: 5 })).rejects.toThrow();
    });
  });
});
