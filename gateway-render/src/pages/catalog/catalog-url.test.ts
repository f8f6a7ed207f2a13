import {
  catalogStateFromVariables,
  catalogUrl,
  catalogVariables,
  parseCatalogQuery,
} from './catalog-url';

describe('catalog URLs', () => {
  it('round-trips tags, search, year and cursor', () => {
    const state = parseCatalogQuery({
      tag: ['drama', 'crime', 'drama'],
      q: ' god ',
      year: '1972',
      after: 'abc',
    });
    expect(state).toEqual({ tags: ['drama', 'crime'], search: 'god', year: 1972, after: 'abc' });
    const variables = catalogVariables(state);
    expect(variables).toEqual({
      filter: { tags: ['drama', 'crime'], search: 'god', year: 1972 },
      first: 12,
      after: 'abc',
    });
    expect(catalogStateFromVariables(variables)).toEqual(state);
    expect(catalogUrl(state)).toBe('/?tag=drama&tag=crime&q=god&year=1972&after=abc');
  });

  it('never passes objects or junk on', () => {
    const state = parseCatalogQuery({
      tag: { $ne: 'x' },
      q: { $regex: '.*' },
      year: '1e3',
      after: '',
    });
    expect(state).toEqual({ tags: [], search: '', year: null, after: null });
    expect(catalogVariables(state).filter).toBeNull();
    expect(catalogUrl(state)).toBe('/');
  });
});
