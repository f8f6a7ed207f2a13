import { trusted, Types } from 'mongoose';
import type { PipelineStage } from 'mongoose';
import type { Movie, MovieService } from '../movies';
import type { ConnectionArgs } from '../shared/connection';
import { decodeCursor, encodeCursor, slicePage } from '../shared/connection';
import { isDuplicateKeyError, notFound, ownerOnly, unexpected } from '../shared/errors';
import { UserMovieConnection } from './user-movie.connection';
import type { UserMovie } from './user-movie.model';
import { UserMovieModel } from './user-movie.model';

/** Where the aggregate puts an entry's joined movie (an array of at most one). */
const MOVIE_FIELD = 'joinedMovie';

type JoinedRow = UserMovie & { [MOVIE_FIELD]: Movie[] };

/** A page of the list and the movies of its entries (for the per-request movie loader). */
export interface UserMoviePage {
  connection: UserMovieConnection;
  movies: Movie[];
}

/** Every method takes the caller's user id: a list is only ever read or changed by its owner. */
export class UserMovieService {
  constructor(private readonly movies: MovieService) {}

  /**
   * The user's list, newest first, with each entry's movie, in ONE aggregate: the page of
   * entries joined with their movies (`$lookup` on `_id`), and, when `countTotal` is set, the
   * list's size in the same round trip (`$facet`). The caller primes its per-request movie
   * loader with `movies`, so the entries' `movie` fields need no further query.
   */
  async list(
    userId: Types.ObjectId,
    args: ConnectionArgs,
    options: { countTotal?: boolean } = {},
  ): Promise<UserMoviePage> {
    const owner = { user: userId };
    let after: Record<string, unknown> | undefined;
    if (args.after) {
      const [time, id] = decodeCursor(args.after, ['timestamp', 'objectId']) as [number, string];
      const createdAt = new Date(time);
      after = {
        $or: [
          { createdAt: { $lt: createdAt } },
          { createdAt, _id: { $lt: new Types.ObjectId(id) } },
        ],
      };
    }
    // Values are built here (ObjectIds, Dates), never taken from the caller: aggregate does not
    // cast or sanitize, so nothing else may go into these stages.
    const page: PipelineStage.FacetPipelineStage[] = [
      { $sort: { createdAt: -1, _id: -1 } },
      { $limit: args.first + 1 },
      {
        $lookup: {
          from: this.movies.collectionName,
          localField: 'movie',
          foreignField: '_id',
          as: MOVIE_FIELD,
        },
      },
    ];
    let rows: JoinedRow[];
    let total: number | undefined;
    if (options.countTotal) {
      const [facets] = await UserMovieModel.aggregate<{
        page: JoinedRow[];
        total: { n: number }[];
      }>([
        { $match: owner },
        {
          $facet: {
            page: after ? [{ $match: after }, ...page] : page,
            total: [{ $count: 'n' }],
          },
        },
      ]);
      rows = facets?.page ?? [];
      total = facets?.total[0]?.n ?? 0;
    } else {
      rows = await UserMovieModel.aggregate<JoinedRow>([
        { $match: after ? { ...owner, ...after } : owner },
        ...page,
      ]);
    }
    const { page: pageRows, hasNextPage } = slicePage(rows, args.first);
    const movies: Movie[] = [];
    const nodes = pageRows.map(({ [MOVIE_FIELD]: joined, ...entry }): UserMovie => {
      // Empty only for an entry whose movie is gone: the loader then asks (and finds nothing).
      if (joined[0]) movies.push(joined[0]);
      return entry;
    });
    const edges = nodes.map((node) => ({
      cursor: encodeCursor([node.createdAt.getTime(), node._id.toHexString()]),
      node,
    }));
    const connection = new UserMovieConnection(
      edges,
      // After a cursor, the cursor's entry (or ones newer than it) came before this page.
      {
        endCursor: edges.at(-1)?.cursor ?? null,
        hasNextPage,
        hasPreviousPage: Boolean(args.after),
      },
      () =>
        total === undefined ? UserMovieModel.countDocuments(owner).exec() : Promise.resolve(total),
    );
    return { connection, movies };
  }

  /**
   * How many movies are on `ownerId`'s list: one `countDocuments` on the per-user index. Only
   * the owner may ask: the request must have proven to be that user (`provenUserIds`: its
   * access token's user, or the one its sign-in or sign-up authenticated); anyone else is
   * FORBIDDEN.
   */
  async count(provenUserIds: ReadonlySet<string>, ownerId: Types.ObjectId): Promise<number> {
    if (!provenUserIds.has(ownerId.toHexString())) {
      throw ownerOnly('myListCount is only available on your own user');
    }
    return UserMovieModel.countDocuments({ user: ownerId }).exec();
  }

  /** Idempotent: an entry already there is returned as is. NOT_FOUND for a missing movie. */
  async add(userId: Types.ObjectId, movieId: Types.ObjectId): Promise<UserMovie> {
    if (!(await this.movies.exists(movieId))) throw notFound('Movie');
    const key = { user: userId, movie: movieId };
    let entry: UserMovie;
    try {
      entry = await this.upsert(key);
    } catch (error) {
      // Two concurrent adds: the unique index lets one insert; the other reads it.
      if (!isDuplicateKeyError(error)) throw error;
      entry = await this.upsert(key);
    }
    // A deleteMovie between the check and the insert has already cleared the lists, so this
    // entry would point nowhere and break the owner's whole list (its `movie` is non-null).
    if (!(await this.movies.exists(movieId))) {
      await UserMovieModel.deleteOne({ _id: entry._id });
      throw notFound('Movie');
    }
    return entry;
  }

  /** True when an entry was removed, false when the movie was not in the list. */
  async remove(userId: Types.ObjectId, movieId: Types.ObjectId): Promise<boolean> {
    const result = await UserMovieModel.deleteOne({ user: userId, movie: movieId });
    return result.deletedCount > 0;
  }

  /** Which of these movies the user has listed (one query, for the inMyList DataLoader). */
  async listedMovieIds(
    userId: Types.ObjectId,
    movieIds: readonly Types.ObjectId[],
  ): Promise<Set<string>> {
    const rows = await UserMovieModel.find({ user: userId, movie: trusted({ $in: movieIds }) })
      .select({ movie: 1 })
      .lean<Pick<UserMovie, 'movie'>[]>();
    return new Set(rows.map((row) => String(row.movie)));
  }

  /** Drops a deleted movie from every list. */
  async removeForMovie(movieId: Types.ObjectId): Promise<void> {
    await UserMovieModel.deleteMany({ movie: movieId });
  }

  private async upsert(key: { user: Types.ObjectId; movie: Types.ObjectId }): Promise<UserMovie> {
    const entry = await UserMovieModel.findOneAndUpdate(
      key,
      { $setOnInsert: key },
      { upsert: true, returnDocument: 'after' },
    ).lean<UserMovie>();
    if (!entry) throw unexpected('Upsert returned no document');
    return entry;
  }
}
