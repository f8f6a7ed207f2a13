import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { ViewerFieldsFragment } from '../__generated__/graphql';

// The page query's result, as the route fetched it, is what every component renders from:
// on the server straight from the route, in the browser from the JSON embedded in the page
// (and from each in-place navigation's JSON). The browser holds no GraphQL client and no
// cache: it never talks to the API, and a normalised cache would cost more to ship than the
// one update it serves (a movie joining or leaving the list), which `applyListChange` does.

/** A change to the viewer's list, made in place by a list button. */
export interface ListChange {
  movieId: string;
  /** For the announcement: "Added <title> to My list". */
  title: string;
  /** Whether the movie is on the list now. */
  inMyList: boolean;
}

/** What the page tree reads: the page query's data and, in the browser, the list updater. */
export interface PageDataValue {
  data: unknown;
  /** Records a list change made in place; null on the server and before hydration. */
  onListChange: ((change: ListChange) => void) | null;
}

const PageDataContext = createContext<PageDataValue>({ data: null, onListChange: null });

export function PageDataProvider({
  value,
  children,
}: {
  value: PageDataValue;
  children: ReactNode;
}) {
  return <PageDataContext.Provider value={value}>{children}</PageDataContext.Provider>;
}

/** The page query's result; `T` is the page's generated query type. */
export function usePageData<T>(): T {
  return useContext(PageDataContext).data as T;
}

/** The list updater (null on the server and before hydration). */
export function useListChange(): ((change: ListChange) => void) | null {
  return useContext(PageDataContext).onListChange;
}

/**
 * The viewer every page's data carries as `me` (null when nobody is signed in). The list
 * count is optional: error pages know the viewer only from the access token.
 */
export type Viewer = Omit<ViewerFieldsFragment, 'myListCount'> & { myListCount?: number | null };

/** `me` of any page's data. */
export function viewerOf(data: unknown): Viewer | null {
  if (typeof data !== 'object' || data === null || !('me' in data)) return null;
  return (data as { me: Viewer | null }).me ?? null;
}

/** The viewer of the page being rendered. */
export function useViewer(): Viewer | null {
  return viewerOf(useContext(PageDataContext).data);
}

function isMovie(value: object, movieId: string): boolean {
  const record = value as { __typename?: unknown; id?: unknown };
  return record.__typename === 'Movie' && record.id === movieId;
}

/**
 * The page data after a list change: every copy of the movie (the same movie may appear more
 * than once on a page) gets the new `inMyList`, and the viewer's list count moves by one.
 * Pure, so the previous data stays intact for React.
 */
export function applyListChange(data: unknown, change: ListChange): unknown {
  let countDelta = 0;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value).map(([key, item]) => [key, visit(item)] as const);
    const copy = Object.fromEntries(entries) as Record<string, unknown>;
    if (isMovie(value, change.movieId)) {
      if (copy.inMyList !== change.inMyList && countDelta === 0)
        countDelta = change.inMyList ? 1 : -1;
      copy.inMyList = change.inMyList;
    }
    return copy;
  };
  const next = visit(data);
  const viewer = viewerOf(next);
  if (viewer && typeof viewer.myListCount === 'number' && countDelta !== 0) {
    viewer.myListCount = Math.max(0, viewer.myListCount + countDelta);
  }
  return next;
}
