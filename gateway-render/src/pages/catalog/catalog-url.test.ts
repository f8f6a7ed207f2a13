import {
  MAX_PAGE,
  catalogStateFromVariables,
  catalogTitle,
  catalogUrl,
  catalogVariables,
  filterSummary,
  movieCount,
  parseCatalogQuery,
} from './catalog-url';

describe('catalog URLs', () => {
  it('round-trips tags, search, year and page (the API gets an offset)', () => {
    const state = parseCatalogQuery({
      tag: ['drama', 'crime', 'drama'],
      q: ' god ',
      year: '1972',
      page: '3',
    });
    expect(state).toEqual({ tags: ['drama', 'crime'], search: 'god', year: 1972, page: 3 });
    const variables = catalogVariables(state);
    expect(variables).toEqual({
      filter: { tags: ['drama', 'crime'], search: 'god', year: 1972 },
      first: 12,
      offset: 24,
    });
    expect(catalogStateFromVariables(variables)).toEqual(state);
    expect(catalogUrl(state)).toBe('/?tag=drama&tag=crime&q=god&year=1972&page=3');
  });

  it('leaves page 1 out of the URL and asks the API for offset 0', () => {
    const state = parseCatalogQuery({ tag: 'drama', page: '1' });
    expect(catalogUrl(state)).toBe('/?tag=drama');
    expect(catalogVariables(state).offset).toBe(0);
  });

  it('never passes objects or junk on', () => {
    const state = parseCatalogQuery({
      tag: { $ne: 'x' },
      q: { $regex: '.*' },
      year: '1e3',
      page: { $gt: 1 },
      // The old cursor parameter means nothing now.
      after: 'abc',
    });
    expect(state).toEqual({ tags: [], search: '', year: null, page: 1 });
    expect(catalogVariables(state)).toEqual({ filter: null, first: 12, offset: 0 });
    expect(catalogUrl(state)).toBe('/');
  });

  it.each([
    ['0', 1],
    ['-2', 1],
    ['2.5', 1],
    ['1e2', 1],
    ['', 1],
    ['02', 2],
    [String(MAX_PAGE), MAX_PAGE],
    [String(MAX_PAGE + 1), MAX_PAGE],
    ['9999', MAX_PAGE],
  ])('reads page=%s as page %d (1..MAX_PAGE)', (text, page) => {
    expect(parseCatalogQuery({ page: text }).page).toBe(page);
  });

  it('keeps the last page within the API offset limit', () => {
    // The API refuses offsets past 10 000: the deepest page the URL can ask for stays below.
    const { offset } = catalogVariables(parseCatalogQuery({ page: '9999' }));
    expect(offset).toBeLessThanOrEqual(10_000 - 12);
  });
});

describe('the result summary', () => {
  const none = { tags: [], search: '', year: null, page: 1 };

  it('says nothing without filters, and every filter in words otherwise', () => {
    expect(filterSummary(none)).toBeNull();
    expect(filterSummary({ ...none, tags: ['drama'] })).toBe('tagged drama');
    expect(filterSummary({ ...none, search: 'god', tags: ['drama', 'crime'], year: 1972 })).toBe(
      'matching “god”, tagged drama and crime (all of them), from 1972',
    );
    expect(filterSummary({ ...none, tags: ['a', 'b', 'c'] })).toBe(
      'tagged a, b and c (all of them)',
    );
    // The page number is not a filter.
    expect(filterSummary({ ...none, page: 2 })).toBeNull();
  });

  it('counts movies in words', () => {
    expect(movieCount(0)).toBe('No movies');
    expect(movieCount(1)).toBe('1 movie');
    expect(movieCount(30)).toBe('30 movies');
  });

  it('puts the count (and the page past the first) in the title', () => {
    expect(catalogTitle(none, 30)).toBe('Catalog: 30 movies');
    expect(catalogTitle({ ...none, page: 2 }, 30)).toBe('Catalog: 30 movies, page 2');
    expect(catalogTitle({ ...none, search: 'alien' }, 1)).toBe('Search results: 1 movie');
    expect(catalogTitle({ ...none, tags: ['x'] }, 0)).toBe('Search results: no movies');
  });
});
