import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { setCatalogCacheHint } from '../shared/cache';
import { parseObjectId } from '../shared/object-id';
import { Scope } from '../shared/scopes';
import { MovieConnection } from './movie.connection';
import { CreateMovieInput, MovieFilter, MovieListArgs, UpdateMovieInput } from './movie.inputs';
import { Movie } from './movie.model';
import type { MovieService } from './movie.service';

@Resolver(() => Movie)
export class MovieResolver {
  constructor(private readonly movieService: MovieService) {}

  @Authorized([Scope.ReadMovies])
  @Query(() => MovieConnection)
  movies(
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Args(() => MovieListArgs) args: MovieListArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MovieConnection> {
    setCatalogCacheHint(info, context);
    return this.movieService.list(filter, args);
  }

  @Authorized([Scope.ReadMovies])
  @Query(() => Movie, { nullable: true })
  movie(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Movie | null> {
    setCatalogCacheHint(info, context);
    return context.loaders.movieById.load(parseObjectId(id, 'id').toHexString());
  }

  @Authorized([Scope.ReadMovies])
  @Query(() => [String], {
    description: 'Every tag used in the catalog, sorted, for filter menus. Needs read:movies.',
  })
  movieTags(@Ctx() context: Context, @Info() info: GraphQLResolveInfo): Promise<string[]> {
    setCatalogCacheHint(info, context);
    return this.movieService.tags();
  }

  @Authorized([Scope.CreateMovies])
  @Mutation(() => Movie)
  createMovie(@Arg('input', () => CreateMovieInput) input: CreateMovieInput): Promise<Movie> {
    return this.movieService.create(input);
  }

  @Authorized([Scope.UpdateMovies])
  @Mutation(() => Movie)
  updateMovie(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateMovieInput) input: UpdateMovieInput,
  ): Promise<Movie> {
    return this.movieService.update(parseObjectId(id, 'id'), input);
  }

  @Authorized([Scope.DeleteMovies])
  @Mutation(() => Boolean)
  async deleteMovie(@Arg('id', () => ID) id: string): Promise<boolean> {
    await this.movieService.delete(parseObjectId(id, 'id'));
    return true;
  }

  @FieldResolver(() => Boolean, {
    description:
      'Whether the calling user has this movie in their list; false for callers without a user. Batched per request.',
  })
  inMyList(@Root() movie: Movie, @Ctx() context: Context): Promise<boolean> | boolean {
    if (!context.user) return false;
    return context.loaders.inMyList.load(movie._id.toHexString());
  }
}
