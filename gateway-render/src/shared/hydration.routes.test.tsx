import { renderToString } from 'react-dom/server';
import request from 'supertest';
import { signInWithForm, signUpWithForm } from '../../test/helpers/account-flows';
import type { CookieJar } from '../../test/helpers/cookie-jar';
import {
  manyAccountsFromOneIp,
  startRenderTestEnv,
  uniqueEmail,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { AppShell } from './app-shell';
import { PAGE_ELEMENT_ID } from './page-props';
import type { PageData } from './page-props';

// Hydration needs the browser's first render to produce exactly the server's markup. This
// renders each page the way the page script does (from the embedded page props and data, no
// network) and compares it with what the server sent: a difference here is a hydration
// mismatch in the browser. (Time zones cannot differ within one process: dates are rendered
// in UTC for that reason, see date-time.test.ts.)

let env: RenderTestEnv;
let jar: CookieJar;
/** A sample movie, on the signed-in person's list (so /my-list renders a card). */
let movieId: string;

beforeAll(async () => {
  // The sample movies: the catalog needs a second page and the movie page a movie.
  env = await startRenderTestEnv({}, { configureApi: manyAccountsFromOneIp });
  const email = uniqueEmail('hydrate');
  await signUpWithForm(env.app, { name: 'Hy Drate', email });
  // A second device, so the account page lists more than one session.
  jar = await signInWithForm(
    env.app,
    email,
    undefined,
    'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
  );
  const catalog = await request(env.app).get('/').set('Accept', 'application/json').expect(200);
  const { data } = catalog.body as PageData & {
    data: { movies: { edges: { node: { id: string } }[] } };
  };
  movieId = data.movies.edges[0]?.node.id ?? '';
  expect(movieId).not.toBe('');
  await request(env.app)
    .post('/user-movies')
    .set('Cookie', jar.header())
    .send({ movieId })
    .expect(200);
});

afterAll(async () => {
  await env.stop();
});

function jsonBlock<T>(html: string, id: string): T {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`).exec(html);
  if (!match?.[1]) throw new TypeError(`no #${id} block`);
  return JSON.parse(match[1]) as T;
}

function serverRoot(html: string): string {
  const start = html.indexOf('<div id="root">') + '<div id="root">'.length;
  const end = html.indexOf(`</div><script type="application/json" id="${PAGE_ELEMENT_ID}">`);
  return html.slice(start, end);
}

/** What the page script's first render produces from the page's embedded state. */
function browserRender(html: string): string {
  const { page, data } = jsonBlock<PageData>(html, PAGE_ELEMENT_ID);
  return renderToString(<AppShell page={page} data={data} navigate={null} />);
}

describe('the new pages hydrate to the same markup', () => {
  const pages: [string, boolean][] = [
    ['/forgot-password', false],
    ['/reset-password?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', false],
    ['/verify-email?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', true],
    ['/confirm-email?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', false],
    ['/sign-in?notice=password-reset', false],
    ['/account?notice=sessions-revoked&count=2', true],
    ['/', true],
    ['/dev/mail', true],
    // Filtered to nothing: the summary, the empty state and no pagination.
    ['/?q=zzzqqq&tag=drama&tag=comedy', false],
    ['/?page=2', true],
    ['/?page=3', false],
    // `:movie` is the sample movie on the list (its id is known only once the API runs).
    ['/movies/:movie', true],
    ['/movies/:movie', false],
    ['/my-list', true],
  ];
  it.each(pages)('%s (signed in: %s)', async (path, signedIn) => {
    const res = await request(env.app)
      .get(path.replace(':movie', movieId))
      .set('Cookie', signedIn ? jar.header() : '')
      .expect(200);
    if (signedIn) jar.update(res.headers['set-cookie']);
    const root = serverRoot(res.text);
    expect(root.length).toBeGreaterThan(100);
    expect(browserRender(res.text)).toBe(root);
  });

  it('shows the banner and the notice in the markup it compares', async () => {
    const res = await request(env.app)
      .get('/account?notice=sessions-revoked&count=2')
      .set('Cookie', jar.header())
      .expect(200);
    expect(serverRoot(res.text)).toContain('data-testid="verify-banner"');
    expect(serverRoot(res.text)).toContain('Signed out 2 other devices.');
    expect(serverRoot(res.text)).toContain('UTC</time>');
  });

  it('compares pages that carry what the new pages add (cards, list state, pagination, back link)', async () => {
    const list = await request(env.app).get('/my-list').set('Cookie', jar.header()).expect(200);
    jar.update(list.headers['set-cookie']);
    const listRoot = serverRoot(list.text);
    expect(listRoot).toContain(`data-movie-id="${movieId}"`);
    expect(listRoot).toContain('Remove from my list');
    expect(listRoot).toContain('data-testid="header-list-count"');
    const second = await request(env.app).get('/?page=2').expect(200);
    expect(serverRoot(second.text)).toContain('data-testid="page-status"');
    const movie = await request(env.app)
      .get(`/movies/${movieId}`)
      .set('Referer', `${env.config.publicOrigin}/?tag=drama`)
      .expect(200);
    expect(serverRoot(movie.text)).toContain('Back to results');
    expect(browserRender(movie.text)).toBe(serverRoot(movie.text));
  });
});
