import type { CatalogQueryVariables } from '../../__generated__/graphql';
import { PAGE_SIZE } from '../../shared/page-props';

/** The catalog's URL state: `/?tag=drama&tag=crime&q=god&year=1972&page=2`. */
export interface CatalogQueryState {
  tags: string[];
  search: string;
  year: number | null;
  /** 1-based page number. */
  page: number;
}

const MAX_TAGS = 10;

/** Pages beyond this are refused by the API (its offset limit); nobody pages that far by hand. */
export const MAX_PAGE = Math.floor(10_000 / PAGE_SIZE);

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/**
 * Reads the catalog's query string. Only plain strings are taken (never objects, so nothing
 * shaped like a MongoDB operator reaches the API); over-long or malformed values are dropped.
 */
export function parseCatalogQuery(query: Record<string, unknown>): CatalogQueryState {
  const tags = [
    ...new Set(
      strings(query.tag)
        .map((tag) => tag.trim())
        .filter((tag) => tag.length > 0 && tag.length <= 50),
    ),
  ].slice(0, MAX_TAGS);
  const search = (strings(query.q)[0] ?? '').trim().slice(0, 100);
  const yearText = strings(query.year)[0] ?? '';
  const year = /^\d{4}$/.test(yearText) ? Number(yearText) : null;
  const pageText = strings(query.page)[0] ?? '';
  const page = /^\d{1,9}$/.test(pageText) ? Math.min(Math.max(Number(pageText), 1), MAX_PAGE) : 1;
  return { tags, search, year, page };
}

export function catalogVariables(state: CatalogQueryState): CatalogQueryVariables {
  const filter: NonNullable<CatalogQueryVariables['filter']> = {};
  if (state.tags.length > 0) filter.tags = state.tags;
  if (state.search) filter.search = state.search;
  if (state.year !== null) filter.year = state.year;
  return {
    filter: Object.keys(filter).length > 0 ? filter : null,
    first: PAGE_SIZE,
    offset: (state.page - 1) * PAGE_SIZE,
  };
}

export function catalogStateFromVariables(variables: CatalogQueryVariables): CatalogQueryState {
  return {
    tags: variables.filter?.tags ?? [],
    search: variables.filter?.search ?? '',
    year: variables.filter?.year ?? null,
    page: Math.floor((variables.offset ?? 0) / PAGE_SIZE) + 1,
  };
}

export function catalogUrl(state: CatalogQueryState): string {
  const params = new URLSearchParams();
  for (const tag of state.tags) params.append('tag', tag);
  if (state.search) params.set('q', state.search);
  if (state.year !== null) params.set('year', String(state.year));
  if (state.page > 1) params.set('page', String(state.page));
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/** "drama and crime": a list in words. */
function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The active filters in words, or null without any: `matching “god”, tagged drama and crime,
 * from 1972`. Several tags narrow the list (a movie must have all of them), and it says so.
 */
export function filterSummary(state: CatalogQueryState): string | null {
  const parts: string[] = [];
  if (state.search) parts.push(`matching “${state.search}”`);
  if (state.tags.length === 1) parts.push(`tagged ${state.tags[0]}`);
  if (state.tags.length > 1) parts.push(`tagged ${listInWords(state.tags)} (all of them)`);
  if (state.year !== null) parts.push(`from ${state.year}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** "12 movies" / "1 movie" / "No movies". */
export function movieCount(count: number): string {
  if (count === 0) return 'No movies';
  return `${count} ${count === 1 ? 'movie' : 'movies'}`;
}

/** The catalog page's document title, with the result count: "Catalog: 30 movies", the page when past the first. */
export function catalogTitle(state: CatalogQueryState, totalCount: number): string {
  const heading = filterSummary(state) === null ? 'Catalog' : 'Search results';
  const count = totalCount === 0 ? 'no movies' : movieCount(totalCount);
  const page = state.page > 1 ? `, page ${state.page}` : '';
  return `${heading}: ${count}${page}`;
}
