import { startApi } from '../../test/execute-operation';
import { enrolTotp, mfaChallenge, verifySecondFactor } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { SessionModel } from '../sessions';
import type { TestApi } from '../testing';
import { TotpFactorModel } from './index';

/**
 * Issue 14 review: MfaService.completeChallenge used to check (and use up) the code before
 * it consumed the challenge, so requests racing on one challenge each spent their recovery code
 * while only one of them could start a session. Now one request at a time holds the challenge.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

describe('recovery codes and one challenge', () => {
  it('recovery codes sent on one challenge at the same moment: one session, and only its code is used up', async () => {
    const { user, token } = await createSignedInUser(api);
    const { recoveryCodes } = await enrolTotp(api, token);
    const { challengeId } = await mfaChallenge(api, user);
    const sessionsBefore = await SessionModel.countDocuments({ user: user._id });

    const results = await Promise.all(
      recoveryCodes
        .slice(0, 3)
        .map((recoveryCode) => verifySecondFactor(api, { challengeId, recoveryCode })),
    );

    const signedIn = results.filter((result) => result.data?.verifySecondFactor);
    expect(signedIn).toHaveLength(1);
    expect((await SessionModel.countDocuments({ user: user._id })) - sessionsBefore).toBe(1);
    // Before the fix: 7 left (three spent for one sign-in).
    expect(
      (await TotpFactorModel.findOne({ user: user._id }).lean())?.recoveryCodeHashes,
    ).toHaveLength(9);
  });
});
