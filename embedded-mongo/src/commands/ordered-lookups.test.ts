import { ObjectId } from 'bson';
import { commandContext } from '../../test/helpers';
import type { Doc } from '../query/documents';
import { executeFind } from '../query/find';
import { compileFilter } from '../query/filter';
import { sortDocuments } from '../query/sort';
import { Collection } from '../storage/collection';
import { normalizeIndexSpec } from '../storage/indexes';
import { SortedKeys } from '../storage/sorted-keys';
import type { IndexKey } from '../storage/sorted-keys';
import { runCommand } from './index';

/**
 * Embedded server internals: sorted and ranged reads walk an ordered index and stop after
 * skip+limit matches instead of sorting every match. `explain`'s executionStats counts what
 * each read fetched, which must stay near the page size however large the collection is.
 */
describe('ordered index reads through the commands', () => {
  const context = commandContext();
  const SIZE = 10_000;
  const ids: ObjectId[] = [];
  const TAGS = ['drama', 'comedy', 'noir', 'war', 'kids', 'sci-fi', 'doc', 'horror'];

  async function run(command: Doc): Promise<Doc> {
    const reply = await runCommand({ ...command, $db: 'app' }, context);
    expect(reply).toMatchObject({ ok: 1 });
    return reply;
  }

  async function stats(find: Doc): Promise<{ docs: number; keys: number; n: number; plan: Doc }> {
    const reply = await run({ explain: { find: 'movies', ...find }, verbosity: 'executionStats' });
    const executionStats = reply.executionStats as Doc;
    return {
      docs: executionStats.totalDocsExamined as number,
      keys: executionStats.totalKeysExamined as number,
      n: executionStats.nReturned as number,
      plan: (reply.queryPlanner as Doc).winningPlan as Doc,
    };
  }

  function stageNames(plan: Doc): string[] {
    const input = plan.inputStage as Doc | undefined;
    return [plan.stage as string, ...(input ? stageNames(input) : [])];
  }

  /** The service's query (graphql-api/src/movies/movie.service.ts) for a page after a cursor. */
  function catalogFilter(match: Doc, after?: { title: string; id: ObjectId }): Doc {
    if (!after) return match;
    return {
      $and: [
        match,
        { $or: [{ title: { $gt: after.title } }, { title: after.title, _id: { $gt: after.id } }] },
      ],
    };
  }

  beforeAll(async () => {
    await run({
      createIndexes: 'movies',
      indexes: [
        { key: { title: 1, _id: 1 }, name: 'title_1__id_1' },
        { key: { tags: 1 }, name: 'tags_1' },
        { key: { tags: 1, title: 1, _id: 1 }, name: 'tags_1_title_1__id_1' },
      ],
    });
    const documents: Doc[] = [];
    for (let i = 0; i < SIZE; i += 1) {
      // Shuffled titles (a permutation), some repeated, so the order is not insertion order.
      const title = `Movie ${String((i * 7919) % SIZE).padStart(5, '0')}`;
      ids.push(new ObjectId());
      documents.push({
        _id: ids[i],
        title: i % 97 === 0 ? 'Same title' : title,
        tags: [TAGS[i % TAGS.length], TAGS[(i * 3 + 1) % TAGS.length]],
        year: 1950 + (i % 70),
      });
    }
    for (let start = 0; start < SIZE; start += 1000) {
      await run({ insert: 'movies', documents: documents.slice(start, start + 1000) });
    }
  });

  it('serves the catalog first page from the title index, fetching about a page', async () => {
    const first = await stats({ filter: {}, sort: { title: 1, _id: 1 }, limit: 21 });
    expect(first.n).toBe(21);
    expect(first.docs).toBeLessThanOrEqual(21);
    expect(stageNames(first.plan)).toEqual(['LIMIT', 'FETCH', 'IXSCAN']);
    const tagged = await stats({
      filter: { tags: { $all: ['noir'] } },
      sort: { title: 1, _id: 1 },
      limit: 21,
    });
    expect(tagged.n).toBe(21);
    expect(tagged.docs).toBeLessThanOrEqual(21);
    expect(JSON.stringify(tagged.plan)).toContain('tags_1_title_1__id_1');
  });

  it('serves a page deep in the cursor, with and without tags, and with an offset', async () => {
    const page = (await run({
      find: 'movies',
      filter: {},
      sort: { title: 1, _id: 1 },
      skip: 6000,
      limit: 1,
    })) as { cursor: { firstBatch: Doc[] } };
    const [pivot] = page.cursor.firstBatch;
    const after = { title: pivot.title as string, id: pivot._id as ObjectId };
    const deep = await stats({
      filter: catalogFilter({}, after),
      sort: { title: 1, _id: 1 },
      limit: 21,
    });
    expect(deep.n).toBe(21);
    expect(deep.docs).toBeLessThanOrEqual(21 + SIZE / 97);
    const deepTagged = await stats({
      filter: catalogFilter({ tags: { $all: ['war'] } }, after),
      sort: { title: 1, _id: 1 },
      limit: 21,
    });
    expect(deepTagged.n).toBe(21);
    expect(deepTagged.docs).toBeLessThanOrEqual(21 + SIZE / 97);
    expect(stageNames(deepTagged.plan)).not.toContain('SORT');
    // With a title search (a substring regex the index cannot bound) the walk still stops.
    const searched = await stats({
      filter: { titleSearch: { $regex: 'zzz' }, tags: { $all: ['war'] } },
      sort: { title: 1, _id: 1 },
      limit: 21,
    });
    expect(searched.n).toBe(0);
    const offset = await stats({ filter: {}, sort: { title: 1, _id: 1 }, skip: 100, limit: 21 });
    expect(offset.docs).toBeLessThanOrEqual(121);
  });

  it('pages with $in tags by walking the title index or the tag index, never scanning all', async () => {
    const result = await stats({
      filter: { tags: { $in: ['kids', 'doc'] } },
      sort: { title: 1, _id: 1 },
      limit: 21,
    });
    expect(result.n).toBe(21);
    expect(result.docs).toBeLessThan(SIZE / 2);
  });

  it('answers ranges, reverse sorts and sort+limit on _id without a scan', async () => {
    const reversed = await stats({ filter: {}, sort: { _id: -1 }, limit: 3 });
    expect(reversed.docs).toBe(3);
    expect(JSON.stringify(reversed.plan)).toContain('"direction":"backward"');
    const range = await stats({ filter: { year: 1960, title: { $gte: 'Movie 09' } }, limit: 5 });
    expect(range.n).toBe(5);
    expect(range.docs).toBeLessThan(SIZE / 2);
  });

  it('looks up long $in lists one key at a time, and $in × $in products without a scan', async () => {
    const many = await stats({
      filter: { _id: { $in: ids.slice(0, 1500).filter((_, i) => i % 5 === 0) } },
    });
    expect(many).toMatchObject({ n: 300, docs: 300, keys: 300 });
    const product = await stats({
      filter: {
        tags: { $in: TAGS },
        title: {
          $in: Array.from({ length: 300 }, (_, i) => `Movie ${String(i).padStart(5, '0')}`),
        },
      },
    });
    expect(product.n).toBeGreaterThan(0);
    expect(product.docs).toBeLessThanOrEqual(product.n * 2);
  });

  it('counts as many documents as it fetched when the collection scan is the only plan', async () => {
    const scan = await stats({ filter: { year: 1960 } });
    expect(scan.docs).toBe(SIZE);
    expect(stageNames(scan.plan)).toEqual(['COLLSCAN']);
  });
});

