import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import request from 'supertest';
import { CookieJar } from '../../test/helpers/cookie-jar';
import {
  accessibleText,
  decodeEntities,
  elementAt,
  linkHrefs,
  listButtonOf,
  movieCards,
  pageDataOf,
  rootOf,
  textContent,
  titleOf,
} from '../../test/helpers/page-html';
import {
  RENDER_TEST_ORIGIN,
  callApi,
  startRenderTestEnv,
  uniqueEmail,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { createApp } from '../app';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv();
});

afterAll(async () => {
  await env.stop();
});

async function signedIn(name: string): Promise<CookieJar> {
  const res = await request(env.app)
    .post('/auth/sign-up')
    .send({ name, email: uniqueEmail(), password: 'correct horse battery' })
    .expect(201);
  const jar = new CookieJar();
  jar.update(res.headers['set-cookie']);
  return jar;
}

async function anyMovie(): Promise<{ id: string; title: string; tags: string[] }> {
  const result = await callApi<{
    movies: { edges: { node: { id: string; title: string; tags: string[] } }[] };
  }>(env.api, 'query { movies(first: 50) { edges { node { id title tags } } } }');
  const movie = result.data?.movies.edges.find(
    (edge) => edge.node.tags.length > 0 && !edge.node.tags.includes('zz-escaping'),
  )?.node;
  if (!movie) throw new TypeError('the seed has no tagged movie');
  return movie;
}

interface CatalogData {
  movies: {
    totalCount: number;
    edges: { node: { id: string; title: string; description?: string; cover: string | null } }[];
  };
}

/** The movies the page embedded for hydration (the page renders from the same data). */
function embeddedMovies(html: string): CatalogData['movies']['edges'][number]['node'][] {
  return (pageDataOf(html).data as CatalogData).movies.edges.map((edge) => edge.node);
}

/** The titles of the page's cards, as their links say them. */
function cardTitles(html: string): string[] {
  return movieCards(html).map((card) =>
    accessibleText(elementAt(card.html, /<h2 class="card-title">/)),
  );
}

const PAGE_STATUS = /<span [^>]*data-testid="page-status">/;

/** What the pagination offers: its status, and each direction as a link (href, rel) or null. */
function paginationOf(html: string): {
  status: string;
  previous: { href: string; rel: string } | null;
  next: { href: string; rel: string } | null;
} {
  const nav = elementAt(html, /<nav class="pagination"[^>]*>/);
  const link = (text: string) => {
    const anchor = [...nav.matchAll(/<a\s[^>]*>[^]*?<\/a>/g)]
      .map((match) => match[0])
      .find((a) => accessibleText(a) === text);
    if (!anchor) {
      // The missing direction is still shown, but not as a link.
      expect(textContent(nav)).toContain(text);
      return null;
    }
    return {
      href: decodeEntities(/\shref="([^"]*)"/.exec(anchor)?.[1] ?? ''),
      rel: /\srel="([^"]*)"/.exec(anchor)?.[1] ?? '',
    };
  };
  return {
    status: textContent(elementAt(nav, PAGE_STATUS)),
    previous: link('Previous'),
    next: link('Next'),
  };
}

