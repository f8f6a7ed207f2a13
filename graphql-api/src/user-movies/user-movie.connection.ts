import { createConnectionType } from '../shared/connection';
import type { Connection } from '../shared/connection';
import { UserMovie } from './user-movie.model';

/** A page of the caller's list (`UserMovieConnection` / `UserMovieEdge`). */
export const UserMovieConnection = createConnectionType(UserMovie, 'UserMovie');
export type UserMovieConnection = Connection<UserMovie>;
