import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listen, startRenderTestEnv, uniqueEmail } from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';

// The browser test: Debian's Chromium driven by playwright-core (nothing is downloaded).
// Without Chromium it says so plainly; in CI (CI=true) a missing Chromium is a failure.

function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on PATH
    }
  }
  return null;
}

const chromiumPath = findChromium();
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-output');
/** How React reports a hydration mismatch (readable in development, an error number in production). */
const HYDRATION_ERROR = /hydrat|Minified React error #(418|419|422|423|425)/i;
const HOW_TO_INSTALL =
  'Install it with `apt-get update && apt-get install -y chromium` (Debian/Ubuntu) or set CHROMIUM_PATH.';

if (!chromiumPath) {
  console.warn(
    `\n*** The browser test (gateway-render/test/e2e) did NOT run: Chromium is not installed.\n*** ${HOW_TO_INSTALL}\n`,
  );
}

const describeInBrowser = chromiumPath ? describe : describe.skip;

if (!chromiumPath && process.env.CI === 'true') {
  describe('browser test in CI', () => {
    it('has Chromium (.ci/run installs it)', () => {
      throw new TypeError(`Chromium is missing in CI. ${HOW_TO_INSTALL}`);
    });
  });
}

describeInBrowser('in headless Chromium', () => {
  let env: RenderTestEnv;
  let server: { origin: string; close(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    env = await startRenderTestEnv();
    server = await listen(env.app);
    // playwright starts Chromium with a fresh temporary profile (user-data-dir) every time.
    browser = await chromium.launch({
      executablePath: chromiumPath ?? undefined,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    context = await newContext(true);
  });

  async function newContext(javaScriptEnabled: boolean): Promise<BrowserContext> {
    const created = await browser.newContext({
      javaScriptEnabled,
      viewport: { width: 1280, height: 900 },
    });
    // The sample covers live on other hosts; the test machine may be offline, so refuse
    // them at once instead of waiting for DNS.
    await created.route(
      (url) => url.origin !== server.origin,
      (route) => route.abort(),
    );
    created.on('page', (page) => {
      page.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Refused to (execute|load|apply)/i.test(text)) {
          cspViolations.push(text);
        }
        if (message.type() === 'error' && HYDRATION_ERROR.test(text)) {
          pageErrors.push(text);
        }
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });
    // Runs before any page script (and outside the page's CSP): records CSP violations.
    await created.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const store = window as unknown as { __cspViolations?: string[] };
        (store.__cspViolations ??= []).push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    return created;
  }

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await env?.stop();
  });

  async function open(url: string): Promise<Page> {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.origin + url);
    // The page script marks the document once React has hydrated it.
    await page.waitForSelector('html[data-hydrated="true"]');
    return page;
  }

  async function recordedViolations(page: Page): Promise<string[]> {
    return page.evaluate(
      () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
    );
  }

  it('signs up, browses, filters, keeps a list, signs out and in again, without CSP violations', async () => {
    const email = uniqueEmail('browser');

    // Sign up (the form is sent by the script; the page then loads the catalog).
    let page = await open('/sign-up');
    await page.fill('input[name="name"]', 'Browser Tester');
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'correct horse battery');
    await page.click('button:has-text("Sign up")');
    await page.waitForURL(`${server.origin}/`);
    await page.waitForSelector('html[data-hydrated="true"]');
    await expectText(page, '[data-testid="viewer-name"]', 'Browser Tester');
    expect(await recordedViolations(page)).toEqual([]);

    // The sample covers cannot load here (other hosts are refused above): each card shows
    // its title on the fallback card instead of a broken-image icon.
    const firstCover = page.locator('.movie-card .cover img').first();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.movie-card .cover img');
      return img !== null && img.complete;
    });
    const cover = await firstCover.evaluate((img: HTMLImageElement) => ({
      loaded: img.naturalWidth > 0,
      after: getComputedStyle(img, '::after').content,
      title: img.closest('.movie-card')?.querySelector('h3')?.textContent ?? '',
    }));
    expect(cover.loaded).toBe(false);
    expect(cover.after).toContain(cover.title);
    expect(cover.title).not.toBe('');

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'catalog.png'), fullPage: true });

    // Browse: the next page loads in place (no reload: the marker survives), Back returns.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    const firstTitle = await page.locator('.movie-card h3').first().textContent();
    await page.click('a:has-text("Next page")');
    await page.waitForURL((url) => url.searchParams.has('after'));
    await page.waitForFunction(
      (before) => document.querySelector('.movie-card h3')?.textContent !== before,
      firstTitle,
    );
    await page.goBack();
    await page.waitForURL(`${server.origin}/`);
    await page.waitForFunction(
      (before) => document.querySelector('.movie-card h3')?.textContent === before,
      firstTitle,
    );
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      42,
    );

    // Filter by a tag: the page updates in place too.
    const total = await page.textContent('[data-testid="movie-count"]');
    const tagLink = page.locator('.tag-filters a').first();
    const tag = (await tagLink.textContent()) ?? '';
    await tagLink.click();
    await page.waitForURL((url) => url.searchParams.get('tag') === tag);
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="movie-count"]')?.textContent !== before,
      total,
    );
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      42,
    );
    const cardTags = await page
      .locator('.movie-card')
      .evaluateAll((cards) =>
        cards.map((card) =>
          [...card.querySelectorAll('.movie-tags li')].map((li) => li.textContent),
        ),
      );
    expect(cardTags.length).toBeGreaterThan(0);
    for (const tags of cardTags) expect(tags).toContain(tag);

    // Add the first movie to the list, in place.
    const card = page.locator('.movie-card').first();
    const movieId = (await card.getAttribute('data-movie-id')) ?? '';
    const title = (await card.locator('h3').textContent()) ?? '';
    await card.locator('button:has-text("Add to my list")').click();
    await card.locator('button:has-text("Remove from my list")').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      42,
    );

    // Its own page (a full load, hydrated like every other) knows it is on the list.
    page = await open(`/movies/${movieId}`);
    await expectText(page, 'main h1', title);
    await page.locator('button:has-text("Remove from my list")').waitFor();

    // A full load of /my-list shows it.
    page = await open('/my-list');
    const listed = page.locator(`.movie-card[data-movie-id="${movieId}"]`);
    await expectText(page, `.movie-card[data-movie-id="${movieId}"] h3`, title);

    // Remove it, in place; a reload agrees.
    await listed.locator('button:has-text("Remove from my list")').click();
    await page.waitForSelector(`.movie-card[data-movie-id="${movieId}"]`, { state: 'detached' });
    await page.waitForSelector('text=Your list is empty');
    page = await open('/my-list');
    expect(await page.locator('.movie-card').count()).toBe(0);

    // Sign out.
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${server.origin}/`);
    await page.waitForSelector('a[href="/sign-in"]');
    const cookies = await context.cookies(server.origin);
    expect(cookies.map((cookie) => cookie.name)).toEqual([]);

    // Sign in again through the page script: a wrong password shows ONE message in place,
    // the right one comes back to the page that asked.
    page = await open('/sign-in?returnTo=%2Fmy-list');
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 7));
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'not the password');
    await page.click('form.auth-form button[type="submit"]');
    await expectText(page, '[data-testid="form-error"]', 'Invalid e-mail or password');
    expect(await page.locator('[role="alert"]').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      7,
    );
    expect(await context.cookies(server.origin)).toEqual([]);
    await page.fill('input[name="password"]', 'correct horse battery');
    await page.click('form.auth-form button[type="submit"]');
    await page.waitForURL(`${server.origin}/my-list`);
    await expectText(page, '[data-testid="viewer-name"]', 'Browser Tester');

    expect(await recordedViolations(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('would notice a CSP violation (the check above can fail)', async () => {
    const page = await open('/');
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
    });
    await page.waitForFunction(
      () =>
        ((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []).length > 0,
    );
    expect(
      await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan),
    ).toBeUndefined();
    expect((await recordedViolations(page))[0]).toMatch(/^script-src/);
  });

  it('would notice a hydration mismatch (the check above can fail)', async () => {
    // A separate context whose pages change the server's HTML before the script hydrates it.
    const tampered = await browser.newContext();
    await tampered.addInitScript(() => {
      new MutationObserver((_records, observer) => {
        const count = document.querySelector('[data-testid="movie-count"]');
        if (!count) return;
        count.textContent = 'tampered';
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    const errors: string[] = [];
    const page = await tampered.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await page.goto(`${server.origin}/`);
      await page.waitForSelector('html[data-hydrated="true"]');
      await waitUntil(() => errors.length > 0);
      expect(errors.join('\n')).toMatch(HYDRATION_ERROR);
    } finally {
      await tampered.close();
    }
  });

  it('works with plain forms and links when JavaScript is off', async () => {
    const email = uniqueEmail('nojs');
    const noJs = await newContext(false);
    const page = await noJs.newPage();
    try {
      await page.goto(`${server.origin}/sign-up`);
      await page.fill('input[name="name"]', 'No Script');
      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', 'correct horse battery');
      await page.click('button:has-text("Sign up")');
      await page.waitForURL(`${server.origin}/`);
      await expectText(page, '[data-testid="viewer-name"]', 'No Script');

      // Filter (a plain link), add (a form post that comes back to the same filtered page).
      const tagLink = page.locator('.tag-filters a').first();
      const tag = (await tagLink.textContent()) ?? '';
      await tagLink.click();
      await page.waitForURL((url) => url.searchParams.get('tag') === tag);
      const card = page.locator('.movie-card').first();
      const movieId = (await card.getAttribute('data-movie-id')) ?? '';
      await card.locator('button:has-text("Add to my list")').click();
      await page.waitForURL((url) => url.searchParams.get('tag') === tag);
      await page
        .locator(`.movie-card[data-movie-id="${movieId}"] button:has-text("Remove from my list")`)
        .waitFor();

      // The list, a removal, and signing out, all by full page loads.
      await page.click('nav a:has-text("My list")');
      await page.waitForURL(`${server.origin}/my-list`);
      await page
        .locator(`.movie-card[data-movie-id="${movieId}"] button:has-text("Remove from my list")`)
        .click();
      await page.waitForSelector('text=Your list is empty');
      await page.click('button:has-text("Sign out")');
      await page.waitForURL(`${server.origin}/`);
      await page.waitForSelector('a[href="/sign-in"]');
      expect(await noJs.cookies(server.origin)).toEqual([]);
    } finally {
      await noJs.close();
    }
  });
});

/** Waits (up to 10 s) for a condition on what the test has collected from the page. */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition() && waited < 10_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForSelector(selector);
  expect((await page.textContent(selector))?.trim()).toBe(text);
}