describe('catalog page', () => {
  it('renders the movies for an anonymous visitor, with the page data embedded for hydration', async () => {
    const movie = await anyMovie();
    const res = await request(env.app).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<h1>Catalog</h1>');
    expect(titleOf(res.text)).toBe('Catalog: 30 movies · Movie catalog');
    expect(res.text).toContain('<a href="/sign-in" class="button ghost small">Sign in</a>');
    expect(res.text).not.toContain('Add to my list');
    expect(res.text).toMatch(/<script src="\/assets\/client-[A-Z0-9]{8,}\.js" defer><\/script>/);
    // ONE JSON block: the page props, its title and the page query's data.
    expect(res.text.match(/<script type="application\/json"/g)).toHaveLength(1);
    expect(res.text).not.toContain('__APOLLO_STATE__');
    const { page, title } = pageDataOf(res.text);
    expect(page.name).toBe('catalog');
    expect(title).toBe('Catalog: 30 movies');
    const embedded = embeddedMovies(res.text);
    expect(embedded.map((node) => node.id)).toEqual(movieCards(res.text).map((card) => card.id));
    const all = await request(env.app).get(`/?q=${encodeURIComponent(movie.title)}`);
    expect(embeddedMovies(all.text).find((node) => node.id === movie.id)?.title).toBe(movie.title);
  });

  it('sends a CSP without inline scripts and never caches the page', async () => {
    const res = await request(env.app).get('/').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-store');
    // Every <script> is either the bundle or inert JSON.
    const scripts = res.text.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBe(2);
    for (const tag of scripts)
      expect(tag).toMatch(
        /^<script (src="\/assets\/client-[A-Z0-9]{8,}\.js" defer|type="application\/json" id="__PAGE__")>$/,
      );
  });

  it('filters by tag and answers the page script with JSON', async () => {
    const movie = await anyMovie();
    const tag = movie.tags[0] ?? '';
    const res = await request(env.app)
      .get(`/?tag=${encodeURIComponent(tag)}`)
      .set('Accept', 'application/json')
      .expect(200);
    const body = res.body as {
      page: { name: string; variables: { filter: { tags: string[] } } };
      title: string;
      data: { movies: { totalCount: number; edges: { node: { tags: string[] } }[] } };
    };
    expect(body.page.name).toBe('catalog');
    expect(body.page.variables.filter.tags).toEqual([tag]);
    expect(body.data.movies.edges.length).toBeGreaterThan(0);
    for (const edge of body.data.movies.edges) expect(edge.node.tags).toContain(tag);
    const count = body.data.movies.totalCount;
    expect(body.title).toBe(`Search results: ${count} ${count === 1 ? 'movie' : 'movies'}`);
  });

  it('searches titles, keeping the search in the form', async () => {
    const movie = await anyMovie();
    const word = movie.title.split(' ')[0] ?? movie.title;
    const res = await request(env.app)
      .get(`/?q=${encodeURIComponent(word)}`)
      .expect(200);
    const titles = cardTitles(res.text);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title.toLowerCase()).toContain(word.toLowerCase());
    expect(res.text).toMatch(
      new RegExp(`<input id="catalog-search" type="search"[^>]*name="q" value="${word}"`),
    );
    expect(titleOf(res.text)).toMatch(/^Search results: \d+ movies? · Movie catalog$/);
  });

  it('finds a title whatever the case and accents of the search', async () => {
    for (const search of ['amelie', 'AMÉLIE', 'Amèlie']) {
      const res = await request(env.app)
        .get(`/?q=${encodeURIComponent(search)}`)
        .expect(200);
      expect({ search, titles: cardTitles(res.text) }).toEqual({ search, titles: ['Amélie'] });
      expect(titleOf(res.text)).toBe('Search results: 1 movie · Movie catalog');
    }
  });

  it('pages through the catalog with Previous and Next links and says where it is', async () => {
    const first = await request(env.app).get('/').expect(200);
    expect(paginationOf(first.text)).toEqual({
      status: 'Page 1 of 3',
      previous: null,
      next: { href: '/?page=2', rel: 'next' },
    });
    const second = await request(env.app).get('/?page=2').expect(200);
    expect(paginationOf(second.text)).toEqual({
      status: 'Page 2 of 3',
      previous: { href: '/', rel: 'prev' },
      next: { href: '/?page=3', rel: 'next' },
    });
    expect(titleOf(second.text)).toBe('Catalog: 30 movies, page 2 · Movie catalog');
    const third = await request(env.app).get('/?page=3').expect(200);
    expect(paginationOf(third.text)).toEqual({
      status: 'Page 3 of 3',
      previous: { href: '/?page=2', rel: 'prev' },
      next: null,
    });
    // Every movie once over the three pages: 12 + 12 + 6, none repeated.
    const ids = [first, second, third].map((res) => movieCards(res.text).map((card) => card.id));
    expect(ids.map((page) => page.length)).toEqual([12, 12, 6]);
    expect(new Set(ids.flat()).size).toBe(30);
  });

  it('keeps the filters in the page links', async () => {
    const res = await request(env.app).get('/?q=e').expect(200);
    // Enough titles with an "e" for two pages in the sample movies.
    expect((pageDataOf(res.text).data as CatalogData).movies.totalCount).toBeGreaterThan(12);
    expect(paginationOf(res.text).next).toEqual({ href: '/?q=e&page=2', rel: 'next' });
    const second = await request(env.app).get('/?q=e&page=2').expect(200);
    expect(paginationOf(second.text).previous).toEqual({ href: '/?q=e', rel: 'prev' });
    // One page only: no pagination at all.
    const one = await request(env.app).get('/?q=amelie').expect(200);
    expect(one.text).not.toContain('class="pagination"');
  });

  it('drops over-long and malformed filter values instead of passing them on', async () => {
    const res = await request(env.app)
      .get(`/?tag=${'x'.repeat(51)}&year=19a2&page=${'9'.repeat(20)}&after=abc`)
      .set('Accept', 'application/json')
      .expect(200);
    const body = res.body as { page: { variables: Record<string, unknown> } };
    expect(body.page.variables).toEqual({ filter: null, first: 12, offset: 0 });
  });

  it('sums up the active filters, with a way to clear them', async () => {
    const res = await request(env.app).get('/?tag=drama&year=1994').expect(200);
    const count = textContent(elementAt(res.text, /<p [^>]*data-testid="movie-count">/));
    expect(count).toMatch(/^\d+ movies? tagged drama, from 1994$/);
    const clear = elementAt(res.text, /<a [^>]*data-testid="clear-filters"[^>]*>/);
    expect(clear).toContain('href="/"');
    expect(accessibleText(clear)).toBe('Clear filters');
    // No filters: nothing to sum up or clear.
    const plain = await request(env.app).get('/').expect(200);
    expect(textContent(elementAt(plain.text, /<p [^>]*data-testid="movie-count">/))).toBe(
      '30 movies',
    );
    expect(plain.text).not.toContain('data-testid="clear-filters"');
    expect(plain.text).not.toContain('data-testid="empty-state"');
  });

  it('says what matched nothing, and offers to clear the filters', async () => {
    const res = await request(env.app).get('/?q=zzzqqq&tag=drama&tag=comedy').expect(200);
    expect(titleOf(res.text)).toBe('Search results: no movies · Movie catalog');
    expect(movieCards(res.text)).toEqual([]);
    const empty = accessibleText(elementAt(res.text, /<div [^>]*data-testid="empty-state">/));
    expect(empty).toContain(
      'No movie is matching “zzzqqq”, tagged drama and comedy (all of them).',
    );
    // Several genres narrow the list: it says why.
    expect(empty).toContain('Try fewer genres');
    expect(linkHrefs(res.text, 'Clear filters and show every movie')).toEqual(['/']);
    expect(res.text).not.toContain('class="pagination"');
  });

  it('shows each movie as one card: a generated poster, the title once, year and duration', async () => {
    const res = await request(env.app).get('/').expect(200);
    const cards = movieCards(res.text);
    expect(cards).toHaveLength(12);
    const byId = new Map(embeddedMovies(res.text).map((node) => [node.id, node]));
    for (const [index, { id, html }] of cards.entries()) {
      const movie = byId.get(id);
      const images = html.match(/<img [^>]*>/g) ?? [];
      expect(images).toHaveLength(1);
      const img = images[0] ?? '';
      expect(img).toMatch(new RegExp(`src="/assets/posters/${id}-[0-9a-f]{8,}\\.svg"`));
      expect(img).toContain('alt=""');
      // The first row loads first; the rest when scrolled to.
      expect(img).toContain(index < 6 ? 'loading="eager"' : 'loading="lazy"');
      expect(img.includes('fetchPriority="high"')).toBe(index < 6);
      const link = elementAt(html, /<a class="card-link"[^>]*>/);
      expect(link).toContain(`href="/movies/${id}"`);
      expect(accessibleText(link)).toBe(movie?.title);
      // The title once: the link is the card's only text naming it.
      expect(textContent(html).split(movie?.title ?? '').length).toBe(2);
      expect(textContent(elementAt(html, /<p class="meta">/))).toMatch(/^\d{4} · \d+ (h|min)/);
    }
    // The seed's placeholder covers never reach the page.
    expect(rootOf(res.text)).not.toContain('covers.example.com');
  });
});

