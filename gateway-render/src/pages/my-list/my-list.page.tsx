import { useQuery } from '@apollo/client/react';
import { MyListDocument } from '../../__generated__/graphql';
import type { MyListQueryVariables } from '../../__generated__/graphql';
import { MovieCard } from '../../shared/movie-card';
import { NavLink, useNavigate } from '../../shared/navigation';

export function myListUrl(after: string | null | undefined): string {
  return after ? `/my-list?after=${encodeURIComponent(after)}` : '/my-list';
}

/** `/my-list`: the signed-in person's list, newest first, with remove buttons. */
export function MyListPage({ variables }: { variables: MyListQueryVariables }) {
  const { data } = useQuery(MyListDocument, { variables });
  const navigate = useNavigate();
  if (!data) return <p>Loading…</p>;
  const here = myListUrl(variables.after);
  // After a removal made in place, load the page again so counts and paging stay right.
  const reload = navigate ? () => void navigate(here, { replace: true }) : undefined;
  const { userMovies } = data;
  return (
    <main>
      <h1>My list</h1>
      <p className="count" data-testid="list-count">
        {userMovies.totalCount} {userMovies.totalCount === 1 ? 'movie' : 'movies'}
      </p>
      {userMovies.totalCount === 0 ? (
        <p>
          Your list is empty. <NavLink href="/">Browse the catalog</NavLink> and add movies.
        </p>
      ) : null}
      <ul className="movie-grid">
        {userMovies.edges.map(({ node }) => (
          <MovieCard key={node.id} movie={node.movie} signedIn returnTo={here} onChanged={reload} />
        ))}
      </ul>
      <nav className="pagination" aria-label="Pages">
        {variables.after ? <NavLink href={myListUrl(null)}>First page</NavLink> : null}
        {userMovies.pageInfo.hasNextPage && userMovies.pageInfo.endCursor ? (
          <NavLink href={myListUrl(userMovies.pageInfo.endCursor)}>Next page</NavLink>
        ) : null}
      </nav>
    </main>
  );
}
