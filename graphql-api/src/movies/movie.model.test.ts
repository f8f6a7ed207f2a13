import { MovieModel } from './movie.model';

const valid = {
  title: 'Model Movie',
  year: 2000,
  cover: 'https://covers.example.com/m.jpg',
  description: 'A movie.',
  duration: 90,
  contentRating: 'PG',
  source: 'https://stream.example.com/m',
  tags: ['drama'],
};

describe('Movie model (the last line of defence behind the inputs)', () => {
  it('accepts a valid movie and has timestamps', async () => {
    await expect(new MovieModel(valid).validate()).resolves.toBeUndefined();
    expect(MovieModel.schema.path('createdAt')).toBeDefined();
    expect(MovieModel.schema.path('updatedAt')).toBeDefined();
  });

  it.each([
    ['title', { title: 'x'.repeat(81) }],
    ['title', { title: '   ' }],
    ['year', { year: 1887 }],
    ['year', { year: 2078 }],
    ['cover', { cover: 'javascript:alert(1)' }],
    ['description', { description: 'x'.repeat(301) }],
    ['duration', { duration: 0 }],
    ['duration', { duration: 301 }],
    ['contentRating', { contentRating: 'TOO-LONG' }],
    ['source', { source: 'not a url' }],
    ['tags.0', { tags: ['x'.repeat(51)] }],
  ])('refuses a bad %s (%#)', async (path, override) => {
    const error = await new MovieModel({ ...valid, ...override }).validate().then(
      () => undefined,
      (failure: { errors?: Record<string, unknown> }) => failure,
    );
    expect(Object.keys(error?.errors ?? {})).toContain(path);
  });
});
