import request from 'supertest';
import { CookieJar } from '../../test/helpers/cookie-jar';
import {
  elementAt,
  listButtonOf,
  movieCard,
  movieCards,
  textContent,
} from '../../test/helpers/page-html';
import { callApi, startRenderTestEnv, uniqueEmail } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';

let env: RenderTestEnv;
let movieIds: string[];
let titleOf: Record<string, string>;

beforeAll(async () => {
  env = await startRenderTestEnv();
  const result = await callApi<{ movies: { edges: { node: { id: string; title: string } }[] } }>(
    env.api,
    '{ movies(first: 3) { edges { node { id title } } } }',
  );
  const nodes = result.data?.movies.edges.map((edge) => edge.node) ?? [];
  movieIds = nodes.map((node) => node.id);
  titleOf = Object.fromEntries(nodes.map((node) => [node.id, node.title]));
  expect(movieIds).toHaveLength(3);
});

function listButtonOfCard(html: string, movieId: string) {
  const { text, action } = listButtonOf(movieCard(html, movieId));
  return { text, action };
}

afterAll(async () => {
  await env.stop();
});

async function signedIn(): Promise<CookieJar> {
  const email = uniqueEmail();
  const res = await request(env.app)
    .post('/auth/sign-up')
    .send({ name: 'List Keeper', email, password: 'correct horse battery' })
    .expect(201);
  const jar = new CookieJar();
  jar.update(res.headers['set-cookie']);
  return jar;
}

async function listedIds(jar: CookieJar): Promise<string[]> {
  const result = await callApi<{ userMovies: { edges: { node: { movie: { id: string } } }[] } }>(
    env.api,
    '{ userMovies(first: 50) { edges { node { movie { id } } } } }',
    {},
    jar.get('access_token'),
  );
  return result.data?.userMovies.edges.map((edge) => edge.node.movie.id) ?? [];
}

describe('the list from HTML forms', () => {
  it('adds with a form post, shows it on /my-list, removes it', async () => {
    const jar = await signedIn();
    const movieId = movieIds[0] ?? '';
    const added = await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .type('form')
      .send({ movieId, returnTo: '/?tag=drama' })
      .expect(303);
    expect(added.headers.location).toBe('/?tag=drama');
    expect(await listedIds(jar)).toEqual([movieId]);

    // The catalog knows: that movie's button now removes, the others still add.
    const catalog = await request(env.app).get('/').set('Cookie', jar.header()).expect(200);
    expect(listButtonOfCard(catalog.text, movieId)).toEqual({
      text: `Remove from my list: ${titleOf[movieId]}`,
      action: `/user-movies/${movieId}/delete`,
    });
    expect(listButtonOfCard(catalog.text, movieIds[1] ?? '')).toEqual({
      text: `Add to my list: ${titleOf[movieIds[1] ?? '']}`,
      action: '/user-movies',
    });

    const page = await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(200);
    expect(movieCards(page.text).map((card) => card.id)).toEqual([movieId]);
    expect(listButtonOfCard(page.text, movieId)).toEqual({
      text: `Remove from my list: ${titleOf[movieId]}`,
      action: `/user-movies/${movieId}/delete`,
    });
    // The header counts the list.
    expect(textContent(elementAt(page.text, /<span [^>]*data-testid="header-list-count">/))).toBe(
      ' (1 movie)',
    );

    await request(env.app)
      .post(`/user-movies/${movieId}/delete`)
      .set('Cookie', jar.header())
      .type('form')
      .send({ returnTo: '/my-list' })
      .expect(303);
    expect(await listedIds(jar)).toEqual([]);
    const empty = await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(200);
    expect(empty.text).toContain('Your list is empty');
    expect(movieCards(empty.text)).toEqual([]);
    expect(textContent(elementAt(empty.text, /<span [^>]*data-testid="header-list-count">/))).toBe(
      ' (0 movies)',
    );
  });

  it('sends an anonymous form post to sign in, coming back to the page', async () => {
    const res = await request(env.app)
      .post('/user-movies')
      .type('form')
      .send({ movieId: movieIds[0], returnTo: '/movies/abc' })
      .expect(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Fmovies%2Fabc');
  });
});

describe('the list from scripts (JSON)', () => {
  it('adds (idempotently) and removes', async () => {
    const jar = await signedIn();
    const movieId = movieIds[1] ?? '';
    const added = await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .send({ movieId })
      .expect(200);
    expect(added.body.userMovie.movie).toEqual({
      __typename: 'Movie',
      id: movieId,
      inMyList: true,
    });
    await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .send({ movieId })
      .expect(200);
    expect(await listedIds(jar)).toEqual([movieId]);

    const removed = await request(env.app)
      .delete(`/user-movies/${movieId}`)
      .set('Cookie', jar.header())
      .expect(200);
    expect(removed.body).toEqual({ removed: true });
    const again = await request(env.app)
      .delete(`/user-movies/${movieId}`)
      .set('Cookie', jar.header())
      .expect(200);
    expect(again.body).toEqual({ removed: false });
  });

  it('answers 401 JSON without a session and 404 for a missing movie', async () => {
    const anonymous = await request(env.app)
      .post('/user-movies')
      .send({ movieId: movieIds[0] })
      .expect(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const jar = await signedIn();
    await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .send({ movieId: '000000000000000000000000' })
      .expect(404);
    await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .send({ movieId: { $ne: null } })
      .expect(404);
  });

  it('accepts only POST and DELETE', async () => {
    const jar = await signedIn();
    await request(env.app).get('/user-movies').set('Cookie', jar.header()).expect(404);
    await request(env.app)
      .put(`/user-movies/${movieIds[0]}`)
      .set('Cookie', jar.header())
      .expect(404);
    expect(await listedIds(jar)).toEqual([]);
  });
});

describe('cross-site requests', () => {
  it('refuses to add from another origin and changes nothing', async () => {
    const jar = await signedIn();
    const res = await request(env.app)
      .post('/user-movies')
      .set('Cookie', jar.header())
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ movieId: movieIds[0] })
      .expect(403);
    expect(res.text).toContain('Cross-site request refused');
    await request(env.app)
      .delete(`/user-movies/${movieIds[0]}`)
      .set('Cookie', jar.header())
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    expect(await listedIds(jar)).toEqual([]);
  });
});
