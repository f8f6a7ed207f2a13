import { useQuery } from '@apollo/client/react';
import { MoviePageDocument } from '../../__generated__/graphql';
import type { MoviePageQueryVariables } from '../../__generated__/graphql';
import { httpUrl } from '../../shared/html';
import { ListButton } from '../../shared/list-button';
import { Cover, formatDuration } from '../../shared/movie-card';

/** `/movies/:id`: one movie. The route answers 404 before rendering when it does not exist. */
export function MoviePage({ variables }: { variables: MoviePageQueryVariables }) {
  const { data } = useQuery(MoviePageDocument, { variables });
  const movie = data?.movie;
  if (!data || !movie) return <p>Loading…</p>;
  const source = httpUrl(movie.source);
  return (
    <main className="movie-page">
      <Cover movie={movie} size="page" />
      <div>
        <h1>{movie.title}</h1>
        <p className="meta">
          {movie.year} · {formatDuration(movie.duration)} · {movie.contentRating}
        </p>
        <ul className="movie-tags">
          {movie.tags.map((tag) => (
            <li key={tag}>{tag}</li>
          ))}
        </ul>
        <p>{movie.description}</p>
        {source ? (
          <p>
            <a href={source} rel="noopener noreferrer nofollow">
              Source
            </a>
          </p>
        ) : null}
        {data.me ? (
          <ListButton
            movieId={movie.id}
            inMyList={movie.inMyList}
            returnTo={`/movies/${encodeURIComponent(movie.id)}`}
          />
        ) : (
          <p>
            <a href={`/sign-in?returnTo=${encodeURIComponent(`/movies/${movie.id}`)}`}>Sign in</a>{' '}
            to add it to your list.
          </p>
        )}
      </div>
    </main>
  );
}
