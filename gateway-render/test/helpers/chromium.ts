import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** `CHROMIUM_PATH` value that skips any installed Chromium and uses the npm package's one. */
export const NPM_CHROMIUM = '@sparticuz/chromium';

/** What to do when no Chromium is found (the browser tests print it, and fail with it in CI). */
export const HOW_TO_INSTALL =
  "Run `npm install` (it brings @sparticuz/chromium), install Debian's `chromium`, or set CHROMIUM_PATH.";

// Unpacking runs in a child process because @sparticuz/chromium's executablePath() is async
// while jest must decide synchronously, at load time, whether a browser suite runs. It also
// unpacks the package's copies of the few libraries its Chromium needs (NSS, NSPR, expat:
// al2023.tar.br), which the package itself does only on Amazon Linux.
const UNPACK_SCRIPT = `
const path = require('node:path');
const Chromium = require('@sparticuz/chromium');
const bin = path.join(path.dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'bin');
const { inflate } = require(path.join(bin, '..', 'build', 'cjs', 'lambdafs.cjs'));
Promise.all([Chromium.executablePath(), inflate(path.join(bin, 'al2023.tar.br'))]).then(
  ([exe]) => process.stdout.write(exe),
  (error) => { console.error(error); process.exit(1); },
);`;

/** Debian's `chromium` (or `chromium-browser`) on PATH, else null. */
function findInstalledChromium(): string | null {
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

/** Whether the dynamic linker finds every library `executable` needs (with the current env). */
function librariesResolve(executable: string): boolean {
  try {
    return !execFileSync('ldd', [executable], { encoding: 'utf8' }).includes('not found');
  } catch {
    // No ldd (not glibc): let the launch itself tell.
    return true;
  }
}

/**
 * The Chromium inside the `@sparticuz/chromium` devDependency, unpacked to the temp folder
 * (a few seconds the first time, then reused), or null when it cannot be. When the system
 * lacks the libraries it links against, the package's own copies go on `LD_LIBRARY_PATH`,
 * which the browser the tests launch inherits.
 */
function unpackNpmChromium(): string | null {
  let executable: string;
  try {
    executable = execFileSync(process.execPath, ['-e', UNPACK_SCRIPT], {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch {
    return null;
  }
  if (!executable || !existsSync(executable)) return null;
  if (!librariesResolve(executable)) {
    const libs = path.join(tmpdir(), 'al2023', 'lib');
    process.env.LD_LIBRARY_PATH = [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return executable;
}

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH` when it names a file, else Debian's
 * `chromium` on PATH, else the one inside `@sparticuz/chromium`, else null.
 * `CHROMIUM_PATH=@sparticuz/chromium` skips the installed one (how the fallback is tested).
 */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv === NPM_CHROMIUM) return unpackNpmChromium();
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return findInstalledChromium() ?? unpackNpmChromium();
}

/**
 * `describe` when Chromium is there, else a `describe.skip` whose name says it was skipped and
 * why, with a notice (and, with CI=true, a failing test: a missing browser must not pass
 * unnoticed in CI).
 */
export function describeInChromium(what: string, chromiumPath: string | null): jest.Describe {
  if (chromiumPath) return describe;
  console.warn(
    `\n*** ${what} (gateway-render/test/e2e) did NOT run: no Chromium found.\n*** ${HOW_TO_INSTALL}\n`,
  );
  if (process.env.CI === 'true') {
    describe(`${what} in CI`, () => {
      it('has Chromium', () => {
        throw new TypeError(`Chromium is missing in CI. ${HOW_TO_INSTALL}`);
      });
    });
  }
  const skipped = (name: string, fn: jest.EmptyFunction): void =>
    describe.skip(`SKIPPED (no Chromium found): ${name}`, fn);
  return Object.assign(skipped, describe.skip) as jest.Describe;
}

/**
 * Launches `chromiumPath` (from {@link findChromium}) headless with the browser tests' flags:
 * nothing of Chromium's own in the background (updates, sync), which could reach the network.
 * playwright starts it with a fresh temporary profile (user-data-dir) every time. `extraArgs`
 * go after those flags.
 */
export function launchChromium(
  chromiumPath: string | null,
  extraArgs: string[] = [],
): Promise<Browser> {
  return chromium.launch({
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
      ...extraArgs,
    ],
  });
}

/** How React reports a hydration mismatch (readable in development, an error number in production). */
export const HYDRATION_ERROR = /hydrat|Minified React error #(418|419|422|423|425)/i;

/** Where {@link watchContext} records what went wrong on a page (the same list may do for both). */
export interface PageProblems {
  /** The console's Content Security Policy reports, as `CSP: <text>`. */
  csp: string[];
  /** Uncaught page errors, and React's hydration errors on the console. */
  errors: string[];
}

/**
 * Refuses at once every request of `context` to another origin than `origin` (nothing the site
 * needs lives there, and the test machine may be offline: no waiting for DNS), and records each
 * of its pages' CSP reports and errors in `problems`.
 */
export async function watchContext(
  context: BrowserContext,
  origin: string,
  problems: PageProblems,
): Promise<void> {
  await context.route(
    (url) => url.origin !== origin,
    (route) => route.abort(),
  );
  context.on('page', (page) => {
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(text)) {
        problems.csp.push(`CSP: ${text}`);
      }
      if (message.type() === 'error' && HYDRATION_ERROR.test(text)) problems.errors.push(text);
    });
    page.on('pageerror', (error) => problems.errors.push(error.message));
  });
}

/**
 * How the browser's first render differs from the server's markup, or null when it does not.
 * React would report a mismatch on the console; Preact (the bundle's React) patches text to
 * its own render without a word, so the `#root` markup the server sent is compared with the
 * DOM right after hydration.
 */
export async function hydrationMismatch(page: Page, serverHtml: string): Promise<string | null> {
  return page.evaluate((html) => {
    const sent = new DOMParser().parseFromString(html, 'text/html').getElementById('root');
    const live = document.getElementById('root')?.cloneNode(true) as HTMLElement | undefined;
    if (!sent || !live) return `hydration mismatch on ${window.location.pathname}: no #root`;
    // What React's server render adds for the browser alone: the image preloads it hoists
    // and the empty comments between adjacent texts, both dropped by the hydrating script.
    // (The hydrating script leaves the preloads in place, moved to the end: dropped there too.)
    // Also what the page script adds or shows right after hydrating, by design: elements
    // marked data-script-only (the passkey button once the browser can use passkeys, ...).
    for (const root of [sent, live]) {
      root.querySelectorAll('link[rel="preload"]').forEach((link) => link.remove());
      root.querySelectorAll('[data-script-only]').forEach((element) => element.remove());
    }
    const walker = document.createTreeWalker(sent, NodeFilter.SHOW_COMMENT);
    const comments: Node[] = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    comments.forEach((comment) => comment.parentNode?.removeChild(comment));
    sent.normalize();
    const [a, b] = [sent.innerHTML, live.innerHTML];
    if (a === b) return null;
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    const around = (text: string) => text.slice(Math.max(0, at - 30), at + 30);
    return `hydration mismatch on ${window.location.pathname}: server "${around(a)}" browser "${around(b)}"`;
  }, serverHtml);
}
