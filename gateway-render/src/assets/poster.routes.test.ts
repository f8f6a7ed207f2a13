import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import express from 'express';
import { pino } from 'pino';
import { requestLogger } from '../logger';
import request from 'supertest';
import { callApi, renderEnv, startRenderTestEnv } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { loadConfig } from '../config';
import type { RenderConfig } from '../config';
import type { AppLocals } from '../shared/api-call';
import { ApiFailureError } from '../shared/api-errors';
import { errorHandler } from '../shared/error-handler';
import { PublicResponseCache } from '../shared/public-response-cache';
import { posterSvg } from './poster';
import { PosterMovieCache } from './poster-movie-cache';
import { posterPath, posterVersion } from './poster-path';
import { posterRoutes } from './poster.routes';

interface Movie {
  id: string;
  title: string;
  year: number;
  tags: string[];
}

let env: RenderTestEnv;
let movies: Movie[];

beforeAll(async () => {
  env = await startRenderTestEnv();
  const result = await callApi<{ movies: { edges: { node: Movie }[] } }>(
    env.api,
    'query { movies(first: 50) { edges { node { id title year tags } } } }',
  );
  movies = (result.data?.movies.edges ?? []).map((edge) => edge.node);
  if (movies.length < 5) throw new TypeError('the seed has too few movies');
});

afterAll(async () => {
  await env.stop();
});

/**
 * One render process as far as posters go: the poster router with the app's usual neighbours
 * (request logger, public response cache, the error handler) and its own poster cache.
 */
function renderProcess(
  cache = new PosterMovieCache(),
  config: RenderConfig = env.config,
): { app: express.Express; cache: PosterMovieCache } {
  const app = express();
  const locals: AppLocals = { publicResponseCache: new PublicResponseCache() };
  Object.assign(app.locals, locals);
  app.use(requestLogger({ logger: pino({ level: 'silent' }) }));
  app.use(posterRoutes({ config }, { movies: cache }));
  app.use(() => {
    throw new ApiFailureError({ kind: 'not-found', message: 'No such page' });
  });
  app.use(errorHandler(config));
  return { app, cache };
}

async function closedApiConfig(): Promise<RenderConfig> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return loadConfig(renderEnv(env.api, { API_URL: `http://127.0.0.1:${port}/graphql` }));
}

/** GETs a poster path, with the body as text whatever its type. */
function getPoster(app: express.Express, path: string) {
  return request(app)
    .get(path)
    .buffer(true)
    .parse((res, done) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(null, body));
    });
}

