import { readFile } from 'node:fs/promises';
import request from 'supertest';
import { createApp } from '../src/app';
import type { ApiApp } from '../src/app';
import { loadConfig } from '../src/config';
import { startDevInbox } from '../src/mail';
import type { DevInbox } from '../src/mail';
import type { PlaygroundSettings } from '../src/playground';
import { SCHEMA_FILE } from '../src/schema';
import { testEnv } from '../src/testing';
import type { TestApi } from '../src/testing';
import { startApi, testMongoUri } from './execute-operation';

// The development playground (GraphiQL on GET /graphql, `/`, the SDL) and its absence in
// production. The bundle is built by the global setup; the browser test that runs it is
// gateway-render/test/e2e/playground.test.ts.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const MOVIES_QUERY = { query: '{ movies(first: 1) { totalCount } }' };

let api: TestApi;
let production: ApiApp;
let productionSmtp: DevInbox;
beforeAll(async () => {
  api = await startApi({ NODE_ENV: 'development' });
  // A production app on the same database and keys (stand-in SMTP server: production needs one).
  productionSmtp = await startDevInbox({ port: 0 });
  const env = testEnv(testMongoUri(), {
    NODE_ENV: 'production',
    PASSWORD_HASH_MEMORY_KIB: '19456',
    PASSWORD_HASH_TIME_COST: '2',
    SMTP_URL: productionSmtp.url,
    JWT_SECRET: api.jwtSecret,
    PUBLIC_API_KEY_TOKEN: api.publicApiKey,
    ADMIN_API_KEY_TOKEN: api.adminApiKey,
    RENDER_API_KEY_TOKEN: api.renderApiKey,
  });
  production = await createApp(loadConfig(env));
});
afterAll(async () => {
  await production?.stop();
  await productionSmtp?.stop();
  await api?.stop();
});

/** The page's `<script>` tags, each with its attributes and content. */
function scripts(html: string): { attributes: string; content: string }[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((match) => ({
    attributes: match[1] ?? '',
    content: match[2] ?? '',
  }));
}

function settingsOf(html: string): PlaygroundSettings {
  const block = scripts(html).find((script) => /type="application\/json"/.test(script.attributes));
  if (!block) throw new TypeError('no settings block');
  return JSON.parse(block.content) as PlaygroundSettings;
}

