import { trusted, Types } from 'mongoose';
import type { QueryFilter } from 'mongoose';
import { decodeCursor, encodeCursor, slicePage } from '../shared/connection';
import { CATALOG_MAX_AGE } from '../shared/cache';
import { notFound } from '../shared/errors';
import { escapeRegExp, foldForSearch } from '../shared/text';
import { MovieConnection } from './movie.connection';
import type {
  CreateMovieInput,
  MovieFilter,
  MovieListArgs,
  UpdateMovieInput,
} from './movie.inputs';
import type { Movie } from './movie.model';
import { MovieModel } from './movie.model';

/** What the movie service tells other domains about (wired in the composition root). */
export interface MovieServiceHooks {
  /** Called after a movie is deleted, e.g. to drop it from every user's list. */
  onDeleted?: (movieId: Types.ObjectId) => Promise<void>;
  /**
   * Called after every write to the catalog (create, update, delete, backfill), before the
   * service call returns: cached catalog responses must not outlive it (src/response-cache).
   */
  onChanged?: () => Promise<void>;
  /**
   * The catalog's change counter as it is now (src/response-cache): equal values mean no
   * catalog write in between. With it, the number of movies matching a filter is counted once
   * per counter value instead of on every read of `totalCount`.
   */
  catalogVersion?: () => Promise<string>;
}

/** Filters whose counts are kept at most (the oldest goes first). */
const COUNTS_KEPT = 1000;

/**
 * How long a kept count is trusted at most, ms: the catalog's max-age, which every cache may
 * keep its answers for. It bounds writes that never move the counter (made by something else
 * than this service, or whose increment failed in another process).
 */
const COUNT_TTL_MS = CATALOG_MAX_AGE * 1000;

/** Movies the start-up backfill reads and writes per round trip. */
const BACKFILL_BATCH = 500;

/** A movie whose folded title is missing (stored before `titleSearch` existed) or not text. */
const WITHOUT_TITLE_SEARCH: QueryFilter<Movie> = {
  titleSearch: trusted({ $not: { $type: 'string' as const } }),
};

export class MovieService {
  /** The movies' collection, for other domains' `$lookup` stages. */
  readonly collectionName = MovieModel.collection.collectionName;

  /** Matching movies per filter, with the counter value read before they were counted. */
  private readonly counts = new Map<
    string,
    { version: string; count: number; expiresAt: number }
  >();

  constructor(private readonly hooks: MovieServiceHooks = {}) {}

  /**
   * The catalog ordered by title (then id), one page at a time: after a cursor, or after
   * skipping `offset` matching movies (the inputs refuse both together and cap `offset`).
   */
  async list(
    filter: MovieFilter | null | undefined,
    args: MovieListArgs,
  ): Promise<MovieConnection> {
    const match = this.filterQuery(filter);
    const conditions: QueryFilter<Movie>[] = [match];
    if (args.after) {
      const [title, id] = decodeCursor(args.after, ['string', 'objectId']) as [string, string];
      conditions.push({
        $or: [
          { title: trusted({ $gt: title }) },
          { title, _id: trusted({ $gt: new Types.ObjectId(id) }) },
        ],
      } as QueryFilter<Movie>);
    }
    const offset = args.offset ?? 0;
    const rows = await MovieModel.find(conditions.length > 1 ? { $and: conditions } : match)
      .sort({ title: 1, _id: 1 })
      .skip(offset)
      .limit(args.first + 1)
      .lean<Movie[]>();
    const { page, hasNextPage } = slicePage(rows, args.first);
    const edges = page.map((node) => ({
      cursor: encodeCursor([node.title, node._id.toHexString()]),
      node,
    }));
    // Movies come before this page when it starts after a cursor (the cursor's movie or ones
    // before it matched when it was read) or after skipping some that exist: a non-empty page
    // proves they do; past the end, one more (rare) query asks whether anything matches.
    const hasPreviousPage =
      Boolean(args.after) ||
      (offset > 0 && (edges.length > 0 || (await MovieModel.exists(match)) !== null));
    return new MovieConnection(
      edges,
      { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage, hasPreviousPage },
      () => this.countMatching(filter, match),
    );
  }

  /**
   * How many movies match: counted, or the count made since the catalog's counter last moved.
   * The counter is read before counting, so a count that raced a write is kept under the old
   * value and never served after it; the counter read is the one the response cache shares (one
   * per burst, or per `RESPONSE_CACHE_VERSION_TRUST_MS`), so a write acknowledged before a read
   * arrives is always counted, in every process. A count is kept for the catalog's max-age at
   * most: writes that never moved the counter show within it.
   */
  private async countMatching(
    filter: MovieFilter | null | undefined,
    match: QueryFilter<Movie>,
  ): Promise<number> {
    const versionOf = this.hooks.catalogVersion;
    if (!versionOf) return MovieModel.countDocuments(match).exec();
    let version: string;
    try {
      version = await versionOf();
    } catch {
      // The counter unreadable: count, and keep nothing.
      return MovieModel.countDocuments(match).exec();
    }
    // The filter as given (not the query built from it: its regex has no JSON).
    const key = JSON.stringify([
      filter?.tags ?? null,
      filter?.search ?? null,
      filter?.year ?? null,
    ]);
    const kept = this.counts.get(key);
    if (kept?.version === version && kept.expiresAt > Date.now()) return kept.count;
    const countedAt = Date.now();
    const count = await MovieModel.countDocuments(match).exec();
    this.counts.delete(key);
    if (this.counts.size >= COUNTS_KEPT) {
      const oldest = this.counts.keys().next();
      if (!oldest.done) this.counts.delete(oldest.value);
    }
    this.counts.set(key, { version, count, expiresAt: countedAt + COUNT_TTL_MS });
    return count;
  }

