import { errorCode, execute, startApi } from '../../test/execute-operation';
import {
  addPasskey,
  asKey,
  enrolTotp,
  ok,
  OPS,
  passwordSignIn,
  signInOptions,
} from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { linkToken, mailTo } from '../../test/mail-helpers';
import { SoftwareAuthenticator } from '../../test/software-authenticator';
import { PasskeyModel } from '../passkeys';
import type { TestApi } from '../testing';
import { UserModel } from '../users';

/**
 * Issue 14 review: the pre-account-hijack path through "Forgot password?". A stranger
 * registers the victim's address (never verified), adds a passkey and two-factor, and waits. The
 * owner of the address finds "e-mail taken", resets the password through the mailed link (which
 * proves the address and marks it verified) and starts using the account. The Google recovery
 * path (AccountService.recoveredByProvider) drops the previous holder's passkeys and TOTP; the
 * reset path did not (found in review), so the stranger kept a way in (and the owner was asked
 * for the stranger's code). Now a reset that first proves the address drops them too.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const REQUEST_RESET = `mutation Reset($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation Reset($token: String!, $newPassword: String!) {
  resetPassword(token: $token, newPassword: $newPassword)
}`;
const OWNERS_PASSWORD = 'violet harbor tangerine owner';

/** A stranger's account on an address they do not own (never verified), signed in. */
async function strangerAccount() {
  const stranger = await createSignedInUser(api);
  expect((await UserModel.findById(stranger.user._id).lean())?.emailVerified).toBe(false);
  return stranger;
}

/** The owner of the address takes the account over with "Forgot password?". */
async function ownerResets(email: string): Promise<void> {
  ok(await execute(api, REQUEST_RESET, { email }, asKey(api)));
  const token = linkToken(api, await mailTo(api, email, /reset/i), '/reset-password');
  ok(await execute(api, RESET, { token, newPassword: OWNERS_PASSWORD }, asKey(api)));
  expect((await UserModel.findOne({ email }).lean())?.emailVerified).toBe(true);
}

describe('pre-account hijacking through a password reset', () => {
  it('the previous holder’s passkey no longer signs in once the owner proved the address by a reset link', async () => {
    const stranger = await strangerAccount();
    const strangerKey = new SoftwareAuthenticator({ origin: api.config.publicOrigin });
    await addPasskey(api, stranger.token, strangerKey);

    await ownerResets(stranger.user.email);

    const replay = await execute(
      api,
      OPS.signInWithPasskey,
      { response: strangerKey.authenticate(await signInOptions(api)) },
      asKey(api),
    );
    // Before the fix: AuthPayload for the stranger, in the account the owner now uses.
    expect(replay.data?.signInWithPasskey ?? null).toBeNull();
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    expect(await PasskeyModel.countDocuments({ user: stranger.user._id })).toBe(0);
  });

  it('the owner’s new password signs in without the previous holder’s authenticator app', async () => {
    const stranger = await strangerAccount();
    await enrolTotp(api, stranger.token);

    await ownerResets(stranger.user.email);

    const owner = ok(
      await passwordSignIn(api, { email: stranger.user.email, password: OWNERS_PASSWORD }),
    ).signIn;
    // Before the fix: MfaRequired, answerable only with the stranger's app or recovery codes.
    expect(owner.__typename).toBe('AuthPayload');
  });
});
