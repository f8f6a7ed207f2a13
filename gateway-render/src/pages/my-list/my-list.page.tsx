import type { MyListQuery, MyListQueryVariables } from '../../__generated__/graphql';
import { MovieCard } from '../../shared/movie-card';
import { NavLink } from '../../shared/navigation';
import { usePageData } from '../../shared/page-data';

export function myListUrl(after: string | null | undefined): string {
  return after ? `/my-list?after=${encodeURIComponent(after)}` : '/my-list';
}

/**
 * `/my-list`: the signed-in person's list, newest first. A movie removed here stays on the
 * page (its button now offers to add it back) until the next visit: the page does not jump
 * under the pointer, keyboard focus stays on the button, and a slip is undone in one press.
 */
export function MyListPage({ variables }: { variables: MyListQueryVariables }) {
  const data = usePageData<MyListQuery>();
  const here = myListUrl(variables.after);
  const { userMovies } = data;
  const count = data.me?.myListCount ?? userMovies.totalCount;
  return (
    <div className="list-page">
      <h1>My list</h1>
      <p className="count" data-testid="list-count">
        {count} {count === 1 ? 'movie' : 'movies'}
      </p>
      {userMovies.totalCount === 0 ? (
        <div className="empty-state">
          <h2>Your list is empty</h2>
          <p>Add the movies you want to see and find them here.</p>
          <NavLink href="/" className="button primary">
            Browse the catalog
          </NavLink>
        </div>
      ) : null}
      {userMovies.edges.length > 0 ? (
        <ul className="movie-grid">
          {userMovies.edges.map(({ node }, index) => (
            <MovieCard
              key={node.id}
              movie={node.movie}
              signedIn
              returnTo={here}
              priority={index < 6}
            />
          ))}
        </ul>
      ) : null}
      {variables.after || userMovies.pageInfo.hasNextPage ? (
        <nav className="pagination" aria-label="Pages">
          {variables.after ? (
            <NavLink href={myListUrl(null)} className="button ghost">
              First page
            </NavLink>
          ) : null}
          {userMovies.pageInfo.hasNextPage && userMovies.pageInfo.endCursor ? (
            <NavLink href={myListUrl(userMovies.pageInfo.endCursor)} className="button ghost">
              Next page
            </NavLink>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
