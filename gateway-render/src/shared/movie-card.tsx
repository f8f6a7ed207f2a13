import type { MovieCardFieldsFragment } from '../__generated__/graphql';
import { ListButton } from './list-button';
import { NavLink } from './navigation';

/** "1 h 52 min": the same text on the server and in the browser (no locale formatting). */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export interface MovieCardProps {
  movie: MovieCardFieldsFragment;
  signedIn: boolean;
  returnTo: string;
  onChanged?: () => void;
}

/** One movie in a grid: cover, title, year, duration, tags and, for signed-in people, the list button. */
export function MovieCard({ movie, signedIn, returnTo, onChanged }: MovieCardProps) {
  return (
    <li className="movie-card" data-movie-id={movie.id}>
      <img src={movie.cover} alt="" loading="lazy" width={160} height={240} />
      <h3>
        <NavLink href={`/movies/${encodeURIComponent(movie.id)}`}>{movie.title}</NavLink>
      </h3>
      <p className="meta">
        {movie.year} · {formatDuration(movie.duration)}
      </p>
      <ul className="movie-tags">
        {movie.tags.map((tag) => (
          <li key={tag}>{tag}</li>
        ))}
      </ul>
      {signedIn ? (
        <ListButton
          movieId={movie.id}
          inMyList={movie.inMyList}
          returnTo={returnTo}
          onChanged={onChanged}
        />
      ) : null}
    </li>
  );
}
