import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { axeViolations, horizontalOverflow } from '../helpers/a11y';
import {
  describeInChromium,
  findChromium,
  hydrationMismatch,
  launchChromium,
  watchContext,
} from '../helpers/chromium';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { linkPath, waitForMail } from '../helpers/account-flows';
import {
  callApi,
  manyAccountsFromOneIp,
  signUpViaApi,
  serveRenderTestEnv,
  TEST_PASSWORD,
  uniqueEmail,
} from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';
import { localhostServer } from '../helpers/virtual-authenticator';
import type { ListeningServer } from '../helpers/virtual-authenticator';

// The browser test: Debian's Chromium (or the npm package's) driven by playwright-core
// (nothing is downloaded). Without Chromium it says so plainly; in CI (CI=true) a missing
// Chromium is a failure.

const chromiumPath = findChromium();
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-output');

/** The two sizes every page is checked at: a phone (iPhone 12 to 15) and a laptop. */
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

/** Who looks at an audited page: nobody signed in, or one of the two prepared people. */
type Who = 'visitor' | 'empty-list' | 'with-list';

/** What the page audits need that only exists once the API runs (ids, mailed tokens). */
interface Fixtures {
  movieId: string;
  verifyPath: string;
  resetPath: string;
  emptyListEmail: string;
  withListEmail: string;
}

/** One page of the site as the audits open it. */
interface AuditedPage {
  /** Also the screenshot's name: `<name>-<width>x<height>.png`. */
  name: string;
  who: Who;
  path: (fixtures: Fixtures) => string;
  status?: number;
  /** Error pages carry no page script, so nothing hydrates them. */
  hydrates?: boolean;
}

const AUDITED_PAGES: AuditedPage[] = [
  { name: 'catalog', who: 'visitor', path: () => '/' },
  { name: 'catalog-signed-in', who: 'with-list', path: () => '/' },
  { name: 'catalog-no-match', who: 'visitor', path: () => '/?q=zzzz-nothing-matches' },
  { name: 'movie', who: 'visitor', path: (f) => `/movies/${f.movieId}` },
  { name: 'movie-signed-in', who: 'with-list', path: (f) => `/movies/${f.movieId}` },
  { name: 'sign-in', who: 'visitor', path: () => '/sign-in' },
  { name: 'sign-up', who: 'visitor', path: () => '/sign-up' },
  { name: 'forgot-password', who: 'visitor', path: () => '/forgot-password' },
  { name: 'reset-password', who: 'visitor', path: (f) => f.resetPath },
  { name: 'verify-email', who: 'empty-list', path: (f) => f.verifyPath },
  { name: 'my-list-empty', who: 'empty-list', path: () => '/my-list' },
  { name: 'my-list', who: 'with-list', path: () => '/my-list' },
  { name: 'account', who: 'with-list', path: () => '/account' },
  { name: 'dev-mail', who: 'visitor', path: () => '/dev/mail' },
  { name: 'not-found', who: 'visitor', path: () => '/no-such-page', status: 404, hydrates: false },
];

const describeInBrowser = describeInChromium('The browser test', chromiumPath);

