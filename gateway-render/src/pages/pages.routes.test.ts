import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import request from 'supertest';
import { CookieJar } from '../../test/helpers/cookie-jar';
import { callApi, startRenderTestEnv, uniqueEmail } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { createApp } from '../app';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv();
});

afterAll(async () => {
  await env.stop();
});

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

function stateOf(html: string): unknown {
  const match = /<script type="application\/json" id="__APOLLO_STATE__">(.*?)<\/script>/s.exec(
    html,
  );
  if (!match?.[1]) throw new TypeError('no embedded state');
  return JSON.parse(match[1]);
}

describe('catalog page', () => {
  it('renders the movies for an anonymous visitor, with the cache embedded for hydration', async () => {
    const movie = await anyMovie();
    const res = await request(env.app).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<h1>Catalog</h1>');
    expect(res.text).toContain('Sign in');
    expect(res.text).not.toContain('Add to my list');
    expect(res.text).toContain('<script src="/assets/client.js" defer></script>');
    const state = stateOf(res.text) as Record<string, Record<string, unknown>>;
    expect(state[`Movie:${movie.id}`]?.title).toBe(movie.title);
  });

  it('sends a CSP without inline scripts and never caches the page', async () => {
    const res = await request(env.app).get('/').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-store');
    // Every <script> is either the bundle or inert JSON.
    const scripts = res.text.match(/<script[^>]*>/g) ?? [];
    for (const tag of scripts)
      expect(tag).toMatch(/src="\/assets\/client\.js"|type="application\/json"/);
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
      data: { movies: { edges: { node: { tags: string[] } }[] } };
    };
    expect(body.page.name).toBe('catalog');
    expect(body.page.variables.filter.tags).toEqual([tag]);
    expect(body.data.movies.edges.length).toBeGreaterThan(0);
    for (const edge of body.data.movies.edges) expect(edge.node.tags).toContain(tag);
  });

  it('searches titles, keeping the search in the form', async () => {
    const movie = await anyMovie();
    const word = movie.title.split(' ')[0] ?? movie.title;
    const res = await request(env.app)
      .get(`/?q=${encodeURIComponent(word)}`)
      .expect(200);
    const titles = [...res.text.matchAll(/<h3><a href="\/movies\/[^"]+">([^<]+)<\/a><\/h3>/g)].map(
      (match) => match[1] ?? '',
    );
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title.toLowerCase()).toContain(word.toLowerCase());
    expect(res.text).toMatch(new RegExp(`<input type="search"[^>]*name="q" value="${word}"`));
  });

  it('pages through the catalog with plain links', async () => {
    const first = await request(env.app).get('/').expect(200);
    const next = /<a href="(\/\?after=[^"]+)">Next page<\/a>/.exec(first.text)?.[1];
    expect(next).toBeDefined();
    const second = await request(env.app)
      .get((next ?? '').replace(/&amp;/g, '&'))
      .expect(200);
    expect(second.text).toContain('<a href="/">First page</a>');
    const ids = (html: string) => [...html.matchAll(/data-movie-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(second.text).length).toBeGreaterThan(0);
    for (const id of ids(second.text)) expect(ids(first.text)).not.toContain(id);
  });

  it('drops over-long and malformed filter values instead of passing them on', async () => {
    const res = await request(env.app)
      .get(`/?tag=${'x'.repeat(51)}&year=19a2&after=${'c'.repeat(201)}`)
      .set('Accept', 'application/json')
      .expect(200);
    const body = res.body as { page: { variables: { filter: unknown; after: unknown } } };
    expect(body.page.variables.filter).toBeNull();
    expect(body.page.variables.after).toBeNull();
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
    const state = stateOf(res.text) as Record<string, Record<string, unknown>>;
    expect(state[`Movie:${id}`]?.title).toBe(hostile);

    // The movie's own page: title (also in <title>) and description are text, not markup.
    const page = await request(env.app).get(`/movies/${id}`).expect(200);
    expect(page.text).not.toContain('<script>alert(');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.text).toContain('<title>&lt;/script&gt;&lt;script&gt;alert(1)');
    const pageState = stateOf(page.text) as Record<string, Record<string, unknown>>;
    expect(pageState[`Movie:${id}`]?.description).toBe(HOSTILE_DESCRIPTION);
  });
});

describe('movie page', () => {
  it('renders one movie', async () => {
    const movie = await anyMovie();
    const res = await request(env.app).get(`/movies/${movie.id}`).expect(200);
    expect(res.text).toContain(
      `<h1>${movie.title.replace(/&/g, '&amp;').replace(/'/g, '&#x27;')}</h1>`,
    );
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
    expect(res.text).toContain('<a href="/sign-in">Sign in</a>');
    expect(res.text).toContain('<a href="/sign-up">Sign up</a>');
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
