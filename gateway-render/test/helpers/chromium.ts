import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What to do when Chromium is missing (the browser tests print it, and fail with it in CI). */
export const HOW_TO_INSTALL =
  'Install it with `apt-get update && apt-get install -y chromium` (Debian/Ubuntu) or set CHROMIUM_PATH.';

/** `CHROMIUM_PATH`, else Debian's `chromium` (or `chromium-browser`) on PATH, else null. */
export function findChromium(): string | null {
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

/**
 * `describe` when Chromium is there, else `describe.skip` with a notice saying so (and, with
 * CI=true, a failing test: a missing browser must not pass unnoticed in CI).
 */
export function describeInChromium(what: string, chromiumPath: string | null): jest.Describe {
  if (chromiumPath) return describe;
  console.warn(
    `\n*** ${what} (gateway-render/test/e2e) did NOT run: Chromium is not installed.\n*** ${HOW_TO_INSTALL}\n`,
  );
  if (process.env.CI === 'true') {
    describe(`${what} in CI`, () => {
      it('has Chromium (.ci/run installs it)', () => {
        throw new TypeError(`Chromium is missing in CI. ${HOW_TO_INSTALL}`);
      });
    });
  }
  return describe.skip;
}