describe('the page frame', () => {
  it('has a skip link to the main content, and a live region', async () => {
    const res = await request(env.app).get('/').expect(200);
    const root = rootOf(res.text);
    expect(root).toMatch(/^(<link [^>]*>)*<a class="skip-link" href="#main">Skip to content<\/a>/);
    expect(root).toContain('<main id="main" tabindex="-1">');
    const announcer = elementAt(root, /<p [^>]*data-testid="announcer">/);
    expect(announcer).toContain('role="status"');
    expect(announcer).toContain('aria-live="polite"');
    expect(textContent(announcer)).toBe('');
    // Anonymous visitors have no list to count.
    expect(root).not.toContain('data-testid="header-list-count"');
  });

  it('counts the signed-in person’s list in the header', async () => {
    const jar = await signedIn('Counter');
    const movie = await anyMovie();
    const count = async () => {
      const res = await request(env.app).get('/').set('Cookie', jar.header()).expect(200);
      return textContent(elementAt(res.text, /<span [^>]*data-testid="header-list-count">/));
    };
    expect(await count()).toBe(' (0 movies)');
    await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .send({ movieId: movie.id })
      .expect(200);
    expect(await count()).toBe(' (1 movie)');
  });
});

const HOSTILE_DESCRIPTION = '<img src=x onerror=alert(2)><script>alert(3)</script>';

