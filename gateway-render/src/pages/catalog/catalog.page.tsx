import type { FormEvent } from 'react';
import type { CatalogQuery, CatalogQueryVariables } from '../../__generated__/graphql';
import { MovieCard } from '../../shared/movie-card';
import { NavLink, useNavigate } from '../../shared/navigation';
import { usePageData } from '../../shared/page-data';
import { PAGE_SIZE } from '../../shared/page-props';
import { Pagination } from '../../shared/pagination';
import { catalogStateFromVariables, catalogUrl, filterSummary, movieCount } from './catalog-url';

/** Cards in the grid's first row on the widest layout: their posters load first. */
const FIRST_ROW = 6;

/** `/`: the catalog with genre filters, search and pages. */
export function CatalogPage({ variables }: { variables: CatalogQueryVariables }) {
  const data = usePageData<CatalogQuery>();
  const navigate = useNavigate();
  const state = catalogStateFromVariables(variables);
  const here = catalogUrl(state);
  const cleared = catalogUrl({ tags: [], search: '', year: null, page: 1 });
  const summary = filterSummary(state);

  const toggleTag = (tag: string) =>
    catalogUrl({
      ...state,
      page: 1,
      tags: state.tags.includes(tag) ? state.tags.filter((t) => t !== tag) : [...state.tags, tag],
    });

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    if (!navigate) return;
    event.preventDefault();
    const search = String(new FormData(event.currentTarget).get('q') ?? '').trim();
    void navigate(catalogUrl({ ...state, search, page: 1 }));
  };

  const { movies } = data;
  const pageCount = Math.max(1, Math.ceil(movies.totalCount / PAGE_SIZE));
  return (
    <div className="catalog-page">
      <div className="catalog-head">
        <h1>Catalog</h1>
        <form method="get" action="/" role="search" onSubmit={onSearch} className="search">
          {state.tags.map((tag) => (
            <input key={tag} type="hidden" name="tag" value={tag} />
          ))}
          <label htmlFor="catalog-search" className="visually-hidden">
            Search titles
          </label>
          <input
            key={state.search}
            id="catalog-search"
            type="search"
            name="q"
            defaultValue={state.search}
            maxLength={100}
            placeholder="Search titles"
            autoComplete="off"
          />
          <button type="submit" className="button primary">
            Search
          </button>
        </form>
      </div>
      <nav aria-label="Filter by genre" className="tag-scroller">
        <ul className="tag-filters">
          {data.movieTags.map((tag) => {
            const selected = state.tags.includes(tag);
            return (
              <li key={tag}>
                <NavLink
                  href={toggleTag(tag)}
                  className={selected ? 'tag selected' : 'tag'}
                  aria-current={selected ? 'true' : undefined}
                >
                  {selected ? <span className="visually-hidden">Remove the filter </span> : null}
                  {tag}
                </NavLink>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="result-summary">
        <p className="count" data-testid="movie-count">
          {movieCount(movies.totalCount)}
          {summary ? <span className="filters"> {summary}</span> : null}
        </p>
        {summary ? (
          <NavLink href={cleared} className="button ghost small" data-testid="clear-filters">
            Clear filters
          </NavLink>
        ) : null}
      </div>
      {movies.edges.length === 0 && movies.totalCount > 0 ? (
        <div className="empty-state" data-testid="empty-state">
          <h2>No page {state.page}</h2>
          <p>
            {movieCount(movies.totalCount)} {summary ? `${summary} ` : ''}fill{' '}
            {pageCount === 1 ? '1 page' : `${pageCount} pages`}.
          </p>
          <NavLink href={catalogUrl({ ...state, page: pageCount })} className="button primary">
            Go to the last page
          </NavLink>
        </div>
      ) : movies.totalCount === 0 ? (
        <div className="empty-state" data-testid="empty-state">
          <h2>Nothing here</h2>
          <p>
            {summary ? `No movie is ${summary}.` : 'The catalog is empty for now.'}
            {state.tags.length > 1
              ? ' Try fewer genres: a movie must have every one you pick.'
              : null}
          </p>
          {summary ? (
            <NavLink href={cleared} className="button primary">
              Clear filters and show every movie
            </NavLink>
          ) : null}
        </div>
      ) : (
        <ul className="movie-grid">
          {movies.edges.map(({ node }, index) => (
            <MovieCard
              key={node.id}
              movie={node}
              signedIn={Boolean(data.me)}
              returnTo={here}
              priority={index < FIRST_ROW}
            />
          ))}
        </ul>
      )}
      {movies.edges.length > 0 ? (
        <Pagination
          page={state.page}
          pageCount={pageCount}
          hasNext={movies.pageInfo.hasNextPage}
          hrefFor={(page) => catalogUrl({ ...state, page })}
        />
      ) : null}
    </div>
  );
}
