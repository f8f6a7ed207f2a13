import { NavLink } from './navigation';

/**
 * "← Previous · Page 2 of 5 · Next →". Links, so each page has its own URL (shareable, and
 * Back goes where it should); a missing direction is shown disabled, not as a link.
 */
export function Pagination({
  page,
  pageCount,
  hasNext,
  hrefFor,
}: {
  page: number;
  pageCount: number;
  /** The API's word on a next page (the count can move between requests). */
  hasNext: boolean;
  hrefFor: (page: number) => string;
}) {
  if (pageCount <= 1 && page <= 1) return null;
  return (
    <nav className="pagination" aria-label="Pages">
      {page > 1 ? (
        <NavLink href={hrefFor(page - 1)} className="button ghost" rel="prev">
          <span aria-hidden="true">← </span>Previous
        </NavLink>
      ) : (
        <span className="button ghost disabled" aria-hidden="true">
          ← Previous
        </span>
      )}
      <span className="page-status" data-testid="page-status">
        Page {page} of {pageCount}
      </span>
      {hasNext ? (
        <NavLink href={hrefFor(page + 1)} className="button ghost" rel="next">
          Next<span aria-hidden="true"> →</span>
        </NavLink>
      ) : (
        <span className="button ghost disabled" aria-hidden="true">
          Next →
        </span>
      )}
    </nav>
  );
}
