import { useQuery } from '@apollo/client/react';
import type { FormEvent } from 'react';
import { CatalogDocument } from '../../__generated__/graphql';
import type { CatalogQueryVariables } from '../../__generated__/graphql';
import { MovieCard } from '../../shared/movie-card';
import { NavLink, useNavigate } from '../../shared/navigation';
import { catalogStateFromVariables, catalogUrl } from './catalog-url';

/** `/`: the catalog with tag filters, search and pagination. */
export function CatalogPage({ variables }: { variables: CatalogQueryVariables }) {
  const { data } = useQuery(CatalogDocument, { variables });
  const navigate = useNavigate();
  const state = catalogStateFromVariables(variables);
  const here = catalogUrl(state);
  if (!data) return <p>Loading…</p>;

  const toggleTag = (tag: string) =>
    catalogUrl({
      ...state,
      after: null,
      tags: state.tags.includes(tag) ? state.tags.filter((t) => t !== tag) : [...state.tags, tag],
    });

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    if (!navigate) return;
    event.preventDefault();
    const search = String(new FormData(event.currentTarget).get('q') ?? '').trim();
    void navigate(catalogUrl({ ...state, search, after: null }));
  };

  const { movies } = data;
  return (
    <main>
      <h1>Catalog</h1>
      <form method="get" action="/" role="search" onSubmit={onSearch} className="search">
        {state.tags.map((tag) => (
          <input key={tag} type="hidden" name="tag" value={tag} />
        ))}
        <label>
          Search titles{' '}
          <input
            key={state.search}
            type="search"
            name="q"
            defaultValue={state.search}
            maxLength={100}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      <ul className="tag-filters" aria-label="Filter by tag">
        {data.movieTags.map((tag) => {
          const selected = state.tags.includes(tag);
          return (
            <li key={tag}>
              <NavLink
                href={toggleTag(tag)}
                className={selected ? 'tag selected' : 'tag'}
                aria-current={selected ? 'true' : undefined}
              >
                {tag}
              </NavLink>
            </li>
          );
        })}
      </ul>
      <p className="count" data-testid="movie-count">
        {movies.totalCount} {movies.totalCount === 1 ? 'movie' : 'movies'}
      </p>
      <ul className="movie-grid">
        {movies.edges.map(({ node }) => (
          <MovieCard key={node.id} movie={node} signedIn={Boolean(data.me)} returnTo={here} />
        ))}
      </ul>
      <nav className="pagination" aria-label="Pages">
        {state.after ? (
          <NavLink href={catalogUrl({ ...state, after: null })}>First page</NavLink>
        ) : null}
        {movies.pageInfo.hasNextPage && movies.pageInfo.endCursor ? (
          <NavLink href={catalogUrl({ ...state, after: movies.pageInfo.endCursor })}>
            Next page
          </NavLink>
        ) : null}
      </nav>
    </main>
  );
}
