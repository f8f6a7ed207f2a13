import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { requireUser } from '../shared/auth-checker';
import { Movie } from '../movies';
import { User } from '../users';
import { setPerUserCacheHint } from '../shared/cache';
import { ConnectionArgs } from '../shared/connection';
import { unexpected } from '../shared/errors';
import { parseObjectId } from '../shared/object-id';
import { Scope } from '../shared/scopes';
import { selectsField } from '../shared/selection';
import { UserMovieConnection } from './user-movie.connection';
import { UserMovie } from './user-movie.model';
import type { UserMovieService } from './user-movie.service';

@Resolver(() => UserMovie)
export class UserMovieResolver {
  constructor(private readonly userMovieService: UserMovieService) {}

  @Authorized([Scope.ReadUserMovies])
  @Query(() => UserMovieConnection, { description: "The caller's own list, newest first." })
  async userMovies(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<UserMovieConnection> {
    const { connection, movies } = await this.userMovieService.list(requireUser(context).id, args, {
      countTotal: selectsField(info, 'totalCount'),
    });
    // The page came with its movies: the entries' `movie` (and, since every one of them is in
    // the caller's list, `inMyList`) resolve from the request's loaders without a query.
    for (const movie of movies) {
      const id = movie._id.toHexString();
      context.loaders.movieById.prime(id, movie);
      context.loaders.inMyList.prime(id, true);
    }
    return connection;
  }

  @Authorized([Scope.CreateUserMovies])
  @Mutation(() => UserMovie, {
    description: 'Idempotent: adding a movie already in the list returns the existing entry.',
  })
  addUserMovie(
    @Arg('movieId', () => ID) movieId: string,
    @Ctx() context: Context,
  ): Promise<UserMovie> {
    const user = requireUser(context);
    return this.userMovieService.add(user.id, parseObjectId(movieId, 'movieId'));
  }

  @Authorized([Scope.DeleteUserMovies])
  @Mutation(() => Boolean, {
    description: 'True when an entry was removed, false when the movie was not in the list.',
  })
  removeUserMovie(
    @Arg('movieId', () => ID) movieId: string,
    @Ctx() context: Context,
  ): Promise<boolean> {
    const user = requireUser(context);
    return this.userMovieService.remove(user.id, parseObjectId(movieId, 'movieId'));
  }

  /** Batched: one movie query per request for every entry on the page. */
  @FieldResolver(() => Movie)
  async movie(@Root() entry: UserMovie, @Ctx() context: Context): Promise<Movie> {
    const movie = await context.loaders.movieById.load(String(entry.movie));
    // Deleting a movie removes its list entries, so a miss is a broken invariant.
    if (!movie) throw unexpected(`List entry ${String(entry._id)} points to a missing movie`);
    return movie;
  }
}

/** The list's fields on the caller's own `User` (the list belongs to the user-movies domain). */
@Resolver(() => User)
export class UserListResolver {
  constructor(private readonly userMovieService: UserMovieService) {}

  @Authorized([Scope.ReadUserMovies])
  @FieldResolver(() => Int, {
    description:
      "How many movies are on this user's list (one count), for a header. Only on your own user: `me`, or the `user` of your own sign-in, sign-up or refresh answer; FORBIDDEN anywhere else. Never cached.",
  })
  myListCount(
    @Root() user: User,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<number> {
    setPerUserCacheHint(info, context);
    return this.userMovieService.count(context.provenUserIds, user._id);
  }
}
