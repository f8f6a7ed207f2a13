import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { startRenderTestEnv } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { workspaceDir } from './workspace-dir';
import { ASSET_MANIFEST_FILE, loadPageAssets } from './assets';

// The files every page links are served under content-hashed names (cached for a year, never
// revalidated), compressed, and without their source maps. This reads the build the jest global
// setup made (scripts/build-client.cjs), so it checks what production serves.

const PUBLIC_DIR = path.join(workspaceDir(), 'dist', 'public');
const SOURCEMAP_DIR = path.join(workspaceDir(), 'dist', 'sourcemaps');
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The catalog's JavaScript budget (gzipped), from the issue. */
const SCRIPT_BUDGET_BYTES = 60 * 1024;

describe('loadPageAssets', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'assets-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('links the hashed names the manifest lists', () => {
    writeFileSync(
      path.join(dir, ASSET_MANIFEST_FILE),
      JSON.stringify({
        'client.js': 'client-ABCDEFGH.js',
        'styles.css': 'styles-IJKLMNOP.css',
        'favicon.svg': 'favicon-QRSTUVWX.svg',
      }),
    );
    expect(loadPageAssets(dir)).toEqual({
      script: '/assets/client-ABCDEFGH.js',
      stylesheet: '/assets/styles-IJKLMNOP.css',
      icon: '/assets/favicon-QRSTUVWX.svg',
    });
  });

  it('falls back to the plain names before a build, or for a name the manifest lacks', () => {
    expect(loadPageAssets(dir)).toEqual({
      script: '/assets/client.js',
      stylesheet: '/assets/styles.css',
      icon: '/assets/favicon.svg',
    });
    writeFileSync(
      path.join(dir, ASSET_MANIFEST_FILE),
      JSON.stringify({ 'client.js': 'client-ABCDEFGH.js' }),
    );
    expect(loadPageAssets(dir)).toEqual({
      script: '/assets/client-ABCDEFGH.js',
      stylesheet: '/assets/styles.css',
      icon: '/assets/favicon.svg',
    });
  });
});

describe('the built assets', () => {
  let env: RenderTestEnv;
  let links: { script: string; stylesheet: string; icon: string };

  beforeAll(async () => {
    env = await startRenderTestEnv({}, { seedMovies: false });
    const page = await request(env.app).get('/').expect(200);
    const attribute = (pattern: RegExp) => pattern.exec(page.text)?.[1] ?? '';
    links = {
      script: attribute(/<script src="([^"]+)" defer><\/script>/),
      stylesheet: attribute(/<link rel="stylesheet" href="([^"]+)">/),
      icon: attribute(/<link rel="icon" href="([^"]+)" type="image\/svg\+xml">/),
    };
  });

  afterAll(async () => {
    await env.stop();
  });

  it('are what the page links: the manifest names, content-hashed', () => {
    expect(links).toEqual(loadPageAssets(PUBLIC_DIR));
    expect(links.script).toMatch(/^\/assets\/client-[A-Z0-9]{8}\.js$/);
    expect(links.stylesheet).toMatch(/^\/assets\/styles-[A-Z0-9]{8}\.css$/);
    expect(links.icon).toMatch(/^\/assets\/favicon-[A-Z0-9]{8}\.svg$/);
  });

  it.each([
    ['script', /javascript/],
    ['stylesheet', /text\/css/],
    ['icon', /image\/svg\+xml/],
  ] as const)('serve the %s with a year of immutable caching', async (name, type) => {
    const res = await request(env.app).get(links[name]).expect(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('keep the page script within the 60 KB gzipped budget', () => {
    const file = path.join(PUBLIC_DIR, path.basename(links.script));
    const gzipped = gzipSync(readFileSync(file), { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(1000);
    expect(gzipped).toBeLessThan(SCRIPT_BUDGET_BYTES);
  });

  it('are compressed for browsers that take it: brotli first, else gzip', async () => {
    for (const url of [links.script, links.stylesheet]) {
      const gzip = await request(env.app).get(url).set('Accept-Encoding', 'gzip').expect(200);
      expect({ url, encoding: gzip.headers['content-encoding'] }).toEqual({
        url,
        encoding: 'gzip',
      });
      expect(gzip.headers.vary).toMatch(/Accept-Encoding/i);
      const brotli = await request(env.app)
        .get(url)
        .set('Accept-Encoding', 'br, gzip')
        .buffer(true)
        .parse((res, done) => {
          // The bytes as supertest hands them over (it decodes brotli and gzip).
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect({ url, encoding: brotli.headers['content-encoding'] }).toEqual({
        url,
        encoding: 'br',
      });
      const original = readFileSync(path.join(PUBLIC_DIR, path.basename(url)));
      // Decoded, the very file: compression changed the transfer, not the content.
      expect((brotli.body as Buffer).equals(original)).toBe(true);
    }
    // Without Accept-Encoding: the plain bytes.
    const plain = await request(env.app).get(links.script).set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('compress the HTML pages too', async () => {
    const res = await request(env.app).get('/').set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    // supertest decoded it: still the page.
    expect(res.text).toContain('<h1>Catalog</h1>');
  });

  it('revalidate anything without a content hash (the manifest)', async () => {
    const res = await request(env.app).get(`/assets/${ASSET_MANIFEST_FILE}`).expect(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('never serve source maps, which the build keeps outside the public folder', async () => {
    for (const url of [links.script, links.stylesheet]) {
      const map = `${path.basename(url)}.map`;
      // The map was written (debuggable from the build output) ...
      expect(existsSync(path.join(SOURCEMAP_DIR, map))).toBe(true);
      expect(existsSync(path.join(PUBLIC_DIR, map))).toBe(false);
      // ... and is not public.
      await request(env.app).get(`/assets/${map}`).expect(404);
    }
    // Nor does the script point browsers at one.
    const script = readFileSync(path.join(PUBLIC_DIR, path.basename(links.script)), 'utf8');
    expect(script).not.toContain('sourceMappingURL');
  });

  it('answer /favicon.ico with a redirect to the icon', async () => {
    const res = await request(env.app).get('/favicon.ico').expect(301);
    expect(res.headers.location).toBe(links.icon);
  });

  it('answer 404 for a hashed name that does not exist', async () => {
    await request(env.app).get('/assets/client-AAAAAAAA.js').expect(404);
  });
});