describe('embedded data', () => {
  it('cannot close the script element: a hostile title stays inert text', async () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const created = await fetch(env.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': env.api.adminApiKey },
      body: JSON.stringify({
        query: 'mutation ($input: CreateMovieInput!) { createMovie(input: $input) { id } }',
        variables: {
          input: {
            title: hostile,
            year: 2001,
            cover: 'https://covers.example.com/x.jpg',
            description: HOSTILE_DESCRIPTION,
            duration: 90,
            contentRating: 'PG',
            source: 'https://example.com/x',
            tags: ['zz-escaping'],
          },
        },
      }),
    });
    const body = (await created.json()) as { data?: { createMovie: { id: string } } };
    const id = body.data?.createMovie.id ?? '';
    expect(id).not.toBe('');
    const res = await request(env.app).get('/?tag=zz-escaping').expect(200);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text.match(/<\/script>/g)).toHaveLength(2);
    expect(embeddedMovies(res.text).find((node) => node.id === id)?.title).toBe(hostile);
    expect(cardTitles(res.text)).toContain(hostile);

    // The movie's own page: title (also in <title>) and description are text, not markup.
    const page = await request(env.app).get(`/movies/${id}`).expect(200);
    expect(page.text).not.toContain('<script>alert(');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.text).toContain('<title>&lt;/script&gt;&lt;script&gt;alert(1)');
    const { data } = pageDataOf(page.text) as { data: { movie: { description: string } } };
    expect(data.movie.description).toBe(HOSTILE_DESCRIPTION);
    // Its source is a reserved, never-resolving name: no "Source" link.
    expect(linkHrefs(page.text, 'Source')).toEqual([]);
  });
});

async function createMovie(input: Record<string, unknown>): Promise<string> {
  const created = await fetch(env.api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': env.api.adminApiKey },
    body: JSON.stringify({
      query: 'mutation ($input: CreateMovieInput!) { createMovie(input: $input) { id } }',
      variables: {
        input: {
          year: 2001,
          cover: 'https://covers.example.com/x.jpg',
          description: 'A test movie.',
          duration: 90,
          contentRating: 'PG',
          tags: ['zz-escaping'],
          ...input,
        },
      },
    }),
  });
  const body = (await created.json()) as { data?: { createMovie: { id: string } } };
  const id = body.data?.createMovie.id;
  if (!id) throw new TypeError(`createMovie refused: ${JSON.stringify(body)}`);
  return id;
}