describeInBrowser('in headless Chromium', () => {
  let env: RenderTestEnv;
  let server: ListeningServer;
  let browser: Browser;
  let context: BrowserContext;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The render app and the API both get the origin the browser really opens (PUBLIC_ORIGIN):
    // the API's mailed links must land on this server, like a person's click on them would.
    // (At 127.0.0.1, as this test always opened the site; the passkey tests need localhost.)
    server = await localhostServer('127.0.0.1');
    // Every account of this file comes from 127.0.0.1: more than the 20 sign-ups an hour.
    env = await serveRenderTestEnv(server, { configureApi: manyAccountsFromOneIp });
    browser = await launchChromium(chromiumPath);
    context = await newContext(true);
    mkdirSync(OUTPUT_DIR, { recursive: true });
  });

  async function newContext(
    javaScriptEnabled: boolean,
    options: { viewport?: Viewport; bypassCSP?: boolean } = {},
  ): Promise<BrowserContext> {
    const { width, height } = options.viewport ?? { width: 1280, height: 900 };
    const created = await browser.newContext({
      javaScriptEnabled,
      viewport: { width, height },
      // Only the axe audits set it (their script goes in inline); everything else runs under
      // the site's real CSP, which the detectors below watch.
      bypassCSP: options.bypassCSP ?? false,
    });
    // Other hosts refused at once; CSP reports and page errors recorded for the test's checks.
    await watchContext(created, server.origin, { csp: cspViolations, errors: pageErrors });
    created.on('page', (page) => {
      page.on('response', (response) => {
        if (response.status() < 400) return;
        const failed = failedResponses.get(page) ?? [];
        failed.push(`${response.status()} ${response.url()}`);
        failedResponses.set(page, failed);
      });
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

  /**
   * Signs `on` in as `email` with the sign-in form's own post (the context's request client
   * shares the browser's cookies), for tests whose subject is not signing in.
   */
  async function signIn(on: BrowserContext, email: string): Promise<void> {
    const response = await on.request.post(`${server.origin}/auth/sign-in`, {
      form: { email, password: TEST_PASSWORD, returnTo: '/' },
      headers: { origin: server.origin },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(303);
  }

  /** A new person, signed in on `on`; returns the e-mail. */
  async function newSignedInPerson(on: BrowserContext, name: string): Promise<string> {
    const { email } = await signUpViaApi(env.api, { name, email: uniqueEmail('e2e') });
    await signIn(on, email);
    return email;
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
    const response = await page.goto(server.origin + url);
    // The page script marks the document once it has hydrated it.
    await hydrated(page);
    const mismatch = await hydrationMismatch(page, (await response?.text()) ?? '');
    if (mismatch) pageErrors.push(mismatch);
    return page;
  }

  async function recordedViolations(page: Page): Promise<string[]> {
    return page.evaluate(
      () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
    );
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
    await page.screenshot({
      path: path.join(OUTPUT_DIR, `${name}-${width}x${height}.png`),
      fullPage: true,
    });
  }

  it('signs up, browses, filters, keeps a list, signs out and in again, without CSP violations', async () => {
    const email = uniqueEmail('browser');

    // Sign up (the form is sent by the script; the catalog then welcomes the newcomer).
    let page = await open('/sign-up');
    await page.fill('input[name="name"]', 'Browser Tester');
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'correct horse battery');
    await page.click('button:has-text("Sign up")');
    await page.waitForURL(`${server.origin}/?notice=welcome`);
    await hydrated(page);
    await expectText(page, '[data-testid="viewer-name"]', 'Browser Tester');
    expect(await page.textContent('[data-testid="notice"]')).toContain(
      'Welcome! Your account is ready.',
    );
    expect(await recordedViolations(page)).toEqual([]);

    // Browse: the next page loads in place (no reload: the marker survives), Back returns.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await expectText(page, '[data-testid="page-status"]', 'Page 1 of 3');
    const firstTitle = await page.locator('.movie-card .card-title').first().textContent();
    await page.click('nav.pagination a:has-text("Next")');
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await page.waitForFunction(
      (before) => document.querySelector('.movie-card .card-title')?.textContent !== before,
      firstTitle,
    );
    await expectText(page, '[data-testid="page-status"]', 'Page 2 of 3');
    // After an in-place navigation keyboard focus starts at the new page's heading.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Catalog');
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('page'));
    await page.waitForFunction(
      (before) => document.querySelector('.movie-card .card-title')?.textContent === before,
      firstTitle,
    );
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      42,
    );

    // Filter by a tag: the page updates in place too, and only movies with that tag remain
    // (cards do not show their tags: the page's own JSON says which tags each movie has).
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
    await page.locator('[data-testid="clear-filters"]').waitFor();
    const shownIds = await page
      .locator('.movie-card')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-movie-id')));
    const tagsById = await movieTagsOnPage(page);
    expect(shownIds.length).toBeGreaterThan(0);
    for (const id of shownIds) expect(tagsById[id ?? '']).toContain(tag);

    // Add the first movie to the list, in place.
    const card = page.locator('.movie-card').first();
    const movieId = (await card.getAttribute('data-movie-id')) ?? '';
    const title = (await card.locator('.card-title').textContent()) ?? '';
    await card.locator('button:has-text("Add to my list")').click();
    await card.locator('button:has-text("Remove from my list")').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      42,
    );

    // Its own page (a full load, hydrated like every other) knows it is on the list, and
    // leads back to the filtered results.
    page = await open(`/movies/${movieId}`);
    await expectText(page, 'main h1', title);
    await page.locator('button:has-text("Remove from my list")').waitFor();

    // A full load of /my-list shows it.
    page = await open('/my-list');
    const listed = page.locator(`.movie-card[data-movie-id="${movieId}"]`);
    await expectText(page, `.movie-card[data-movie-id="${movieId}"] .card-title`, title);

    // Remove it, in place: the card stays (a slip is undone in one press) and offers to add it
    // back; a reload shows the list empty.
    await listed.locator('button:has-text("Remove from my list")').click();
    await listed.locator('button:has-text("Add to my list")').waitFor();
    page = await open('/my-list');
    expect(await page.locator('.movie-card').count()).toBe(0);
    await page.waitForSelector('text=Your list is empty');

    // Sign out: the catalog says so.
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${server.origin}/?notice=signed-out`);
    await expectText(page, '[data-testid="notice"]', 'You are signed out.');
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

    // Signing up again with the same address: one message by the field, and a way to sign in.
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${server.origin}/?notice=signed-out`);
    page = await open('/sign-up');
    await page.fill('input[name="name"]', 'Browser Tester');
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'correct horse battery');
    await page.click('button:has-text("Sign up")');
    await page.locator('[data-testid="sign-in-instead"]').waitFor();
    expect(await page.locator('[data-testid="email-error"]').count()).toBe(1);
    expect(await page.locator('input[name="email"]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getAttribute('[data-testid="sign-in-instead"]', 'href')).toMatch(
      /^\/sign-in\b/,
    );

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
      await page.waitForURL(`${server.origin}/?notice=welcome`);
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
    // Preact patches a mismatched text silently, so the page's first render is compared with
    // the server's markup instead (`open`). Here the embedded page data says 999 movies while
    // the server's HTML says 30: the browser's first render differs from the markup.
    const tampered = await newContext(true);
    await tampered.route(
      (url) => url.origin === server.origin && url.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace('"totalCount":30', '"totalCount":999');
        await route.fulfill({ response, body });
      },
    );
    try {
      await open('/', tampered);
      expect(pageErrors.join('\n')).toMatch(/^hydration mismatch .*30 movies.*999 movies/m);
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
      await page.waitForURL(`${server.origin}/?notice=welcome`);
      await expectText(page, '[data-testid="viewer-name"]', 'No Script');
      expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined();

      // Search (a plain GET form) ignores case and accents.
      await page.fill('#catalog-search', 'amelie');
      await page.press('#catalog-search', 'Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === 'amelie');
      expect(await page.locator('.movie-card .card-title').allTextContents()).toContain('Amélie');

      // Filter (a plain link), add (a form post that comes back to the same filtered page).
      await page.goto(`${server.origin}/`);
      const tagLink = page.locator('.tag-filters a').first();
      const tag = (await tagLink.textContent()) ?? '';
      await tagLink.click();
      await page.waitForURL((url) => url.searchParams.get('tag') === tag);
      const card = page.locator('.movie-card').first();
      const movieId = (await card.getAttribute('data-movie-id')) ?? '';
      const title = (await card.locator('.card-title').textContent()) ?? '';
      await card.locator('button:has-text("Add to my list")').click();
      await page.waitForURL((url) => url.searchParams.get('tag') === tag);
      await page
        .locator(`.movie-card[data-movie-id="${movieId}"] button:has-text("Remove from my list")`)
        .waitFor();
      await expectText(page, '[data-testid="header-list-count"]', '(1 movie)');

      // The list shows it; its card's link opens the movie page (a full load).
      await page.click('nav a:has-text("My list")');
      await page.waitForURL(`${server.origin}/my-list`);
      await page.click(`.movie-card[data-movie-id="${movieId}"] a.card-link`);
      await page.waitForURL(`${server.origin}/movies/${movieId}`);
      await expectText(page, 'main h1', title);
      expect(await page.locator(`main a[href="/?tag=${encodeURIComponent(tag)}"]`).count()).toBe(1);

      // Remove it there (the post comes back to the movie page); the list is then empty.
      await page.click('main button:has-text("Remove from my list")');
      await page.waitForURL(`${server.origin}/movies/${movieId}`);
      await page.locator('main button:has-text("Add to my list")').waitFor();
      await page.click('nav a:has-text("My list")');
      await page.waitForSelector('text=Your list is empty');

      // Sign out, then in again with the plain form.
      await page.click('button:has-text("Sign out")');
      await page.waitForURL(`${server.origin}/?notice=signed-out`);
      await expectText(page, '[data-testid="notice"]', 'You are signed out.');
      expect(await noJs.cookies(server.origin)).toEqual([]);
      await page.click('header a:has-text("Sign in")');
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', 'correct horse battery');
      await page.click('form.auth-form button[type="submit"]');
      await page.waitForURL((url) => url.pathname === '/');
      await expectText(page, '[data-testid="viewer-name"]', 'No Script');
    } finally {
      await noJs.close();
    }
  });

  describe('every page at both sizes (issue 10)', () => {
    let fixtures: Fixtures;

    beforeAll(async () => {
      const movies = await callApi<{ movies: { edges: { node: { id: string } }[] } }>(
        env.api,
        '{ movies(first: 1) { edges { node { id } } } }',
      );
      const movieId = movies.data?.movies.edges[0]?.node.id ?? '';
      expect(movieId).not.toBe('');

      // Real mailed tokens (opening their pages spends nothing: only the pages' buttons do).
      const emptyList = await signUpViaApi(env.api, { name: 'Empty List' });
      const verifyMail = await waitForMail(env.api, emptyList.email, /Confirm your e-mail/);
      const withList = await signUpViaApi(env.api, { name: 'Listing Person' });
      const forgetful = await signUpViaApi(env.api, { name: 'Forgetful Person' });
      const reset = await callApi(
        env.api,
        'mutation ($email: String!) { requestPasswordReset(email: $email) }',
        { email: forgetful.email },
      );
      expect(reset.errors).toBeUndefined();
      const resetMail = await waitForMail(env.api, forgetful.email, /Reset your .* password/);
      fixtures = {
        movieId,
        verifyPath: linkPath(verifyMail, '/verify-email'),
        resetPath: linkPath(resetMail, '/reset-password'),
        emptyListEmail: emptyList.email,
        withListEmail: withList.email,
      };

      // The listing person's list holds one movie (added with the card's own form post).
      const adder = await newContext(true);
      try {
        await signIn(adder, withList.email);
        const added = await adder.request.post(`${server.origin}/user-movies`, {
          form: { movieId, returnTo: '/my-list' },
          headers: { origin: server.origin },
          maxRedirects: 0,
        });
        expect(added.status()).toBe(303);
      } finally {
        await adder.close();
      }
    });

    describe.each(VIEWPORTS)('at $width×$height ($name)', (viewport) => {
      const contexts = new Map<Who, BrowserContext>();
      const contextOf = (who: Who): BrowserContext => {
        const found = contexts.get(who);
        if (!found) throw new TypeError(`No browser context for ${who}`);
        return found;
      };

      beforeAll(async () => {
        for (const who of ['visitor', 'empty-list', 'with-list'] as const) {
          contexts.set(who, await newContext(true, { viewport, bypassCSP: true }));
        }
        await signIn(contextOf('empty-list'), fixtures.emptyListEmail);
        await signIn(contextOf('with-list'), fixtures.withListEmail);
      });

      afterAll(async () => {
        for (const created of contexts.values()) await created.close();
      });

      it.each(AUDITED_PAGES)(
        '$name: nothing overflows sideways, axe finds no violation, screenshot saved',
        async (audited) => {
          const page = await contextOf(audited.who).newPage();
          try {
            const response = await page.goto(server.origin + audited.path(fixtures));
            expect(response?.status()).toBe(audited.status ?? 200);
            if (audited.hydrates ?? true) await hydrated(page);
            // Lazy posters further down load too, so the screenshot shows the real page.
            await loadEveryImage(page);
            const overflow = await horizontalOverflow(page);
            const violations = await axeViolations(page);
            await screenshot(page, audited.name);
            expect({ overflow, violations }).toEqual({ overflow: [], violations: [] });
            expect(pageErrors).toEqual([]);
          } finally {
            await page.close();
          }
        },
      );

      it('the catalog shows a distinct, loaded poster on every card, the first row eagerly', async () => {
        const page = await contextOf('visitor').newPage();
        try {
          await page.goto(server.origin + '/');
          await hydrated(page);
          await loadEveryImage(page);
          const cards = await page.locator('li.movie-card').evaluateAll((items) =>
            items.map((card) => {
              const img = card.querySelector('img');
              return {
                id: card.getAttribute('data-movie-id') ?? '',
                src: img?.getAttribute('src') ?? '',
                loaded: Boolean(img?.complete && img.naturalWidth > 0),
                loading: img?.getAttribute('loading') ?? 'eager',
                fetchPriority: img?.getAttribute('fetchpriority') ?? null,
                top: Math.round(card.getBoundingClientRect().top + window.scrollY),
              };
            }),
          );
          expect(cards.length).toBe(12);
          expect(cards.filter((card) => !card.loaded)).toEqual([]);
          expect(new Set(cards.map((card) => card.src)).size).toBe(cards.length);
          for (const card of cards) {
            expect(card.src).toMatch(new RegExp(`^/assets/posters/${card.id}-[0-9a-f]+\\.svg$`));
          }
          // The first row (the cards level with the first one) is what the page opens on.
          const firstRow = cards.filter((card) => card.top === cards[0]?.top);
          const columns = viewport.name === 'phone' ? [2, 3] : [5, 6];
          expect(columns).toContain(firstRow.length);
          for (const card of firstRow) {
            expect({ loading: card.loading, fetchPriority: card.fetchPriority }).toEqual({
              loading: 'eager',
              fetchPriority: 'high',
            });
          }
          // The rest waits until it is scrolled near: the last row is lazy.
          expect(cards.at(-1)?.loading).toBe('lazy');
        } finally {
          await page.close();
        }
      });
    });
  });

  describe.each(VIEWPORTS)('the keyboard journey at $width×$height ($name)', (viewport) => {
    it('skips to the content, adds and removes a movie from its card with focus kept, and says so', async () => {
      const keyboard = await newContext(true, { viewport });
      try {
        await newSignedInPerson(keyboard, 'Keyboard Person');
        // The list posts answer a little late, so the busy state can be seen.
        await keyboard.route(
          (url) => url.origin === server.origin && url.pathname.startsWith('/user-movies'),
          async (route) => {
            await new Promise((resolve) => setTimeout(resolve, 500));
            await route.continue();
          },
        );
        const page = await open('/', keyboard);
        const wrongNames: string[] = [];
        const countBefore = await headerListCount(page);

        // The first Tab lands on the skip link, shown on screen; Enter moves focus into main.
        await page.keyboard.press('Tab');
        const skip = await focused(page);
        expect(skip).toMatchObject({ matches: 'a.skip-link', text: 'Skip to content' });
        expect(skip.top).toBeGreaterThanOrEqual(0);
        expect(skip.inViewport).toBe(true);
        expect(await page.getAttribute('a.skip-link', 'href')).toBe('#main');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() =>
          Boolean(document.getElementById('main')?.contains(document.activeElement)),
        );

        // Tab on to the first card's list button (through search, genres and the card's link).
        let presses = 0;
        while (!(await focused(page)).matches.includes('button.list-button')) {
          expect(presses++).toBeLessThan(80);
          await page.keyboard.press('Tab');
        }
        const title = await page.evaluate(
          () =>
            document.activeElement?.closest('.movie-card')?.querySelector('.card-title')
              ?.textContent ?? '',
        );
        expect(title).not.toBe('');
        await expectFocusedButton(page, `Add to my list: ${title}`, wrongNames);
        await page.evaluate(() => {
          (document.activeElement as HTMLElement & { __journey?: boolean }).__journey = true;
        });

        // Enter: busy while the post is under way, focus kept (not disabled), then named for
        // the other action, announced, and counted in the header.
        await page.keyboard.press('Enter');
        await page.waitForFunction(
          () => document.activeElement?.getAttribute('aria-busy') === 'true',
        );
        expect(await sameButtonFocused(page)).toEqual({ same: true, disabled: false });
        await expectFocusedButton(page, `Remove from my list: ${title}`, wrongNames);
        expect(await sameButtonFocused(page)).toEqual({ same: true, disabled: false });
        await expectAnnounced(page, `Added ${title} to My list`);
        const toast = await page.locator('[data-testid="announcer"]').boundingBox();
        expect(toast?.width ?? 0).toBeGreaterThan(1);
        expect(await headerListCount(page)).toBe(countBefore + 1);

        // Enter again takes it off the list, the same way.
        await page.keyboard.press('Enter');
        await expectFocusedButton(page, `Add to my list: ${title}`, wrongNames);
        expect(await sameButtonFocused(page)).toEqual({ same: true, disabled: false });
        await expectAnnounced(page, `Removed ${title} from My list`);
        expect(await headerListCount(page)).toBe(countBefore);

        expect(wrongNames).toEqual([]);
        expect(await recordedViolations(page)).toEqual([]);
        expect(cspViolations).toEqual([]);
        expect(pageErrors).toEqual([]);
      } finally {
        await keyboard.close();
      }
    });
  });

  it('Back from a movie returns to the same place in the catalog on a phone', async () => {
    const phone = await newContext(true, { viewport: VIEWPORTS[0] });
    try {
      const page = await open('/', phone);
      await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 5));
      const card = page.locator('li.movie-card').last();
      const movieId = (await card.getAttribute('data-movie-id')) ?? '';
      const title = (await card.locator('.card-title').textContent()) ?? '';
      await card.scrollIntoViewIfNeeded();
      const scrolledTo = await page.evaluate(() => window.scrollY);
      // Far enough down that landing at the top again would be noticed.
      expect(scrolledTo).toBeGreaterThan(VIEWPORTS[0].height / 2);

      // A click anywhere on the card (here its poster) opens the movie, in place.
      const box = await card.boundingBox();
      await card.click({ position: { x: (box?.width ?? 0) / 2, y: (box?.height ?? 0) / 4 } });
      await page.waitForURL(`${server.origin}/movies/${movieId}`);
      await expectText(page, 'main h1', title);
      expect(await page.evaluate(() => window.scrollY)).toBeLessThan(100);

      await page.goBack();
      await page.waitForURL(`${server.origin}/`);
      await page.waitForSelector(`li.movie-card[data-movie-id="${movieId}"]`);
      await page
        .waitForFunction((y) => Math.abs(window.scrollY - y) <= 50, scrolledTo, { timeout: 5000 })
        .catch(() => undefined);
      const after = await page.evaluate(() => window.scrollY);
      expect(Math.abs(after - scrolledTo)).toBeLessThanOrEqual(50);
      const cardBox = await page
        .locator(`li.movie-card[data-movie-id="${movieId}"]`)
        .evaluate((element) => {
          const rect = element.getBoundingClientRect();
          return { top: rect.top, bottom: rect.bottom, height: window.innerHeight };
        });
      expect(cardBox.bottom).toBeGreaterThan(0);
      expect(cardBox.top).toBeLessThan(cardBox.height);
      expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
        5,
      );
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});