  /**
   * After every catalog write: moves the counter. If that fails, this process forgets its
   * counts (the write is done; its own next reads count again) and the mutation fails.
   */
  private async changed(): Promise<void> {
    try {
      await this.hooks.onChanged?.();
    } catch (error) {
      this.counts.clear();
      throw error;
    }
  }

  findById(id: Types.ObjectId): Promise<Movie | null> {
    return MovieModel.findById(id).lean<Movie>().exec();
  }

  /** For the per-request DataLoader: one query for many ids. */
  findByIds(ids: readonly Types.ObjectId[]): Promise<Movie[]> {
    return MovieModel.find({ _id: trusted({ $in: ids }) })
      .lean<Movie[]>()
      .exec();
  }

  async exists(id: Types.ObjectId): Promise<boolean> {
    return (await MovieModel.exists({ _id: id })) !== null;
  }

  /** True when the catalog has no movie at all (the seed fills only an empty catalog). */
  async isEmpty(): Promise<boolean> {
    return (await MovieModel.exists({})) === null;
  }

  /** Every tag in the catalog, sorted. */
  async tags(): Promise<string[]> {
    const tags = (await MovieModel.distinct('tags')) as string[];
    return tags.sort((a, b) => a.localeCompare(b));
  }

  async create(input: CreateMovieInput): Promise<Movie> {
    const created = await MovieModel.create({
      ...input,
      tags: input.tags ?? [],
      titleSearch: foldForSearch(input.title),
    });
    await this.changed();
    return created.toObject<Movie>();
  }

  /** Updates only the given fields; a missing movie is NOT_FOUND, never an upsert. */
  async update(id: Types.ObjectId, input: UpdateMovieInput): Promise<Movie> {
    const changes: Record<string, unknown> = Object.fromEntries(
      Object.entries(input).filter(([, value]) => value !== undefined),
    );
    if (typeof input.title === 'string') changes.titleSearch = foldForSearch(input.title);
    const movie = await MovieModel.findByIdAndUpdate(
      id,
      { $set: changes },
      { returnDocument: 'after', runValidators: true, upsert: false },
    ).lean<Movie>();
    if (!movie) throw notFound('Movie');
    await this.changed();
    return movie;
  }

  /**
   * Start-up migration: gives every movie stored before `titleSearch` existed (or written by
   * something other than this service) its folded title, so search finds it. Idempotent and
   * safe to run in several processes at once; with nothing missing it is one query that finds
   * nothing. Each write is conditioned on the title it folded, so a rename racing it keeps the
   * folded title `update` wrote. Returns how many movies it updated.
   */
  async backfillTitleSearch(): Promise<number> {
    let updated = 0;
    let lastId: Types.ObjectId | undefined;
    for (;;) {
      const batch = await MovieModel.find(
        lastId
          ? { $and: [WITHOUT_TITLE_SEARCH, { _id: trusted({ $gt: lastId }) }] }
          : WITHOUT_TITLE_SEARCH,
      )
        .select({ title: 1 })
        .sort({ _id: 1 })
        .limit(BACKFILL_BATCH)
        .lean<Pick<Movie, '_id' | 'title'>[]>();
      if (batch.length === 0) return updated;
      const result = await MovieModel.bulkWrite(
        batch.map((movie) => ({
          updateOne: {
            filter: { _id: movie._id, title: movie.title, ...WITHOUT_TITLE_SEARCH },
            update: { $set: { titleSearch: foldForSearch(movie.title) } },
          },
        })),
        { ordered: false },
      );
      updated += result.modifiedCount;
      // Search now finds these movies.
      if (result.modifiedCount > 0) await this.changed();
      lastId = batch.at(-1)?._id;
      if (batch.length < BACKFILL_BATCH) return updated;
    }
  }

  async delete(id: Types.ObjectId): Promise<void> {
    const deleted = await MovieModel.findByIdAndDelete(id).lean<Movie>();
    if (!deleted) throw notFound('Movie');
    await this.changed();
    await this.hooks.onDeleted?.(id);
  }

  private filterQuery(filter: MovieFilter | null | undefined): QueryFilter<Movie> {
    const query: QueryFilter<Movie> = {};
    if (filter?.tags && filter.tags.length > 0) query.tags = trusted({ $all: filter.tags });
    if (filter?.year !== undefined && filter.year !== null) query.year = filter.year;
    const search = filter?.search;
    // Both sides folded (no case, no accents): a literal substring match on the stored fold.
    const folded = search ? foldForSearch(search) : '';
    if (folded) query.titleSearch = trusted({ $regex: escapeRegExp(folded) });
    return query;
  }
}
