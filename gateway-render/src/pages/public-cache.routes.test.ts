import request from 'supertest';
import { startApiProxy } from '../../test/helpers/api-proxy';
import { CookieJar } from '../../test/helpers/cookie-jar';
import {
  callApi,
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';

// Anonymous catalog reads are the same for everyone and the API marks them public for 60 s:
// the render server reuses them for other anonymous visitors. A recording pass-through that
// keeps the API's Cache-Control shows which calls reach the API.

let env: RenderTestEnv;
let proxy: Awaited<ReturnType<typeof startApiProxy>>;

beforeAll(async () => {
  env = await startRenderTestEnv();
  proxy = await startApiProxy(env.api.url, { passCacheControl: true });
});

afterAll(async () => {
  await proxy.close();
  await env.stop();
});

beforeEach(() => {
  proxy.calls.length = 0;
});

/** The second visitor gets the first one's page, byte for byte: markup, head and embedded data. */
function expectSamePage(second: string, first: string): void {
  expect(second).toBe(first);
}

describe('public API responses', () => {
  it('are reused for anonymous visitors: the same page, one API call per query', async () => {
    const { app } = env.appWith({ API_URL: proxy.url });
    const first = await request(app).get('/?q=the').expect(200);
    const second = await request(app).get('/?q=the').expect(200);
    expectSamePage(second.text, first.text);
    expect(second.text).toContain('Sign in');
    expect(proxy.calls.map((call) => call.operation)).toEqual(['CatalogPublic']);
    // Other variables are another entry.
    await request(app).get('/?q=a').expect(200);
    expect(proxy.calls.map((call) => call.operation)).toEqual(['CatalogPublic', 'CatalogPublic']);
  });

  it('serve the movie page to anonymous visitors too', async () => {
    const { app } = env.appWith({ API_URL: proxy.url });
    const listed = await callApi<{ movies: { edges: { node: { id: string; title: string } }[] } }>(
      env.api,
      'query { movies(first: 1) { edges { node { id title } } } }',
    );
    const movie = listed.data?.movies.edges[0]?.node;
    if (!movie) throw new TypeError('the seed has no movie');
    const first = await request(app).get(`/movies/${movie.id}`).expect(200);
    const second = await request(app).get(`/movies/${movie.id}`).expect(200);
    expectSamePage(second.text, first.text);
    expect(second.text).toContain(movie.title);
    expect(proxy.calls.map((call) => call.operation)).toEqual(['MoviePagePublic']);
    // A malformed id is still the 404 page, and is never cached (the API answered an error).
    await request(app).get('/movies/not-an-id').expect(404);
    await request(app).get('/movies/not-an-id').expect(404);
    expect(proxy.calls.map((call) => call.operation)).toEqual([
      'MoviePagePublic',
      'MoviePagePublic',
      'MoviePagePublic',
    ]);
  });

  it('are never used for, nor filled by, signed-in people', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Cache Tester' });
    const { app } = env.appWith({ API_URL: proxy.url });
    const jar = new CookieJar();
    const signIn = await request(app)
      .post('/auth/sign-in')
      .set('Accept', 'application/json')
      .auth(email, TEST_PASSWORD)
      .send({})
      .expect(200);
    jar.update(signIn.headers['set-cookie']);
    proxy.calls.length = 0;

    // Warm the anonymous entry first: the signed-in page must still ask the API itself.
    await request(app).get('/?q=e').expect(200);
    for (let i = 0; i < 2; i += 1) {
      const page = await request(app).get('/?q=e').set('Cookie', jar.header()).expect(200);
      expect(page.text).toContain('Cache Tester');
    }
    expect(proxy.calls.map((call) => call.operation)).toEqual([
      'CatalogPublic',
      'Catalog',
      'Catalog',
    ]);
    for (const call of proxy.calls.slice(1)) expect(call.headers.authorization).toMatch(/^Bearer /);
    // And an anonymous visitor after them still gets the anonymous page.
    const anonymous = await request(app).get('/?q=e').expect(200);
    expect(anonymous.text).not.toContain('Cache Tester');
    expect(proxy.calls).toHaveLength(3);
  });
});
