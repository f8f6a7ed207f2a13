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
  /** Shows the list button (only signed-in people have a list). */
  signedIn: boolean;
  /** Where the list button's form post (no script) comes back to: the page showing the card. */
  returnTo: string;
  /** Called after the list changed in place (the list page reloads its entries). */
  onChanged?: () => void;
}

/**
 * A cover that degrades to a styled card with the title when the image is missing or cannot
 * load (offline, a dead link), without script and within the CSP (no inline styles or
 * handlers). The title sits behind the image; browsers that draw a broken image's icon
 * (Chromium, Firefox) draw the image's ::after instead, which repeats the title and year
 * from `data-title` and `data-year` (see styles.css). The image is decorative (`alt=""`): the title is in the text.
 */
export function Cover({ movie, size }: { movie: CoverMovie; size: 'card' | 'page' }) {
  const [width, height] = size === 'card' ? [160, 240] : [240, 360];
  return (
    <div className={`cover cover-${size}`}>
      <span className="cover-fallback" aria-hidden="true">
        <span className="cover-title">{movie.title}</span>
        <span className="cover-year">{movie.year}</span>
      </span>
      {movie.cover ? (
        <img
          src={movie.cover}
          alt=""
          data-title={movie.title}
          data-year={movie.year}
          loading={size === 'card' ? 'lazy' : undefined}
          width={width}
          height={height}
        />
      ) : null}
    </div>
  );
}

/** What a cover needs to show its image or its fallback. */
export type CoverMovie = Pick<MovieCardFieldsFragment, 'title' | 'year' | 'cover'>;

/** One movie in a grid: cover, title, year, duration, tags and, for signed-in people, the list button. */
export function MovieCard({ movie, signedIn, returnTo, onChanged }: MovieCardProps) {
  return (
    <li className="movie-card" data-movie-id={movie.id}>
      <Cover movie={movie} size="card" />
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
