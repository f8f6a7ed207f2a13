import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from '../helpers/a11y';
import {
  describeInChromium,
  findChromium,
  launchChromium,
  watchContext,
} from '../helpers/chromium';
import {
  manyAccountsFromOneIp,
  signUpViaApi,
  serveRenderTestEnv,
  TEST_PASSWORD,
  uniqueEmail,
} from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';
import { enableTwoFactor, enableTwoFactorAs, TestAuthenticatorApp } from '../helpers/two-factor';
import { addVirtualAuthenticator, localhostServer } from '../helpers/virtual-authenticator';
import type { ListeningServer } from '../helpers/virtual-authenticator';

// Passkeys and two-factor codes in a real browser: headless Chromium (playwright-core) with
// the DevTools protocol's virtual authenticator as the person's phone or laptop, and an
// authenticator app played by otpauth. WebAuthn needs a secure context whose host is a domain
// (an IP address is no valid RP ID), so the site is opened at http://localhost:<port> and BOTH
// servers' PUBLIC_ORIGIN is exactly that origin (the API derives the RP ID and the expected
// origin from it).

const chromiumPath = findChromium();
const describeInBrowser = describeInChromium('The passkey browser test', chromiumPath);

describeInBrowser('passkeys and two-factor codes in headless Chromium', () => {
  let env: RenderTestEnv;
  let server: ListeningServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await localhostServer();
    env = await serveRenderTestEnv(server, { configureApi: manyAccountsFromOneIp });
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

  /**
   * A fresh browser profile on the site only; `autofill: false` makes the browser report no
   * conditional UI, so only the "Sign in with a passkey" button can start a ceremony.
   */
  async function newContext(options: { autofill?: boolean } = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchContext(context, server.origin, { csp: problems, errors: problems });
    if (options.autofill === false) {
      await context.addInitScript(() => {
        const credential = window.PublicKeyCredential as unknown as {
          isConditionalMediationAvailable?: () => Promise<boolean>;
        };
        if (credential) credential.isConditionalMediationAvailable = () => Promise.resolve(false);
      });
    }
    return context;
  }

  /**
   * axe-core's findings for `path` opened with `from`'s cookies in a context without the CSP
   * (axe goes in as an inline script), so the journey's own pages keep the site's real CSP.
   */
  async function auditedElsewhere(from: BrowserContext, path: string): Promise<string[]> {
    const audit = await browser.newContext({ bypassCSP: true });
    try {
      await audit.addCookies(await from.cookies());
      const page = await audit.newPage();
      await page.goto(server.origin + path);
      await hydrated(page);
      return await axeViolations(page);
    } finally {
      await audit.close();
    }
  }

  async function hydrated(page: Page): Promise<void> {
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 15_000 });
  }

  async function goto(page: Page, path: string): Promise<void> {
    await page.goto(server.origin + path);
    await hydrated(page);
  }

  async function viewerName(page: Page): Promise<string> {
    await page.waitForSelector('[data-testid="viewer-name"]');
    return ((await page.textContent('[data-testid="viewer-name"]')) ?? '').trim();
  }

  async function signOut(page: Page): Promise<void> {
    await page.click('button:has-text("Sign out")');
    await page.waitForURL((url) => url.searchParams.get('notice') === 'signed-out');
    await hydrated(page);
  }

  async function signInWithPassword(page: Page, email: string, returnTo = '/'): Promise<void> {
    await goto(
      page,
      returnTo === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(returnTo)}`,
    );
    await page.fill('#sign-in-email', email);
    await page.fill('#sign-in-password', TEST_PASSWORD);
    await page.click('form.auth-form button[type="submit"]');
  }

  it('signs up, adds a passkey from the welcome card, signs out and back in with the button', async () => {
    const context = await newContext({ autofill: false });
    try {
      const page = await context.newPage();
      const authenticator = await addVirtualAuthenticator(page);
      const email = uniqueEmail('passkey');

      await goto(page, '/sign-up');
      await page.fill('input[name="name"]', 'Pass Key');
      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', TEST_PASSWORD);
      await page.click('button:has-text("Sign up")');
      await page.waitForURL(`${server.origin}/?notice=welcome`);
      await hydrated(page);

      // The offer: shown by the script once it found passkey support.
      const offer = page.locator('[data-testid="passkey-offer"]');
      await offer.waitFor({ state: 'visible' });
      expect(await offer.locator('h2').textContent()).toBe('Add a passkey for faster sign-in');
      await offer.locator('[data-testid="passkey-offer-add"]').click();
      await page.locator('[data-testid="passkey-offer-done"]').waitFor();
      const credentials = await authenticator.credentials();
      expect(credentials).toHaveLength(1);
      // A discoverable credential for this site: sign-in needs no e-mail.
      expect(credentials[0]).toEqual(
        expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' }),
      );

      await signOut(page);
      await goto(page, '/sign-in?returnTo=%2Fmy-list');
      const button = page.locator('[data-testid="passkey-sign-in"]');
      await button.waitFor({ state: 'visible' });
      expect(await button.textContent()).toContain('Sign in with a passkey');
      await button.click();
      await page.waitForURL(`${server.origin}/my-list`);
      await hydrated(page);
      expect(await viewerName(page)).toBe('Pass Key');
      // The authenticator signed once more (its counter moved).
      expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThan(0);

      // The account page lists the passkey with its last use.
      await goto(page, '/account');
      expect(await page.locator('#passkeys').textContent()).toMatch(/passkey/i);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('registers a passkey with the account page’s button and signs in from the e-mail field’s suggestions (conditional UI)', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Auto Fill' });
    const context = await newContext();
    try {
      const page = await context.newPage();
      const authenticator = await addVirtualAuthenticator(page);
      await signInWithPassword(page, email, '/account');
      await page.waitForURL(`${server.origin}/account`);
      await hydrated(page);

      await page.locator('[data-testid="add-passkey"]').click();
      await page.waitForURL(
        (url) => url.pathname === '/account' && url.searchParams.get('notice') === 'passkey-added',
      );
      expect(await authenticator.credentials()).toHaveLength(1);
      await hydrated(page);
      await signOut(page);

      // The e-mail field is marked for passkey autofill; the virtual authenticator answers
      // the waiting conditional request at once, as a person picking the suggestion would.
      await page.goto(`${server.origin}/sign-in?returnTo=%2Fmy-list`);
      expect(await page.getAttribute('#sign-in-email', 'autocomplete')).toBe('username webauthn');
      await page.waitForURL(`${server.origin}/my-list`);
      await hydrated(page);
      expect(await viewerName(page)).toBe('Auto Fill');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a passkey that did not verify the person (no PIN, no biometrics) still asks for the code', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Half Verified' });
    const context = await newContext({ autofill: false });
    try {
      const page = await context.newPage();
      const authenticator = await addVirtualAuthenticator(page);
      await signInWithPassword(page, email, '/account');
      await page.waitForURL(`${server.origin}/account`);
      await hydrated(page);
      await page.locator('[data-testid="add-passkey"]').click();
      await page.waitForURL((url) => url.searchParams.get('notice') === 'passkey-added');
      // Two-factor on (through the API with this browser's session: the subject is the sign-in).
      const token = (await context.cookies()).find((cookie) => cookie.name === 'access_token');
      const { app } = await enableTwoFactorAs(env.api, token?.value ?? '');
      await hydrated(page);
      await signOut(page);

      // The same passkey on an authenticator without PIN or biometrics: presence only (UV=0).
      // (Copied with its private key: the authenticator it was made on always verifies.)
      const { credentials } = await authenticator.session.send('WebAuthn.getCredentials', {
        authenticatorId: authenticator.authenticatorId,
      });
      expect(credentials).toHaveLength(1);
      await authenticator.remove();
      // (The same transport as before: the account's options name it for this credential.)
      const key = await addVirtualAuthenticator(page, {
        hasUserVerification: false,
        isUserVerified: false,
      });
      for (const credential of credentials) {
        await key.session.send('WebAuthn.addCredential', {
          authenticatorId: key.authenticatorId,
          credential,
        });
      }
      await goto(page, '/sign-in?returnTo=%2Fmy-list');
      // With the address typed, the options name this account's passkeys (allowCredentials).
      await page.fill('#sign-in-email', email);
      await page.locator('[data-testid="passkey-sign-in"]').click();
      await Promise.race([
        page.waitForURL(`${server.origin}/sign-in/second-factor`),
        page
          .locator('[data-testid="passkey-error"]')
          .waitFor()
          .then(async () => {
            throw new TypeError(`${await page.textContent('[data-testid="passkey-error"]')}`);
          }),
      ]);
      await hydrated(page);
      expect(await page.locator('[data-testid="viewer-name"]').count()).toBe(0);
      await page.fill('input[name="code"]', await app.nextCode());
      await page.click('button:has-text("Verify")');
      await page.waitForURL(`${server.origin}/my-list`);
      await hydrated(page);
      expect(await viewerName(page)).toBe('Half Verified');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a cancelled passkey dialog says so and the password still works', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'No Passkey' });
    const context = await newContext({ autofill: false });
    try {
      const page = await context.newPage();
      // An authenticator with no credential for this site: the browser's dialog finds nothing.
      await addVirtualAuthenticator(page);
      await goto(page, '/sign-in');
      await page.locator('[data-testid="passkey-sign-in"]').click();
      const message = page.locator('[data-testid="passkey-error"]');
      await message.waitFor({ timeout: 70_000 });
      expect(await message.textContent()).toMatch(/passkey/i);
      await page.fill('#sign-in-email', email);
      await page.fill('#sign-in-password', TEST_PASSWORD);
      await page.click('form.auth-form button[type="submit"]');
      await page.waitForURL(`${server.origin}/`);
      await hydrated(page);
      expect(await viewerName(page)).toBe('No Passkey');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('turns on two-factor on the account page, then a password sign-in asks for the code', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Two Step' });
    const context = await newContext();
    try {
      const page = await context.newPage();
      await signInWithPassword(page, email, '/account');
      await page.waitForURL(`${server.origin}/account`);
      await hydrated(page);

      // Enrol: "scan" the QR code by reading the key the page shows under it.
      await page.click('form[action="/account/two-factor/start"] button[type="submit"]');
      await page.waitForSelector('[data-testid="totp-secret"]');
      expect(await page.locator('[data-testid="totp-qr-code"]').count()).toBe(1);
      const secret = ((await page.textContent('[data-testid="totp-secret"]')) ?? '').replace(
        /\s+/g,
        '',
      );
      const app = new TestAuthenticatorApp(secret);
      await page.fill(
        'form[action="/account/two-factor/confirm"] input[name="code"]',
        await app.nextCode(),
      );
      await page.click('form[action="/account/two-factor/confirm"] button[type="submit"]');
      await page.waitForSelector('[data-testid="recovery-codes"] li');
      expect(await page.locator('[data-testid="recovery-codes"] li').count()).toBe(10);
      await page.click('[data-testid="recovery-codes-done"]');
      await page.waitForURL((url) => url.pathname === '/account');
      await hydrated(page);
      await signOut(page);

      // The password alone no longer signs in: the second-factor page asks for the code.
      await signInWithPassword(page, email, '/my-list');
      await page.waitForURL(`${server.origin}/sign-in/second-factor`);
      await hydrated(page);
      const code = page.locator('input[name="code"]');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await page.locator('label[for="second-factor-code"]').textContent()).toBe(
        'Enter the 6-digit code from your authenticator app',
      );
      expect(await page.locator('[data-testid="viewer-name"]').count()).toBe(0);
      expect(await auditedElsewhere(context, '/sign-in/second-factor')).toEqual([]);

      // A wrong code: the field says so, in place.
      await code.fill(app.wrongCode());
      await page.click('button:has-text("Verify")');
      await page.locator('[data-testid="code-error"]').waitFor();
      expect(await code.getAttribute('aria-invalid')).toBe('true');

      // "Use a recovery code instead" switches the field in place, and back.
      await page.click('a:has-text("Use a recovery code instead")');
      await page.locator('input[name="recoveryCode"]').waitFor();
      await page.click('a:has-text("Use your authenticator app instead")');

      await page.fill('input[name="code"]', await app.nextCode());
      await page.click('button:has-text("Verify")');
      await page.waitForURL(`${server.origin}/my-list`);
      await hydrated(page);
      expect(await viewerName(page)).toBe('Two Step');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the second-factor form works without JavaScript too', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'No Script' });
    // Two-factor on through the API (this test is about the form without script).
    const { app } = await enableTwoFactor(env.api, email);
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      await context.route(
        (url) => url.origin !== server.origin,
        (route) => route.abort(),
      );
      const page = await context.newPage();
      await page.goto(`${server.origin}/sign-in`);
      // No script: no passkey button, the password form as always.
      expect(await page.locator('[data-testid="passkey-sign-in"]').count()).toBe(0);
      await page.fill('#sign-in-email', email);
      await page.fill('#sign-in-password', TEST_PASSWORD);
      await page.click('form.auth-form button[type="submit"]');
      await page.waitForURL(`${server.origin}/sign-in/second-factor`);
      await page.click('a:has-text("Use a recovery code instead")');
      await page.waitForURL(`${server.origin}/sign-in/second-factor?method=recovery`);
      await page.click('a:has-text("Use your authenticator app instead")');
      await page.fill('input[name="code"]', await app.nextCode());
      await page.click('button:has-text("Verify")');
      await page.waitForURL(`${server.origin}/`);
      expect(await viewerName(page)).toBe('No Script');
    } finally {
      await context.close();
    }
  });
});
