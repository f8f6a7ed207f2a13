import mongoose from 'mongoose';
import { startApi } from '../../test/execute-operation';
import { enrolTotp, reauthenticate } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { wrongTotpCode } from '../../test/totp-codes';
import type { TestApi } from '../testing';

/**
 * Issue 14 review: wrong two-factor codes are limited to 10 per user per 15-minute window
 * (SecondFactorLimiter), and were limited by nothing else (found in review): the count started
 * again with every window, so whoever had the password (or a stolen session, through
 * reauthenticate) could try 960 codes a day, for ever. With 3 codes right at any moment (±1 step) that is ~0.3% a day, ~8% a month. NIST SP
 * 800-63B 5.2.2 caps consecutive failed attempts on an account at 100.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

/** The end of the limiter's 15-minute window for this user (its counter document goes). */
async function windowPasses(userId: string): Promise<void> {
  const removed = await mongoose.connection
    .collection('signinlimits')
    .deleteMany({ key: { $regex: `^second-factor-user:${userId}$` } });
  expect(removed.deletedCount).toBe(1);
}

describe('consecutive wrong codes over many windows', () => {
  it('after 100 consecutive wrong codes the account stops checking codes, whatever the window', async () => {
    const { user, token } = await createSignedInUser(api);
    const { secret } = await enrolTotp(api, token);
    const perWindow = api.config.secondFactorLimits.perUser;

    let checked = 0;
    let refused = false;
    for (let window = 0; window < 11 && !refused; window += 1) {
      for (let attempt = 0; attempt < perWindow; attempt += 1) {
        const result = await reauthenticate(api, token, { code: wrongTotpCode(secret) });
        const code = result.errors?.[0]?.extensions?.code;
        if (code === 'RATE_LIMITED') {
          refused = true;
          break;
        }
        expect(code).toBe('BAD_USER_INPUT');
        checked += 1;
      }
      if (!refused) await windowPasses(user._id.toHexString());
    }
    // Before the fix: 110 wrong codes checked, and the next window would take 10 more.
    expect(checked).toBeLessThanOrEqual(100);
  });
});