function expectPosterHeaders(res: request.Response, cacheControl: string): void {
  expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
  expect(res.headers['cache-control']).toBe(cacheControl);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toBe("default-src 'none'");
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('GET /assets/posters/:file', () => {
  it('serves a remembered movie’s poster for a year, without asking the API', async () => {
    const movie = movies[0] as Movie;
    const cache = new PosterMovieCache();
    cache.remember(movie);
    // The API is unreachable: only the cache can answer.
    const { app } = renderProcess(cache, await closedApiConfig());
    const res = await getPoster(app, posterPath(movie)).expect(200);
    expectPosterHeaders(res, IMMUTABLE);
    expect(res.body).toBe(posterSvg(movie));
  });

  it('serves any poster from a process that never rendered the movie, by asking the API', async () => {
    const movie = movies[1] as Movie;
    const cold = renderProcess();
    expect(cold.cache.size).toBe(0);
    const res = await getPoster(cold.app, posterPath(movie)).expect(200);
    expectPosterHeaders(res, IMMUTABLE);
    expect(res.body).toBe(posterSvg(movie));
    // What the API said is kept: the next request needs no API (here, none is reachable).
    expect(cold.cache.get(movie.id)?.version).toBe(posterVersion(movie));
    const offline = renderProcess(cold.cache, await closedApiConfig());
    const again = await getPoster(offline.app, posterPath(movie)).expect(200);
    expect(again.body).toBe(res.body);
  });

  it('answers an old hash with the current poster, cached for a minute only', async () => {
    const movie = movies[2] as Movie;
    const { app } = renderProcess();
    const res = await getPoster(app, `/assets/posters/${movie.id}-000000000000.svg`).expect(200);
    expectPosterHeaders(res, 'public, max-age=60');
    expect(res.body).toBe(posterSvg(movie));
  });

  it('follows a movie that changed since a process remembered it', async () => {
    const before = movies[3] as Movie;
    const after = { ...before, title: `${before.title} (Director’s Cut)`, tags: ['western'] };
    const updated = await fetch(env.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': env.api.adminApiKey },
      body: JSON.stringify({
        query:
          'mutation ($id: ID!, $input: UpdateMovieInput!) { updateMovie(id: $id, input: $input) { id } }',
        variables: { id: before.id, input: { title: after.title, tags: after.tags } },
      }),
    });
    expect(((await updated.json()) as { errors?: unknown }).errors).toBeUndefined();

    // This process rendered the movie before the change; another rendered the page after it.
    const cache = new PosterMovieCache();
    cache.remember(before);
    const { app } = renderProcess(cache);
    const current = await getPoster(app, posterPath(after)).expect(200);
    expectPosterHeaders(current, IMMUTABLE);
    expect(current.body).toBe(posterSvg(after));
    expect(cache.get(before.id)?.version).toBe(posterVersion(after));
    // A page still linking the old poster gets the new one, briefly.
    const old = await getPoster(app, posterPath(before)).expect(200);
    expectPosterHeaders(old, 'public, max-age=60');
    expect(old.body).toBe(posterSvg(after));
  });

  it('answers 404 for a movie that does not exist, saying nothing more', async () => {
    const { app } = renderProcess();
    for (const id of [new Types.ObjectId().toHexString(), 'not-an-object-id']) {
      const res = await getPoster(app, `/assets/posters/${id}-0123456789ab.svg`).expect(404);
      expect(res.body).toBe('Not found');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'");
    }
  });

  it.each([
    ['a path outside the folder', '/assets/posters/..%2F..%2Fpackage.json'],
    ['dot segments', '/assets/posters/../../package.json'],
    ['an encoded id with a slash', '/assets/posters/a%2Fb-0123456789ab.svg'],
    ['a very long id', `/assets/posters/${'a'.repeat(65)}-0123456789ab.svg`],
    ['a very long name', `/assets/posters/${'a'.repeat(5000)}.svg`],
    ['another extension', '/assets/posters/64b7f0c2a1b2c3d4e5f60718-0123456789ab.png'],
    ['a double extension', '/assets/posters/64b7f0c2a1b2c3d4e5f60718-0123456789ab.svg.js'],
    ['no hash', '/assets/posters/64b7f0c2a1b2c3d4e5f60718.svg'],
    ['a short hash', '/assets/posters/64b7f0c2a1b2c3d4e5f60718-0123.svg'],
    ['an upper-case hash', '/assets/posters/64b7f0c2a1b2c3d4e5f60718-0123456789AB.svg'],
    ['a NUL byte', '/assets/posters/64b7f0c2a1b2c3d4e5f60718-0123456789ab.svg%00'],
    ['no file', '/assets/posters/'],
  ])('answers 404 for %s', async (_what, path) => {
    const { app, cache } = renderProcess();
    const res = await getPoster(app, path).expect(404);
    expect(res.headers['content-type']).not.toMatch(/svg/);
    expect(res.body).not.toMatch(/package\.json|\bstack\b|Error:|\n\s+at /);
    expect(cache.size).toBe(0);
  });

  it('leaves an unreachable API to the error handler: the 503 page', async () => {
    const movie = movies[4] as Movie;
    const { app } = renderProcess(new PosterMovieCache(), await closedApiConfig());
    const res = await request(app).get(posterPath(movie)).expect(503);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Temporarily unavailable');
  });
});
