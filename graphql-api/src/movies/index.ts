export { Movie, MovieModel, MOVIE_LIMITS } from './movie.model';
export { MovieConnection } from './movie.connection';
export {
  CreateMovieInput,
  MAX_MOVIES_OFFSET,
  MovieFilter,
  MovieListArgs,
  UpdateMovieInput,
} from './movie.inputs';
export { MovieService } from './movie.service';
export type { MovieServiceHooks } from './movie.service';
export { MovieResolver } from './movie.resolver';