/** Waits until the page script has hydrated the page now loaded (it marks the document). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 15_000 }).catch((error) => {
    // Say what the page could not load (a missing script is the usual reason).
    const failed = failedResponses.get(page) ?? [];
    throw new TypeError(`${String(error)}\nfailed responses: ${failed.join(', ') || 'none'}`);
  });
}

/** Each page's responses with an error status, for the message when a page never hydrates. */
const failedResponses = new WeakMap<Page, string[]>();

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

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForSelector(selector);
  expect((await page.textContent(selector))?.trim()).toBe(text);
}

/**
 * Every movie's tags on the catalog page now shown, from the page's own JSON (what in-place
 * navigation fetches): the cards themselves do not list tags.
 */
async function movieTagsOnPage(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const response = await fetch(window.location.href, { headers: { accept: 'application/json' } });
    const body = (await response.json()) as {
      data: { movies: { edges: { node: { id: string; tags: string[] } }[] } };
    };
    return Object.fromEntries(body.data.movies.edges.map(({ node }) => [node.id, node.tags]));
  });
}

/** Scrolls each image into view (lazy ones start loading), waits until all are done, back to the top. */
async function loadEveryImage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (const img of Array.from(document.images)) {
      img.scrollIntoView({ block: 'center' });
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  });
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** What has keyboard focus: enough to say which control it is and whether it can be seen. */
async function focused(page: Page): Promise<{
  matches: string;
  text: string;
  top: number;
  inViewport: boolean;
}> {
  return page.evaluate(() => {
    const element = document.activeElement ?? document.body;
    const rect = element.getBoundingClientRect();
    const known = ['a.skip-link', '.movie-card button.list-button', 'main', 'h1'];
    return {
      matches: known.find((selector) => element.matches(selector)) ?? element.tagName,
      text: (element.textContent ?? '').trim(),
      top: rect.top,
      inViewport: rect.bottom > 0 && rect.top < window.innerHeight && rect.width > 1,
    };
  });
}

