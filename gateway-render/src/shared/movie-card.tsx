import type { MovieCardFieldsFragment } from '../__generated__/graphql';
import { usableImageUrl } from '../assets/image-url';
import { posterPath } from '../assets/poster-path';
import { ListButton } from './list-button';
import { NavLink } from './navigation';

/** "1 h 52 min": the same text on the server and in the browser (no locale formatting). */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** What a cover needs: the movie's own cover URL, or what its generated poster is made of. */
export type CoverMovie = Pick<MovieCardFieldsFragment, 'id' | 'title' | 'year' | 'cover' | 'tags'>;

/** Poster sizes: the grid's cards and the movie page (2:3, drawn at twice this on dense screens by the SVG itself). */
const COVER_SIZES = { card: [200, 300], page: [320, 480] } as const;

/**
 * The movie's cover when it has one that can load, else its generated poster (an SVG made
 * from the title, year and genres, served from /assets/posters with a content hash). The image
 * is decorative (`alt=""`): the title is in the text beside it. `priority` marks the posters
 * of the first row, which are loaded eagerly and first.
 */
export function Cover({
  movie,
  size,
  priority = false,
}: {
  movie: CoverMovie;
  size: 'card' | 'page';
  priority?: boolean;
}) {
  const [width, height] = COVER_SIZES[size];
  // Only https covers: the page's CSP (img-src) refuses plain http images.
  const cover = usableImageUrl(movie.cover);
  const src = cover?.startsWith('https:') ? cover : posterPath(movie);
  const eager = priority || size === 'page';
  return (
    <div className={`cover cover-${size}`}>
      <img
        src={src}
        alt=""
        width={width}
        height={height}
        loading={eager ? 'eager' : 'lazy'}
        decoding="async"
        {...(eager ? { fetchPriority: 'high' as const } : {})}
      />
    </div>
  );
}

export interface MovieCardProps {
  movie: MovieCardFieldsFragment;
  /** Shows the list button (only signed-in people have a list). */
  signedIn: boolean;
  /** Where the list button's form post (no script) comes back to: the page showing the card. */
  returnTo: string;
  /** The card is in the first row: its poster loads eagerly, with high priority. */
  priority?: boolean;
}

/**
 * One movie in a grid: poster, title, year and duration, the whole card one link to the
 * movie (the title's link stretched over the card, so the link's name is just the title),
 * and, for signed-in people, the list button above it.
 */
export function MovieCard({ movie, signedIn, returnTo, priority = false }: MovieCardProps) {
  return (
    <li className="movie-card" data-movie-id={movie.id}>
      <Cover movie={movie} size="card" priority={priority} />
      <div className="card-body">
        <h2 className="card-title">
          <NavLink className="card-link" href={`/movies/${encodeURIComponent(movie.id)}`}>
            {movie.title}
          </NavLink>
        </h2>
        <p className="meta">
          {movie.year} · {formatDuration(movie.duration)}
        </p>
        {signedIn ? (
          <ListButton
            movieId={movie.id}
            title={movie.title}
            inMyList={movie.inMyList}
            returnTo={returnTo}
            compact
          />
        ) : null}
      </div>
    </li>
  );
}
