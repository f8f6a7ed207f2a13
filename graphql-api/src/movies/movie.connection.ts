import { createConnectionType } from '../shared/connection';
import type { Connection } from '../shared/connection';
import { Movie } from './movie.model';

/** A page of the catalog (`MovieConnection` / `MovieEdge`), cached like the movies in it. */
export const MovieConnection = createConnectionType(Movie, 'Movie', { inheritMaxAge: true });
export type MovieConnection = Connection<Movie>;
