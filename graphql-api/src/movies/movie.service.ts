import { trusted, Types } from 'mongoose';
import type { QueryFilter } from 'mongoose';
import type { ConnectionArgs } from '../shared/connection';
import { decodeCursor, encodeCursor, slicePage } from '../shared/connection';
import { notFound } from '../shared/errors';
import { escapeRegExp } from '../shared/text';
import { MovieConnection } from './movie.connection';
import type { CreateMovieInput, MovieFilter, UpdateMovieInput } from './movie.inputs';
import type { Movie } from './movie.model';
import { MovieModel } from './movie.model';

/** What the movie service tells other domains about (wired in the composition root). */
export interface MovieServiceHooks {
  /** Called after a movie is deleted, e.g. to drop it from every user's list. */
  onDeleted?: (movieId: Types.ObjectId) => Promise<void>;
}

export class MovieService {
  /** The movies' collection, for other domains' `$lookup` stages. */
  readonly collectionName = MovieModel.collection.collectionName;

  constructor(private readonly hooks: MovieServiceHooks = {}) {}

  /** The catalog ordered by title, one page at a time. */
  async list(
    filter: MovieFilter | null | undefined,
    args: ConnectionArgs,
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
    const rows = await MovieModel.find(conditions.length > 1 ? { $and: conditions } : match)
      .sort({ title: 1, _id: 1 })
      .limit(args.first + 1)
      .lean<Movie[]>();
    const { page, hasNextPage } = slicePage(rows, args.first);
    const edges = page.map((node) => ({
      cursor: encodeCursor([node.title, node._id.toHexString()]),
      node,
    }));
    return new MovieConnection(
      edges,
      { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage },
      () => MovieModel.countDocuments(match).exec(),
    );
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
    const created = await MovieModel.create({ ...input, tags: input.tags ?? [] });
    return created.toObject<Movie>();
  }

  /** Updates only the given fields; a missing movie is NOT_FOUND, never an upsert. */
  async update(id: Types.ObjectId, input: UpdateMovieInput): Promise<Movie> {
    const changes = Object.fromEntries(
      Object.entries(input).filter(([, value]) => value !== undefined),
    );
    const movie = await MovieModel.findByIdAndUpdate(
      id,
      { $set: changes },
      { returnDocument: 'after', runValidators: true, upsert: false },
    ).lean<Movie>();
    if (!movie) throw notFound('Movie');
    return movie;
  }

  async delete(id: Types.ObjectId): Promise<void> {
    const deleted = await MovieModel.findByIdAndDelete(id).lean<Movie>();
    if (!deleted) throw notFound('Movie');
    await this.hooks.onDeleted?.(id);
  }

  private filterQuery(filter: MovieFilter | null | undefined): QueryFilter<Movie> {
    const query: QueryFilter<Movie> = {};
    if (filter?.tags && filter.tags.length > 0) query.tags = trusted({ $all: filter.tags });
    if (filter?.year !== undefined && filter.year !== null) query.year = filter.year;
    const search = filter?.search?.trim();
    if (search) query.title = trusted({ $regex: escapeRegExp(search), $options: 'i' });
    return query;
  }
}
