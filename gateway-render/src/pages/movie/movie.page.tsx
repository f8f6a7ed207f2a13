import type { MoviePageQuery, MoviePageQueryVariables } from '../../__generated__/graphql';
import { usableImageUrl } from '../../assets/image-url';
import { ListButton } from '../../shared/list-button';
import { Cover, formatDuration } from '../../shared/movie-card';
import { NavLink } from '../../shared/navigation';
import { usePageData } from '../../shared/page-data';
import { catalogUrl } from '../catalog/catalog-url';

/** `/?tag=<tag>`: the catalog filtered by one genre. */
function tagUrl(tag: string): string {
  return catalogUrl({ tags: [tag], search: '', year: null, page: 1 });
}

/** `/movies/:id`: one movie. The route answers 404 before rendering when it does not exist. */
export function MoviePage({
  variables,
  back,
}: {
  variables: MoviePageQueryVariables;
  /** The catalog URL the visitor came from (filters kept), or null. */
  back: string | null;
}) {
  const data = usePageData<MoviePageQuery>();
  const movie = data.movie;
  if (!movie) return null;
  const source = usableImageUrl(movie.source);
  const here = `/movies/${encodeURIComponent(variables.id)}`;
  return (
    <div className="movie-page">
      <p className="back-link">
        <NavLink href={back ?? '/'}>
          <span aria-hidden="true">← </span>
          {back && back !== '/' ? 'Back to results' : 'Back to the catalog'}
        </NavLink>
      </p>
      <div className="movie-layout">
        <Cover movie={movie} size="page" />
        <div className="movie-details">
          <h1>{movie.title}</h1>
          <p className="meta">
            {movie.year} · {formatDuration(movie.duration)}
            {movie.contentRating ? (
              <>
                {' · '}
                <span className="rating">{movie.contentRating}</span>
              </>
            ) : null}
          </p>
          <ul className="tag-list" aria-label="Genres">
            {movie.tags.map((tag) => (
              <li key={tag}>
                <NavLink className="tag" href={tagUrl(tag)}>
                  {tag}
                </NavLink>
              </li>
            ))}
          </ul>
          <p className="description">{movie.description}</p>
          <div className="movie-actions">
            {data.me ? (
              <ListButton
                movieId={movie.id}
                title={movie.title}
                inMyList={movie.inMyList}
                returnTo={here}
              />
            ) : (
              <p>
                <a
                  className="button primary"
                  href={`/sign-in?returnTo=${encodeURIComponent(here)}`}
                >
                  Sign in
                </a>{' '}
                to add it to your list.
              </p>
            )}
            {source ? (
              <a className="button ghost" href={source} rel="noopener noreferrer nofollow">
                Source
              </a>
            ) : null}
          </div>
        </div>
      </div>
    </div>
  );
}
