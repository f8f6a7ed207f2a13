import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, horizontalOverflow } from '../helpers/a11y';
import {
  describeInChromium,
  findChromium,
  hydrationMismatch,
  launchChromium,
  watchContext,
} from '../helpers/chromium';
import {
  callApi,
  manyAccountsFromOneIp,
  signUpViaApi,
  serveRenderTestEnv,
  uniqueEmail,
} from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';
import { closeStepUpWindow, signedInJar } from '../helpers/step-up';
import { TestAuthenticatorApp } from '../helpers/two-factor';
import { addVirtualAuthenticator, localhostServer } from '../helpers/virtual-authenticator';
import type { ListeningServer } from '../helpers/virtual-authenticator';

// The account page's factors in a real browser: adding a passkey with Chromium's virtual
// authenticator (and confirming it is you with it when the step-up window has closed), and
// turning two-factor on by reading the key from the page and typing a code generated from it.
// Passkey and two-factor SIGN-IN journeys are in their own browser test.

const chromiumPath = findChromium();
const describeInBrowser = describeInChromium('The account factors browser test', chromiumPath);
const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-output');

describeInBrowser('account factors in headless Chromium', () => {
  let env: RenderTestEnv;
  let server: ListeningServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    // WebAuthn: the relying party is PUBLIC_ORIGIN's host, which must be a name (localhost),
    // never an IP address; the render server and the API both get the origin the browser opens.
    server = await localhostServer();
    env = await serveRenderTestEnv(server, {
      configureApi: manyAccountsFromOneIp,
      seedMovies: false,
    });
    browser = await launchChromium(chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await env?.stop();
  });

  beforeEach(() => {
    problems.length = 0;
  });

  /** A browser context signed in as a new person (cookies as the site's sign-in sets them). */
  async function signedInContext(
    javaScriptEnabled = true,
    options: { bypassCSP?: boolean } = {},
  ): Promise<{ context: BrowserContext; id: string; email: string }> {
    const { id, email } = await signUpViaApi(env.api, {
      name: 'Factor Tester',
      email: uniqueEmail('factors'),
    });
    const jar = await signedInJar(env.api, email);
    // bypassCSP only for the audits: axe-core goes in as an inline script.
    const context = await browser.newContext({
      javaScriptEnabled,
      bypassCSP: options.bypassCSP ?? false,
    });
    await context.addCookies(
      jar.names().map((name) => ({
        name,
        value: jar.get(name) ?? '',
        url: server.origin,
        httpOnly: true,
        sameSite: 'Lax' as const,
      })),
    );
    await watchContext(context, server.origin, { csp: problems, errors: problems });
    return { context, id, email };
  }

  async function open(page: Page, path: string, scripted = true): Promise<void> {
    const response = await page.goto(server.origin + path);
    if (!scripted) return;
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 15_000 });
    const mismatch = await hydrationMismatch(page, (await response?.text()) ?? '');
    if (mismatch) problems.push(mismatch);
  }

  async function passkeyNames(email: string): Promise<string[]> {
    const jar = await signedInJar(env.api, email);
    const result = await callApi<{ passkeys: { name: string }[] }>(
      env.api,
      '{ passkeys { name } }',
      {},
      jar.get('access_token'),
    );
    return (result.data?.passkeys ?? []).map((passkey) => passkey.name);
  }

  it('adds a passkey on /account with the virtual authenticator, then confirms a change with it', async () => {
    const { context, id, email } = await signedInContext();
    const page = await context.newPage();
    const authenticator = await addVirtualAuthenticator(page);
    await open(page, '/account');
    const section = page.locator('#passkeys');
    await section.getByText('You have no passkeys yet.').waitFor();

    await section.getByLabel('Name (optional)').fill('Chromium key');
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(`${server.origin}/account?notice=passkey-added#passkeys`);
    await page.waitForSelector('html[data-hydrated="true"]');
    expect(await page.getByTestId('notice').textContent()).toContain('Your passkey was added');
    const row = page.getByTestId('passkey');
    await expect(row.getByTestId('passkey-name').textContent()).resolves.toBe('Chromium key');
    await expect(row.getByTestId('passkey-last-used').textContent()).resolves.toBe('never');
    await expect(row.textContent()).resolves.toContain('synced');
    const held = await authenticator.credentials();
    expect(held).toHaveLength(1);
    expect(held[0]).toEqual(
      expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' }),
    );
    expect(await passkeyNames(email)).toEqual(['Chromium key']);

    // Later (the sign-in is more than 5 minutes old): adding another asks to confirm first,
    // and the passkey just added does it.
    await closeStepUpWindow(id);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(`${server.origin}/account/reauthenticate?action=add-passkey`);
    await page.waitForSelector('html[data-hydrated="true"]');
    await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await page.waitForURL(`${server.origin}/account?notice=reauthenticated#passkeys`);
    expect(await page.getByTestId('notice').textContent()).toContain('for the next 5 minutes');
    await page.waitForSelector('html[data-hydrated="true"]');
    const passkeyRow = page.getByTestId('passkey');
    await expect(passkeyRow.getByTestId('passkey-last-used').textContent()).resolves.toMatch(
      /\d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  it('without JavaScript, offers no add button but says why; rename and remove still work', async () => {
    const scripted = await signedInContext();
    const page = await scripted.context.newPage();
    await addVirtualAuthenticator(page);
    await open(page, '/account');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/notice=passkey-added/);
    await scripted.context.close();

    // The same person in a browser without JavaScript.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const jar = await signedInJar(env.api, scripted.email);
    await plain.addCookies(
      jar.names().map((name) => ({ name, value: jar.get(name) ?? '', url: server.origin })),
    );
    const noScript = await plain.newPage();
    await open(noScript, '/account', false);
    await noScript
      .getByText('Adding a passkey needs a browser with JavaScript turned on.')
      .waitFor();
    expect(await noScript.getByRole('button', { name: 'Add a passkey' }).count()).toBe(0);

    await noScript.locator('#passkeys summary').click();
    await noScript.getByLabel('New name').fill('Renamed without script');
    await noScript.getByRole('button', { name: 'Save name' }).click();
    await noScript.waitForURL(/notice=passkey-renamed/);
    expect(await passkeyNames(scripted.email)).toEqual(['Renamed without script']);
    await noScript.getByRole('button', { name: /^Remove/ }).click();
    await noScript.waitForURL(/notice=passkey-removed/);
    expect(await passkeyNames(scripted.email)).toEqual([]);
    await noScript.getByTestId('sign-out-elsewhere-offer').waitFor();
    await plain.close();
  });

  it('turns two-factor on: reads the key from the page and types a generated code', async () => {
    const { context } = await signedInContext();
    const page = await context.newPage();
    await open(page, '/account');
    await page.locator('#two-factor').getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.waitForURL(`${server.origin}/account/two-factor/start`);
    await page.waitForSelector('html[data-hydrated="true"]');

    // The QR code is an image (of the API's SVG) that loads under the site's CSP.
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await expect(
      qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).resolves.toBe(true);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    const app = new TestAuthenticatorApp(secret);
    await page.getByLabel('6-digit code').fill(app.wrongCode());
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByTestId('code-error').waitFor();
    await page.getByLabel('6-digit code').fill(await app.nextCode());
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();

    const codes = page.getByTestId('recovery-codes').locator('code');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    await page.getByText('they are shown only this once').waitFor();
    // The download works without script: a data: link with the codes, one a line.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download as a text file' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('recovery-codes.txt');
    const saved = await readFile(await download.path(), 'utf8');
    expect(saved.trim().split('\n')).toEqual(await codes.allTextContents());
    await page.getByTestId('recovery-codes-done').click();
    await page.waitForURL(`${server.origin}/account?notice=two-factor-on#two-factor`);
    await page.waitForSelector('html[data-hydrated="true"]');
    await expect(page.getByTestId('two-factor-state').textContent()).resolves.toBe('on');
    await expect(page.getByTestId('recovery-codes-left').textContent()).resolves.toBe('10');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the new pages have no accessibility violations and fit a phone and a laptop', async () => {
    const { context, id } = await signedInContext(true, { bypassCSP: true });
    const page = await context.newPage();
    await addVirtualAuthenticator(page);
    const findings: string[] = [];
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const audit = async (name: string) => {
      await page.waitForSelector('html[data-hydrated="true"]');
      for (const size of [
        { width: 390, height: 844 },
        { width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(size);
        // From the top, as a page opens (an anchor may have scrolled under the sticky header).
        await page.evaluate(() => window.scrollTo(0, 0));
        for (const violation of await axeViolations(page)) findings.push(`${name}: ${violation}`);
        for (const wide of await horizontalOverflow(page))
          findings.push(`${name} ${size.width}: ${wide}`);
        const file = `${name.replace(/\W+/g, '-')}-${size.width}x${size.height}.png`;
        await page.screenshot({ path: path.join(OUTPUT_DIR, file), fullPage: true });
      }
    };

    await open(page, '/account');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/notice=passkey-added/);
    await audit('account with a passkey and the offer');

    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.waitForURL(/two-factor\/start/);
    await audit('two-factor set-up');
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('6-digit code').fill(await new TestAuthenticatorApp(secret).nextCode());
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await audit('recovery codes');

    await page.getByTestId('recovery-codes-done').click();
    await page.waitForURL(/notice=two-factor-on/);
    await audit('account with two-factor on');
    await closeStepUpWindow(id);
    await page.getByRole('button', { name: 'New recovery codes' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await audit('confirm it is you');
    expect(findings).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