describe('movie page', () => {
  it('renders one movie', async () => {
    const movie = await anyMovie();
    const res = await request(env.app).get(`/movies/${movie.id}`).expect(200);
    expect(res.text).toContain(
      `<h1>${movie.title.replace(/&/g, '&amp;').replace(/'/g, '&#x27;')}</h1>`,
    );
    expect(titleOf(res.text)).toBe(`${movie.title} · Movie catalog`);
  });

  it('links its genres to the filtered catalog, and offers sign-in to anonymous visitors', async () => {
    const movie = await anyMovie();
    const res = await request(env.app).get(`/movies/${movie.id}`).expect(200);
    const genres = elementAt(res.text, /<ul class="tag-list"[^>]*>/);
    const links = [...genres.matchAll(/<a class="tag" href="([^"]*)">([^<]*)<\/a>/g)].map(
      (match) => [decodeEntities(match[1] ?? ''), decodeEntities(match[2] ?? '')],
    );
    expect(links).toEqual(
      movie.tags.map((tag) => [`/?tag=${encodeURIComponent(tag).replace(/%20/g, '+')}`, tag]),
    );
    expect(linkHrefs(res.text, 'Sign in')).toContain(`/sign-in?returnTo=%2Fmovies%2F${movie.id}`);
    expect(res.text).not.toContain('list-button');
    // The seed's placeholder covers and stream.example.com sources are not usable.
    expect(rootOf(res.text)).toMatch(
      new RegExp(`<img src="/assets/posters/${movie.id}-[0-9a-f]+\\.svg"`),
    );
    expect(linkHrefs(res.text, 'Source')).toEqual([]);
  });

  it('shows the list button to signed-in people, named for the movie', async () => {
    const jar = await signedIn('Viewer');
    const movie = await anyMovie();
    const res = await request(env.app)
      .get(`/movies/${movie.id}`)
      .set('Cookie', jar.header())
      .expect(200);
    const { text, action, tag } = listButtonOf(res.text);
    expect(text).toBe(`Add to my list: ${movie.title}`);
    expect(action).toBe('/user-movies');
    // Busy is aria-busy (focus stays), never disabled.
    expect(tag).not.toContain('disabled');
  });

  it('links "Source" only when the source URL can be opened', async () => {
    const source = 'https://www.imdb.com/title/tt0000001/';
    const id = await createMovie({ title: 'Has A Source', source });
    const res = await request(env.app).get(`/movies/${id}`).expect(200);
    expect(linkHrefs(res.text, 'Source')).toEqual([source]);
    expect(res.text).toMatch(
      /<a class="button ghost" href="[^"]+" rel="noopener noreferrer nofollow">Source/,
    );
  });

  it.each([
    [
      'the catalog with filters',
      `${RENDER_TEST_ORIGIN}/?tag=drama&page=2`,
      'Back to results',
      '/?tag=drama&page=2',
    ],
    ['the unfiltered catalog', `${RENDER_TEST_ORIGIN}/`, 'Back to the catalog', '/'],
    ['another site', 'https://evil.example/?tag=drama', 'Back to the catalog', '/'],
    [
      'another page of this site',
      `${RENDER_TEST_ORIGIN}/my-list?page=2`,
      'Back to the catalog',
      '/',
    ],
    ['a look-alike origin', `${RENDER_TEST_ORIGIN}.evil.example/?q=x`, 'Back to the catalog', '/'],
    ['a malformed referer', 'not a url', 'Back to the catalog', '/'],
    ['nothing', '', 'Back to the catalog', '/'],
  ])('goes back to where the visitor came from: %s', async (_case, referer, text, href) => {
    const movie = await anyMovie();
    const req = request(env.app).get(`/movies/${movie.id}`);
    if (referer) req.set('Referer', referer);
    const res = await req.expect(200);
    const back = elementAt(res.text, /<p class="back-link">/);
    expect(accessibleText(back)).toBe(text);
    expect(decodeEntities(/href="([^"]*)"/.exec(back)?.[1] ?? '')).toBe(href);
    // The page data carries it too, so the browser hydrates the same link.
    const { page } = pageDataOf(res.text) as { page: { back?: string | null } };
    expect(page.back ?? '/').toBe(href);
  });

  it('answers 404 for a missing or malformed id', async () => {
    const missing = await request(env.app).get('/movies/000000000000000000000000').expect(404);
    expect(missing.text).toContain('Not found');
    await request(env.app).get('/movies/not-an-id').expect(404);
  });
});