/** Chromium's own role and accessible name of the focused element (what a screen reader gets). */
async function focusedAccessibility(page: Page): Promise<{ role: string; name: string }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        role?: { value?: string };
        name?: { value?: string };
        properties?: { name: string; value: { value?: unknown } }[];
      }[];
    };
    const focusedNodes = nodes.filter(
      (node) =>
        node.role?.value !== 'RootWebArea' &&
        node.properties?.some((property) => property.name === 'focused' && property.value.value),
    );
    const node = focusedNodes.at(-1);
    return { role: node?.role?.value ?? 'none', name: node?.name?.value ?? '' };
  } finally {
    await cdp.detach();
  }
}

/** Waits (up to 5 s) until the focused element is a button with exactly this accessible name. */
async function expectFocusedButton(page: Page, name: string, wrongNames: string[]): Promise<void> {
  // Spacing aside, to tell "not this button yet" from "this button, misnamed".
  const loose = (text: string) => text.replace(/\s+/g, '');
  let actual = await focusedAccessibility(page);
  for (let waited = 0; loose(actual.name) !== loose(name) && waited < 5000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    actual = await focusedAccessibility(page);
  }
  expect({ role: actual.role, name: loose(actual.name) }).toEqual({
    role: 'button',
    name: loose(name),
  });
  // The exact name is checked at the end of the journey, so the rest of it still runs.
  if (actual.name !== name) wrongNames.push(`"${actual.name}" instead of "${name}"`);
}