describe('SortedKeys', () => {
  const compare = (a: IndexKey, b: IndexKey): number =>
    (a.values[0] as number) - (b.values[0] as number) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  it('stays sorted through random inserts and deletes across chunk splits', () => {
    const keys = new SortedKeys(compare);
    const reference: IndexKey[] = [];
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 6000; i += 1) {
      if (reference.length > 0 && random() < 0.3) {
        const [victim] = reference.splice(Math.floor(random() * reference.length), 1);
        expect(keys.delete(victim)).toBe(true);
      } else {
        const key = { values: [Math.floor(random() * 500)], id: `k${i}` };
        keys.insert(key);
        reference.push(key);
      }
    }
    reference.sort(compare);
    expect(keys.size).toBe(reference.length);
    const all = [...keys.range({ chunk: 0, offset: 0 }, keys.end())];
    expect(all).toEqual(reference);
    expect([...keys.range({ chunk: 0, offset: 0 }, keys.end(), true)]).toEqual(
      [...reference].reverse(),
    );
    const from = keys.seek((entry) => (entry.values[0] as number) >= 100);
    const to = keys.seek((entry) => (entry.values[0] as number) > 200);
    const inRange = reference.filter(
      (k) => (k.values[0] as number) >= 100 && (k.values[0] as number) <= 200,
    );
    expect(keys.countBetween(from, to)).toBe(inRange.length);
    expect([...keys.range(from, to)]).toEqual(inRange);
    expect([...keys.range(from, to, true)]).toEqual([...inRange].reverse());
    expect(keys.delete({ values: [9999], id: 'none' })).toBe(false);
  });
});

