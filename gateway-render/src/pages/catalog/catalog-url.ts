import type { CatalogQueryVariables } from '../../__generated__/graphql';
import { PAGE_SIZE } from '../../shared/page-props';

/** The catalog's URL state: `/?tag=drama&tag=crime&q=god&year=1972&after=<cursor>`. */
export interface CatalogQueryState {
  tags: string[];
  search: string;
  year: number | null;
  after: string | null;
}

const MAX_TAGS = 10;

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
  const afterText = strings(query.after)[0] ?? '';
  const after = afterText.length > 0 && afterText.length <= 200 ? afterText : null;
  return { tags, search, year, after };
}

export function catalogVariables(state: CatalogQueryState): CatalogQueryVariables {
  const filter: NonNullable<CatalogQueryVariables['filter']> = {};
  if (state.tags.length > 0) filter.tags = state.tags;
  if (state.search) filter.search = state.search;
  if (state.year !== null) filter.year = state.year;
  return {
    filter: Object.keys(filter).length > 0 ? filter : null,
    first: PAGE_SIZE,
    after: state.after,
  };
}

export function catalogStateFromVariables(variables: CatalogQueryVariables): CatalogQueryState {
  return {
    tags: variables.filter?.tags ?? [],
    search: variables.filter?.search ?? '',
    year: variables.filter?.year ?? null,
    after: variables.after ?? null,
  };
}

export function catalogUrl(state: CatalogQueryState): string {
  const params = new URLSearchParams();
  for (const tag of state.tags) params.append('tag', tag);
  if (state.search) params.set('q', state.search);
  if (state.year !== null) params.set('year', String(state.year));
  if (state.after) params.set('after', state.after);
  const query = params.toString();
  return query ? `/?${query}` : '/';
}