describe('my list page', () => {
  it('sends anonymous visitors to sign in and back', async () => {
    const res = await request(env.app).get('/my-list').expect(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Fmy-list');
  });
});

describe('unknown pages', () => {
  it('answers 404 without a stack trace', async () => {
    const res = await request(env.app).get('/nope').expect(404);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('shows the sign-in and sign-up links to anonymous visitors', async () => {
    const res = await request(env.app).get('/nope').expect(404);
    expect(res.text).toContain('<a href="/sign-in" class="button ghost small">Sign in</a>');
    expect(res.text).toContain('<a href="/sign-up" class="button primary small">Sign up</a>');
    // Error pages have the frame too: the skip link lands on their main content.
    expect(res.text).toContain('<a class="skip-link" href="#main">');
    expect(res.text).toContain('<main id="main"');
  });

  it('shows who is signed in, with the sign-out form', async () => {
    const signUp = await request(env.app)
      .post('/auth/sign-up')
      .send({ name: 'Lost <Person>', email: uniqueEmail(), password: 'correct horse battery' })
      .expect(201);
    const jar = new CookieJar();
    jar.update(signUp.headers['set-cookie']);
    const res = await request(env.app).get('/nope').set('Cookie', jar.header()).expect(404);
    expect(res.text).toContain('<strong data-testid="viewer-name">Lost &lt;Person&gt;</strong>');
    expect(res.text).toContain('action="/auth/sign-out"');
    expect(res.text).not.toContain('href="/sign-in"');
  });
});

describe('an API whose database is down', () => {
  it('shows the 503 page (not a 500) for SERVICE_UNAVAILABLE, keeping the cookies', async () => {
    const unavailable = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(
        JSON.stringify({
          errors: [
            {
              message: 'The database cannot be reached right now; try again shortly',
              extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 },
            },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => unavailable.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = unavailable.address() as AddressInfo;
      const { app } = env.appWith({ API_URL: `http://127.0.0.1:${port}/graphql` });
      const res = await request(app)
        .get('/')
        .set('Cookie', 'access_token=a; refresh_token=r')
        .expect(503);
      expect(res.text).toMatch(/unavailable|try again/i);
      expect(res.headers['set-cookie'] ?? []).toEqual([]);
      const json = await request(app).get('/').set('Accept', 'application/json').expect(503);
      expect(json.body.error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      unavailable.close();
    }
  });
});

describe('unexpected failures', () => {
  it('are logged and answered with a masked 500, in development too', async () => {
    // An "API" that answers 200 with something that is not GraphQL at all.
    const garbage = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>SyntaxError: secret internals at Object.<anonymous> (/srv/x.ts:1:1)</html>');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    try {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const { port } = garbage.address() as AddressInfo;
      const { config } = env.appWith({
        NODE_ENV: 'development',
        API_URL: `http://127.0.0.1:${port}/graphql`,
      });
      const app = createApp(config, { logger });

      const res = await request(app).get('/').expect(500);
      expect(res.text).toContain('Something went wrong on our side');
      expect(res.text).not.toMatch(/secret internals|SyntaxError|Unexpected token|at .*:\d+:\d+/);
      const json = await request(app).get('/').set('Accept', 'application/json').expect(500);
      expect(json.body).toEqual({
        error: { code: 'INTERNAL_SERVER_ERROR', message: expect.any(String) },
      });
      expect(JSON.stringify(json.body)).not.toMatch(/secret internals|SyntaxError|stack/);
      expect(lines.some((line) => line.includes('request failed'))).toBe(true);
    } finally {
      garbage.close();
    }
  });
});
