import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startTestApi } from 'graphql-api/testing';
import type { TestApi } from 'graphql-api/testing';
import { describeInChromium, findChromium, launchChromium } from '../helpers/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testMongoUri } from '../helpers/render-test-env';

// The API's development playground (GraphiQL, graphql-api/src/playground) in Debian's Chromium,
// offline: every request to another origin than the API's is refused and recorded, so the page
// must load its script, styles, fonts and Monaco workers from the API itself. Without Chromium
// it says so plainly; in CI (CI=true) a missing Chromium is a failure.

// The API's bundle, built like its `npm run build` does (skipped when current). Required by
// path: jest maps `graphql-api/*` to its src/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildPlayground } = require('../../../graphql-api/scripts/build-playground.cjs') as {
  buildPlayground: (options: { ifStale: boolean }) => Promise<{ outDir: string; built: boolean }>;
};

const chromiumPath = findChromium();
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-output');

const describeInBrowser = describeInChromium('The playground browser test', chromiumPath);

/** What the page showed that it should not have: each list must stay empty. */
interface Problems {
  /** Requests to another origin (refused). */
  offsite: string[];
  /** CSP violations, from the console and from `securitypolicyviolation` events. */
  csp: string[];
  /**
   * Uncaught errors, console errors, and Monaco's warning when a worker cannot start (it then
   * falls back to running the language service on the page).
   */
  errors: string[];
}

describeInBrowser('the API playground in headless Chromium, offline', () => {
  let api: TestApi;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  const problems: Problems = { offsite: [], csp: [], errors: [] };
  /** The paths of the web workers the pages started. */
  const workers: string[] = [];

  beforeAll(async () => {
    await buildPlayground({ ifStale: true });
    api = await startTestApi({
      mongoUri: testMongoUri(),
      seedMovies: true,
      env: { NODE_ENV: 'development' },
    });
    origin = new URL(api.url).origin;
    // The browser tests' flags, and no QUIC; playwright starts Chromium with a fresh profile.
    browser = await launchChromium(chromiumPath, ['--disable-quic']);
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // "Offline": nothing but the API's own origin is reachable (a CDN request fails at once).
    await context.route(
      (url) => url.origin !== origin,
      (route) => {
        problems.offsite.push(route.request().url());
        return route.abort('internetdisconnected');
      },
    );
    context.on('page', (page) => {
      page.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Refused to (execute|load|apply|create)/i.test(text)) {
          problems.csp.push(text);
        } else if (
          message.type() === 'error' ||
          (message.type() === 'warning' && /web worker/i.test(text))
        ) {
          problems.errors.push(text);
        }
      });
      page.on('pageerror', (error) => problems.errors.push(error.message));
      page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
    });
    // Runs before any page script (and outside the page's CSP): records CSP violations.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const store = window as unknown as { __cspViolations?: string[] };
        (store.__cspViolations ??= []).push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
  });

  beforeEach(() => {
    problems.offsite.length = 0;
    problems.csp.length = 0;
    problems.errors.length = 0;
    workers.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  async function recordedViolations(page: Page): Promise<string[]> {
    return page.evaluate(
      () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
    );
  }

  /** Opens the playground and waits until Monaco shows the first example in the editor. */
  async function openPlayground(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${origin}/graphql`);
    await page.locator('.graphiql-query-editor .view-lines').getByText('query Movies').waitFor();
    return page;
  }

  it('runs the example movies query with the preset public key, with no CSP violation', async () => {
    // What the example should show: the first page of the seeded catalog.
    const expected = await fetch(api.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': api.publicApiKey },
      body: JSON.stringify({
        query: '{ movies(first: 5) { totalCount edges { node { title } } } }',
      }),
    });
    const { data } = (await expected.json()) as {
      data: { movies: { totalCount: number; edges: { node: { title: string } }[] } };
    };
    const firstTitle = data.movies.edges[0]?.node.title ?? '';
    expect(firstTitle).not.toBe('');

    const page = await openPlayground();
    // The three example tabs, and the headers editor showing the preset key.
    const tabs = page.locator('.graphiql-tab');
    await expect(tabs.allInnerTexts()).resolves.toEqual(
      expect.arrayContaining([
        expect.stringContaining('Movies'),
        expect.stringContaining('SignIn'),
        expect.stringContaining('UserMovies'),
      ]),
    );
    await page
      .locator('.graphiql-editor-tool .view-lines')
      .getByText(api.publicApiKey, { exact: false })
      .waitFor();

    const sent = page.waitForRequest(
      (request) =>
        request.url() === api.url &&
        request.method() === 'POST' &&
        (request.postData() ?? '').includes('query Movies'),
    );
    await page.click('.graphiql-execute-button');
    const request = await sent;
    expect(request.headers()['x-api-key']).toBe(api.publicApiKey);

    // The result pane (Monaco renders spaces as no-break spaces: compare on normalized text).
    const resultPane = page.locator('.graphiql-response .view-lines');
    await page.waitForFunction(
      (title) =>
        (document.querySelector('.graphiql-response .view-lines')?.textContent ?? '')
          .replace(/\s+/g, ' ')
          .includes(`"title": "${title}"`),
      firstTitle,
    );
    const shown = ((await resultPane.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(shown).toContain(`"totalCount": ${data.movies.totalCount}`);
    expect(shown).not.toContain('"errors"');

    // Monaco's language services ran in their own same-origin workers (CSP worker-src 'self').
    expect(workers).toEqual(
      expect.arrayContaining(['/playground/editor.worker.js', '/playground/graphql.worker.js']),
    );

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'playground.png') });

    expect(await recordedViolations(page)).toEqual([]);
    expect(problems).toEqual({ offsite: [], csp: [], errors: [] });
    await page.close();
  });

  it('would notice a request to another origin and a CSP violation (the checks above can fail)', async () => {
    const page = await openPlayground();
    const outcome = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
      try {
        await fetch('https://cdn.example.com/graphiql.js', { mode: 'no-cors' });
        return 'fetched';
      } catch {
        return 'refused';
      }
    });
    expect(outcome).toBe('refused');
    expect(
      await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan),
    ).toBeUndefined();
    await page.waitForFunction(
      () =>
        ((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []).length > 0,
    );
    expect((await recordedViolations(page)).join('\n')).toMatch(/^script-src/m);
    // The CSP's connect-src refuses the fetch before it leaves the page; had it left, the route
    // would have recorded it. Either way nothing from another origin reached the page.
    expect(problems.csp.length + problems.offsite.length).toBeGreaterThan(0);
    await page.close();
  });
});