/** Whether focus is still on the button the journey marked (not a re-created one) and it is usable. */
async function sameButtonFocused(page: Page): Promise<{ same: boolean; disabled: boolean }> {
  return page.evaluate(() => {
    const element = document.activeElement as (HTMLButtonElement & { __journey?: boolean }) | null;
    return { same: element?.__journey === true, disabled: element?.disabled ?? true };
  });
}

/** Waits (up to 5 s) for the live region to say `text`, then checks it says exactly that. */
async function expectAnnounced(page: Page, text: string): Promise<void> {
  const selector = '[data-testid="announcer"]';
  await page
    .waitForFunction(
      ([sel, expected]) => document.querySelector(sel)?.textContent?.trim() === expected,
      [selector, text] as const,
      { timeout: 5000 },
    )
    .catch(() => undefined);
  const region = page.locator(selector);
  expect(await region.getAttribute('role')).toBe('status');
  expect((await region.textContent())?.trim()).toBe(text);
}

/** The number on the header's "My list" badge. */
async function headerListCount(page: Page): Promise<number> {
  const text = (await page.textContent('[data-testid="header-list-count"]')) ?? '';
  const digits = /\d+/.exec(text);
  if (!digits) throw new TypeError(`No count in the header badge: "${text}"`);
  return Number(digits[0]);
}