describe('planned reads agree with a scan and an in-memory sort', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];
  const scalar = (): unknown =>
    pick([() => Math.floor(random() * 20), () => pick(['a', 'b', 'c', 'd', 'e']), () => null])();

  const coll = new Collection('test', 'random');
  coll.addIndex(normalizeIndexSpec({ key: { a: 1, _id: 1 } }));
  coll.addIndex(normalizeIndexSpec({ key: { b: -1, _id: -1 } }));
  coll.addIndex(normalizeIndexSpec({ key: { a: 1, b: 1, _id: 1 } }));
  coll.addIndex(normalizeIndexSpec({ key: { c: 1 } }));
  for (let i = 0; i < 600; i += 1) {
    const doc: Doc = { _id: i, b: Math.floor(random() * 30) };
    const shape = random();
    if (shape < 0.6) doc.a = scalar();
    else if (shape < 0.8) doc.a = [scalar(), scalar()];
    if (random() < 0.5) doc.c = pick(['x', 'xa', 'xb', 'y', 'ya', 'z']);
    coll.insert(doc);
  }

  const predicate = (): unknown =>
    pick([
      () => scalar(),
      () => ({ $in: [scalar(), scalar(), scalar()] }),
      () => ({ $gt: scalar() }),
      () => ({ $gte: Math.floor(random() * 20), $lt: Math.floor(random() * 20) }),
      () => ({ $lte: pick(['b', 'c', 'd']) }),
      () => ({ $ne: scalar() }),
      () => ({ $all: [scalar()] }),
    ])();
  const clause = (): Doc =>
    pick([
      () => ({ a: predicate() }),
      () => ({ b: { $gt: Math.floor(random() * 30) } }),
      () => ({ a: predicate(), b: { $lt: Math.floor(random() * 30) } }),
      () => ({ c: pick([/^x/, /^y/, /^xa/, /^/, /x/]) }),
      () => ({ $or: [{ a: predicate() }, { a: predicate(), b: predicate() }] }),
      () => ({ $or: [{ a: predicate() }, { b: predicate() }, { c: pick([/^x/, 'y']) }] }),
      () => ({ $or: [{ b: { $lt: Math.floor(random() * 30) } }, { _id: { $in: [1, 2, 3] } }] }),
      () => ({}),
    ])();

  it('returns the same documents in the same order for 400 random queries', () => {
    const all = [...coll.docs.values()];
    for (let round = 0; round < 400; round += 1) {
      const filter = random() < 0.3 ? { $and: [clause(), clause()] } : clause();
      const sort = pick([
        undefined,
        { a: 1, _id: 1 },
        { a: -1, _id: -1 },
        { b: -1, _id: -1 },
        { b: 1, _id: 1 },
        { a: 1, b: 1, _id: 1 },
        { _id: -1 },
      ] as Array<Record<string, 1 | -1> | undefined>);
      const skip = pick([0, 0, 3]);
      const limit = pick([0, 1, 5, 20]);
      const result = executeFind(coll, { filter, sort, skip, limit });
      const test = compileFilter(filter);
      const matches = all.filter((doc) => test(doc));
      const label = JSON.stringify({ filter, sort, skip, limit });
      if (sort) {
        const expected = sortDocuments(matches, sort).slice(
          skip,
          limit > 0 ? skip + limit : undefined,
        );
        expect([label, result.docs.map((doc) => doc._id)]).toEqual([
          label,
          expected.map((doc) => doc._id),
        ]);
      } else {
        expect(result.docs).toHaveLength(
          Math.max(0, Math.min(matches.length - skip, limit > 0 ? limit : matches.length)),
        );
        for (const doc of result.docs) expect([label, test(doc)]).toEqual([label, true]);
        expect(new Set(result.docs.map((doc) => doc._id)).size).toBe(result.docs.length);
      }
    }
  });
});
