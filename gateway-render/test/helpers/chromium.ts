import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