/** The directives of a Content-Security-Policy header, by name. */
function cspDirectives(header: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

describe('the playground in development', () => {
  it('serves GraphiQL to a browser on GET /graphql, under a CSP with no inline script', async () => {
    const response = await request(api.api.app)
      .get('/graphql')
      .set('Accept', BROWSER_ACCEPT)
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-store');

    const csp = cspDirectives(response.headers['content-security-policy']);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('script-src-attr')).toEqual(["'none'"]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    // Nothing from another origin: no host or scheme source but data: (the embedded fonts).
    for (const [name, values] of csp) {
      for (const value of values) {
        expect(`${name} ${value}`).toMatch(/ ('self'|'none'|'unsafe-inline'|data:)$/);
      }
    }
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);

    // Every script is the same-origin bundle or the settings block (JSON: never executed).
    const tags = scripts(response.text);
    expect(tags).toHaveLength(2);
    for (const tag of tags) {
      if (/type="application\/json"/.test(tag.attributes)) continue;
      expect(tag.attributes).toMatch(/\bsrc="\/playground\/playground\.js"/);
      expect(tag.content.trim()).toBe('');
    }
    expect(response.text).not.toMatch(/\son[a-z]+=/i);
    expect(response.text).toContain('<link rel="stylesheet" href="/playground/playground.css">');
    // The page says where the Bearer token goes.
    expect(response.text).toContain('<code>"Authorization": "Bearer &lt;accessToken&gt;"</code>');
  });

  it('presets the public key and opens the movies, signIn and userMovies examples', async () => {
    const response = await request(api.api.app)
      .get('/graphql')
      .set('Accept', 'text/html')
      .expect(200);
    const settings = settingsOf(response.text);
    expect(settings.publicApiKey).toBe(api.publicApiKey);
    expect(settings.endpoint).toBe('/graphql');
    expect(settings.workers).toEqual({
      editor: '/playground/editor.worker.js',
      json: '/playground/json.worker.js',
      graphql: '/playground/graphql.worker.js',
    });
    expect(settings.tabs.map((tab) => /^(query|mutation) (\w+)/m.exec(tab.query)?.[2])).toEqual([
      'Movies',
      'SignIn',
      'UserMovies',
    ]);
    for (const headers of [...settings.tabs.map((tab) => tab.headers), settings.defaultHeaders]) {
      expect(headers).toContain(`"X-API-Key": "${api.publicApiKey}"`);
      expect(headers).toContain('// "Authorization": "Bearer <accessToken>"');
    }
    const [movies, signIn] = settings.tabs;
    // The first tab opens with empty variables (GraphiQL's initial editors): it needs none.
    expect(movies?.query).toMatch(/movies\(first: 5\)/);
    expect(movies?.variables).toBeUndefined();
    expect(signIn?.query).toMatch(/signIn\(input: \$input\)[\s\S]*accessToken/);
    expect(JSON.parse(signIn?.variables ?? '{}')).toEqual({
      input: { email: 'demo@example.com', password: 'demo-password', rememberMe: false },
    });

    // The example runs as the page's script would send it: with the key, it is not refused.
    const run = await request(api.api.app)
      .post(settings.endpoint)
      .set('Content-Type', 'application/json')
      .set('X-API-Key', settings.publicApiKey ?? '')
      .send({ query: movies?.query })
      .expect(200);
    expect(run.body.errors).toBeUndefined();
    expect(run.body.data.movies.totalCount).toEqual(expect.any(Number));
  });

  it('leaves GraphQL clients to Apollo: JSON GETs and POSTs never get the page', async () => {
    const get = await request(api.api.app).get('/graphql').set('Accept', 'application/json');
    expect(get.headers['content-type']).not.toMatch(/html/);
    expect(get.text).not.toContain('<!doctype html>');
    const noAccept = await request(api.api.app).get('/graphql');
    expect(noAccept.text).not.toContain('<!doctype html>');
    const post = await request(api.api.app)
      .post('/graphql')
      .set('Accept', BROWSER_ACCEPT)
      .set('Content-Type', 'application/json')
      .set('X-API-Key', api.publicApiKey)
      .send(MOVIES_QUERY)
      .expect(200);
    expect(post.body.data.movies.totalCount).toEqual(expect.any(Number));
  });

  it('serves the bundle and its workers with JavaScript and CSS content types', async () => {
    for (const file of [
      'playground.js',
      'editor.worker.js',
      'json.worker.js',
      'graphql.worker.js',
    ]) {
      const response = await request(api.api.app).get(`/playground/${file}`).expect(200);
      expect(response.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    }
    const css = await request(api.api.app).get('/playground/playground.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    await request(api.api.app).get('/playground/nope.js').expect(404);
  });

  it('lists the playground, the schema, /health and /ready on GET /', async () => {
    const response = await request(api.api.app).get('/').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBeDefined();
    const links = [...response.text.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]);
    expect(links).toEqual(
      expect.arrayContaining(['/graphql', '/schema.graphql', '/health', '/ready', '/dev/mail']),
    );
    expect(links).toContain(api.config.publicOrigin);
    expect(response.text).not.toMatch(/<script/i);
  });

  it('serves the SDL of schema/schema.graphql on GET /schema.graphql', async () => {
    const response = await request(api.api.app).get('/schema.graphql').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toBe(await readFile(SCHEMA_FILE, 'utf8'));
    expect(response.text).toMatch(/type Query \{/);
  });
});

describe('the playground in production', () => {
  it('is not served: GET /graphql for a browser, /, the schema and the bundle are 404', async () => {
    for (const accept of [BROWSER_ACCEPT, 'text/html']) {
      const page = await request(production.app).get('/graphql').set('Accept', accept);
      expect(page.status).toBe(404);
      expect(page.text).not.toMatch(/graphiql|playground/i);
    }
    await request(production.app).get('/').set('Accept', BROWSER_ACCEPT).expect(404);
    await request(production.app).get('/schema.graphql').expect(404);
    await request(production.app).get('/playground/playground.js').expect(404);
  });

  it('still answers POST /graphql', async () => {
    const response = await request(production.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('X-API-Key', api.publicApiKey)
      .send(MOVIES_QUERY)
      .expect(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.movies.totalCount).toEqual(expect.any(Number));
  });
});
