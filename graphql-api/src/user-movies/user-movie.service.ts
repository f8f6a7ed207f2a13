import { trusted, Types } from 'mongoose';
import type { MovieService } from '../movies';
import type { ConnectionArgs } from '../shared/connection';
import { decodeCursor, encodeCursor, slicePage } from '../shared/connection';
import { isDuplicateKeyError, notFound, unexpected } from '../shared/errors';
import { UserMovieConnection } from './user-movie.connection';
import type { UserMovie } from './user-movie.model';
import { UserMovieModel } from './user-movie.model';

/** Every method takes the caller's user id: a list is only ever read or changed by its owner. */
export class UserMovieService {
  constructor(private readonly movies: MovieService) {}

  /** The user's list, newest first. */
  async list(userId: Types.ObjectId, args: ConnectionArgs): Promise<UserMovieConnection> {
    const owner = { user: userId };
    let filter: Record<string, unknown> = owner;
    if (args.after) {
      const [time, id] = decodeCursor(args.after, ['timestamp', 'objectId']) as [number, string];
      const createdAt = new Date(time);
      filter = {
        user: userId,
        $or: [
          { createdAt: trusted({ $lt: createdAt }) },
          { createdAt, _id: trusted({ $lt: new Types.ObjectId(id) }) },
        ],
      };
    }
    const rows = await UserMovieModel.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(args.first + 1)
      .lean<UserMovie[]>();
    const { page, hasNextPage } = slicePage(rows, args.first);
    const edges = page.map((node) => ({
      cursor: encodeCursor([node.createdAt.getTime(), node._id.toHexString()]),
      node,
    }));
    return new UserMovieConnection(
      edges,
      { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage },
      () => UserMovieModel.countDocuments(owner).exec(),
    );
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
