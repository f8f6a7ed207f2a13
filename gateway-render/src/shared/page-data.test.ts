import { applyListChange, viewerOf } from './page-data';

// The browser's one update to the page data: a movie joining or leaving the list. It must be
// pure (React compares the old and new data) and keep every copy of the movie consistent.

const movie = (id: string, inMyList: boolean) => ({
  __typename: 'Movie',
  id,
  title: `Movie ${id}`,
  inMyList,
});

function pageData(count: number | null | undefined, inMyList = false) {
  return {
    me: { __typename: 'User', id: 'u1', name: 'Ann', email: 'ann@example.com', myListCount: count },
    movies: {
      edges: [
        { node: movie('m1', inMyList) },
        { node: movie('m2', false) },
        // The same movie again (e.g. the list and a grid on one page).
        { node: movie('m1', inMyList) },
      ],
    },
    featured: movie('m1', inMyList),
  };
}

const addM1 = { movieId: 'm1', title: 'Movie m1', inMyList: true };
const removeM1 = { movieId: 'm1', title: 'Movie m1', inMyList: false };

describe('applyListChange', () => {
  it('flips inMyList on every copy of the movie and no other', () => {
    const next = applyListChange(pageData(2), addM1) as ReturnType<typeof pageData>;
    expect(next.movies.edges.map(({ node }) => [node.id, node.inMyList])).toEqual([
      ['m1', true],
      ['m2', false],
      ['m1', true],
    ]);
    expect(next.featured.inMyList).toBe(true);
  });

  it('moves the list count by one per change, not per copy', () => {
    expect(viewerOf(applyListChange(pageData(2), addM1))?.myListCount).toBe(3);
    expect(viewerOf(applyListChange(pageData(2, true), removeM1))?.myListCount).toBe(1);
  });

  it('leaves the count alone when nothing changed (a repeated add or remove)', () => {
    expect(viewerOf(applyListChange(pageData(2, true), addM1))?.myListCount).toBe(2);
    expect(viewerOf(applyListChange(pageData(2, false), removeM1))?.myListCount).toBe(2);
    // A movie the page does not show changes no copy, so no count either.
    const other = { movieId: 'absent', title: 'Absent', inMyList: true };
    expect(viewerOf(applyListChange(pageData(2), other))?.myListCount).toBe(2);
  });

  it('never takes the count below 0', () => {
    expect(viewerOf(applyListChange(pageData(0, true), removeM1))?.myListCount).toBe(0);
  });

  it('keeps a missing count missing (error pages and tokens carry none)', () => {
    expect(viewerOf(applyListChange(pageData(null), addM1))?.myListCount).toBeNull();
    expect(viewerOf(applyListChange(pageData(undefined), addM1))?.myListCount).toBeUndefined();
  });

  it('leaves the input untouched and shares nothing mutable with it', () => {
    const input = pageData(2);
    const snapshot = structuredClone(input);
    const next = applyListChange(input, addM1) as ReturnType<typeof pageData>;
    expect(input).toEqual(snapshot);
    expect(next).not.toBe(input);
    expect(next.me).not.toBe(input.me);
    expect(next.movies.edges[0]?.node).not.toBe(input.movies.edges[0]?.node);
  });

  it('handles data without a viewer or movies (anonymous pages, plain values)', () => {
    const anonymous = { me: null, movies: { edges: [{ node: movie('m1', false) }] } };
    const next = applyListChange(anonymous, addM1) as typeof anonymous;
    expect(next.me).toBeNull();
    expect(next.movies.edges[0]?.node.inMyList).toBe(true);
    expect(applyListChange(null, addM1)).toBeNull();
    expect(applyListChange('text', addM1)).toBe('text');
  });

  it('only touches objects that are Movies (a User with the same id stays as it is)', () => {
    const data = { me: null, owner: { __typename: 'User', id: 'm1', inMyList: false } };
    const next = applyListChange(data, addM1) as typeof data;
    expect(next.owner.inMyList).toBe(false);
  });
});
