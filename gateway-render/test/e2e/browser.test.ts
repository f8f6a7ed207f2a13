import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { describeInChromium, findChromium } from '../helpers/chromium';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { waitForMail } from '../helpers/account-flows';
import { startRenderTestEnv, uniqueEmail } from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';

// The browser test: Debian's Chromium driven by playwright-core (nothing is downloaded).
// Without Chromium it says so plainly; in CI (CI=true) a missing Chromium is a failure.

const chromiumPath = findChromium();
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-output');
/** How React reports a hydration mismatch (readable in development, an error number in production). */
const HYDRATION_ERROR = /hydrat|Minified React error #(418|419|422|423|425)/i;

const describeInBrowser = describeInChromium('The browser test', chromiumPath);

/**
 * A server listening on a free port of 127.0.0.1 BEFORE the app exists, so the app (and the API
 * whose mails link to it) can be told the origin it will really be served on: the mailed links
 * then open this server. No port is given up and taken again, so nothing else can grab it in
 * between. Until `serve` is called it answers 503 (the test calls it before any request).
 */
async function listenFirst(): Promise<{
  origin: string;
  serve(app: RequestListener): void;
  close(): Promise<void>;
}> {
  let handler: RequestListener | null = null;
  const server = createServer((req, res) => {
    if (handler) return void handler(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(0, '127.0.0.1');
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    serve: (app) => {
      handler = app;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describeInBrowser('in headless Chromium', () => {
  let env: RenderTestEnv;
  let server: Awaited<ReturnType<typeof listenFirst>>;
  let browser: Browser;
  let context: BrowserContext;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The render app and the API both get the origin the browser really opens (PUBLIC_ORIGIN):
    // the API's mailed links must land on this server, like a person's click on them would.
    server = await listenFirst();
    env = await startRenderTestEnv(
      { PUBLIC_ORIGIN: server.origin },
      { apiEnv: { PUBLIC_ORIGIN: server.origin } },
    );
    server.serve(env.app);
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

  // Each test checks what its own steps collected (a detector test below causes a violation).
  beforeEach(() => {
    cspViolations.length = 0;
    pageErrors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await env?.stop();
  });

  async function open(url: string, on: BrowserContext = context): Promise<Page> {
    const page = on.pages()[0] ?? (await on.newPage());
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

  it('confirms the address, resets a forgotten password and signs out the other devices (issue 8)', async () => {
    const email = uniqueEmail('trust');
    const password = 'violet harbor tangerine';
    const newPassword = 'amber lantern meadow';
    // Two "devices": browser contexts share no cookies. Both have the detectors above.
    const device = await newContext(true);
    const otherDevice = await newContext(true);
    try {
      // 1. Sign up: the page says the address is not confirmed yet.
      let page = await open('/sign-up', device);
      await page.fill('input[name="name"]', 'Trusty Tester');
      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', password);
      await page.click('button:has-text("Sign up")');
      await page.waitForURL(`${server.origin}/`);
      await hydrated(page);
      await expectText(page, '[data-testid="viewer-name"]', 'Trusty Tester');
      const banner = page.locator('[data-testid="verify-banner"]');
      expect(await banner.textContent()).toContain(
        `Please confirm your e-mail address: we sent a link to ${email}.`,
      );
      expect(await recordedViolations(page)).toEqual([]);

      // 2. The development inbox shows the verification mail; its link opens this server.
      //    (The outbox sends in the background: wait until the inbox has it, then look.)
      await waitForMail(env.api, email, /Confirm your e-mail address/);
      page = await open('/dev/mail', device);
      await expectText(page, 'main h1', 'Development inbox');
      const verifyLink = await mailLink(
        page,
        email,
        /Confirm your e-mail address/,
        '/verify-email',
      );
      await verifyLink.click();
      await page.waitForURL(
        (url) => url.pathname === '/verify-email' && url.searchParams.has('token'),
      );
      await hydrated(page);
      await expectText(page, 'main h1', 'Confirm your e-mail address');
      // Opening the link spent nothing: still unconfirmed until the button is pressed.
      await page.locator('[data-testid="verify-banner"]').waitFor();
      expect(await recordedViolations(page)).toEqual([]);
      await page.click('button:has-text("Confirm my e-mail address")');
      await page.waitForURL(`${server.origin}/account?notice=email-verified`);
      await hydrated(page);
      await expectText(
        page,
        '[data-testid="notice"]',
        'Thank you: your e-mail address is confirmed.',
      );
      await expectText(page, '[data-testid="account-email"]', email);
      await expectText(page, '[data-testid="email-state"]', 'confirmed');
      expect(await page.locator('[data-testid="verify-banner"]').count()).toBe(0);
      page = await open('/', device);
      expect(await page.locator('text=Please confirm your e-mail address').count()).toBe(0);

      // 3. Sign out, forget the password, reset it through the mailed link.
      await page.click('button:has-text("Sign out")');
      await page.waitForSelector('a[href="/sign-in"]');
      expect(await device.cookies(server.origin)).toEqual([]);
      page = await open('/sign-in', device);
      await page.click('a:has-text("Forgot password?")');
      await page.waitForURL(`${server.origin}/forgot-password`);
      await hydrated(page);
      await page.fill('input[name="email"]', email);
      await page.click('button:has-text("Send the link")');
      await expectText(
        page,
        '[data-testid="reset-sent"]',
        'If an account exists for that address, we sent a link to it; it works for 30 minutes.',
      );
      await hydrated(page);
      expect(await recordedViolations(page)).toEqual([]);

      await waitForMail(env.api, email, /Reset your .* password/);
      page = await open('/dev/mail', device);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'dev-mail.png'), fullPage: true });
      const resetLink = await mailLink(page, email, /Reset your .* password/, '/reset-password');
      await resetLink.click();
      await page.waitForURL(
        (url) => url.pathname === '/reset-password' && url.searchParams.has('token'),
      );
      await hydrated(page);
      await expectText(page, 'main h1', 'Choose a new password');
      await page.fill('input[name="newPassword"]', newPassword);
      await page.click('button:has-text("Set the new password")');
      await page.waitForURL(`${server.origin}/sign-in?notice=password-reset`);
      await hydrated(page);
      await expectText(
        page,
        '[data-testid="notice"]',
        'Your password was changed and every device was signed out; sign in with the new password.',
      );

      // The old password no longer works; the new one does.
      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', password);
      await page.click('form.auth-form button[type="submit"]');
      await expectText(page, '[data-testid="form-error"]', 'Invalid e-mail or password');
      expect(await device.cookies(server.origin)).toEqual([]);
      await page.fill('input[name="password"]', newPassword);
      await page.click('form.auth-form button[type="submit"]');
      await page.waitForURL(`${server.origin}/`);
      await hydrated(page);
      await expectText(page, '[data-testid="viewer-name"]', 'Trusty Tester');

      // 4. Another device signs in as the same person; the account page lists both.
      let other = await open('/sign-in', otherDevice);
      await other.fill('input[name="email"]', email);
      await other.fill('input[name="password"]', newPassword);
      await other.click('form.auth-form button[type="submit"]');
      await other.waitForURL(`${server.origin}/`);
      await hydrated(other);
      await expectText(other, '[data-testid="viewer-name"]', 'Trusty Tester');

      page = await open('/account', device);
      await expectText(page, 'main h1', 'Your account');
      const sessions = page.locator('[data-testid="sessions-section"] tbody tr');
      // Each row has a "Sign out this device" button; the marker is the exact text.
      const thisDevice = page.locator('text="this device"');
      expect(await sessions.count()).toBe(2);
      expect(await sessions.filter({ has: thisDevice }).count()).toBe(1);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'account.png'), fullPage: true });
      expect(await recordedViolations(page)).toEqual([]);
      await page.click('button:has-text("Sign out everywhere else")');
      await page.waitForURL(`${server.origin}/account?notice=sessions-revoked&count=1`);
      await hydrated(page);
      await expectText(page, '[data-testid="notice"]', 'Signed out 1 other device.');
      expect(await sessions.count()).toBe(1);
      expect(await sessions.filter({ has: thisDevice }).count()).toBe(1);
      expect(await page.locator('button:has-text("Sign out everywhere else")').count()).toBe(0);
      await expectText(page, '[data-testid="viewer-name"]', 'Trusty Tester');

      // The other device's next page load finds it signed out.
      await other.reload();
      await hydrated(other);
      await other.locator('header a:has-text("Sign in")').waitFor();
      expect(await other.locator('[data-testid="viewer-name"]').count()).toBe(0);
      other = await open('/account', otherDevice);
      expect(other.url()).toBe(`${server.origin}/sign-in?returnTo=%2Faccount`);
      expect(await recordedViolations(other)).toEqual([]);
    } finally {
      await device.close();
      await otherDevice.close();
    }

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

/** Waits until the page script has hydrated the page now loaded (it marks the document). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForSelector('html[data-hydrated="true"]');
}

/**
 * The link to `pathname` in the development inbox's newest mail to `email` whose subject
 * matches; checks that it points at the page's own origin (where a click should land).
 */
async function mailLink(
  page: Page,
  email: string,
  subject: RegExp,
  pathname: string,
): Promise<Locator> {
  const mail = page
    .locator('[data-testid="mail"]')
    .filter({ has: page.locator('[data-testid="mail-to"]', { hasText: email }) })
    .filter({ has: page.locator('h2', { hasText: subject }) })
    .first();
  await mail.waitFor();
  const link = mail.locator(`a[href*="${pathname}?token="]`);
  expect(await link.count()).toBe(1);
  const href = new URL((await link.getAttribute('href')) ?? '');
  expect(href.origin).toBe(new URL(page.url()).origin);
  expect(href.pathname).toBe(pathname);
  return link;
}

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
