export { UserMovie, UserMovieModel } from './user-movie.model';
export { UserMovieConnection } from './user-movie.connection';
export { UserMovieService } from './user-movie.service';
export { UserListResolver, UserMovieResolver } from './user-movie.resolver';
