import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Types } from 'mongoose';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import {
  accountSecurity,
  addPasskey,
  asKey,
  enrolTotp,
  mfaChallenge,
  ok,
  OPS,
  passwordSignIn,
  sessionIdOf,
  tokenWorks,
  verifySecondFactor,
} from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { hashToken } from '../shared/tokens';
import { linkToken, mailTo, mailsTo, outboxSettled } from '../../test/mail-helpers';
import { SoftwareAuthenticator } from '../../test/software-authenticator';
import { totpCode, totpStep, withTimeLeftInStep, wrongTotpCode } from '../../test/totp-codes';
import { startOAuth2TestProvider } from '../oauth2-test-provider';
import type { OAuth2TestProvider } from '../oauth2-test-provider';
import { PasskeyModel } from '../passkeys';
import { SessionModel } from '../sessions';
import { UserModel } from '../users';
import type { TestApi } from '../testing';
import { MfaChallengeModel, TotpFactorModel } from './index';

let provider: OAuth2TestProvider;
let api: TestApi;
beforeAll(async () => {
  provider = await startOAuth2TestProvider();
  api = await startApi(provider.apiEnv);
});
afterAll(async () => {
  await api?.stop();
  await provider?.stop();
});

const NOTICE = /sign-in methods changed/i;
const RECOVERY_CODE_FORMAT = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/;

/** A signed-in user (step-up window open, as right after sign-in) with two-factor on. */
async function enrolledUser() {
  const signedIn = await createSignedInUser(api);
  const totp = await enrolTotp(api, signedIn.token);
  return { ...signedIn, totp };
}

/**
 * Forgets the time steps used so far (the enrolment's confirming code): as if the enrolment had
 * been minutes ago, so codes of the previous step count as unused again. A direct model write,
 * the tests' way to move time.
 */
async function forgetUsedSteps(userId: Types.ObjectId): Promise<void> {
  await TotpFactorModel.updateOne({ user: userId }, { $set: { lastUsedStep: 0 } });
}

function fieldsOf(result: Parameters<typeof firstError>[0]) {
  return firstError(result).extensions?.fields;
}

describe('TOTP enrolment', () => {
  it('starts with a secret, an otpauth URI and a server-rendered QR code; nothing is on until confirmed', async () => {
    const { user, token } = await createSignedInUser(api);
    const started = ok(
      await execute<{
        startTotpEnrollment: {
          secret: string;
          otpauthUri: string;
          qrCodeSvg: string;
          expiresAt: string;
        };
      }>(api, OPS.startTotpEnrollment, {}, { token }),
    ).startTotpEnrollment;

    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(started.secret);
    expect(uri.searchParams.get('issuer')).toBe('Movie catalog');
    expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    expect(started.qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Rendered here, no third party: no remote reference and no script in the markup.
    expect(started.qrCodeSvg).not.toMatch(/<script|href=|https?:\/\/(?!www\.w3\.org)/i);
    const expiresIn = new Date(started.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(14 * 60 * 1000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60 * 1000);

    expect((await accountSecurity(api, token)).twoFactor).toMatchObject({
      enabled: false,
      recoveryCodesLeft: 0,
    });
    // Until confirmed, the password alone still signs in.
    expect(ok(await passwordSignIn(api, user)).signIn.__typename).toBe('AuthPayload');
    // The secret is stored sealed, never as its base32 or raw bytes.
    const stored = await TotpFactorModel.findOne({ user: user._id }).lean();
    expect(stored?.pendingSecret).toBeTruthy();
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(started.secret);
  });

  it('refuses a wrong code (BAD_USER_INPUT on code), then the right one turns it on with 10 recovery codes and a notice', async () => {
    const { user, token } = await createSignedInUser(api);
    const { secret } = ok(
      await execute<{ startTotpEnrollment: { secret: string } }>(
        api,
        OPS.startTotpEnrollment,
        {},
        { token },
      ),
    ).startTotpEnrollment;

    const wrong = await execute(
      api,
      OPS.confirmTotpEnrollment,
      { code: wrongTotpCode(secret) },
      {
        token,
      },
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(wrong)).toEqual([expect.objectContaining({ argument: 'code' })]);
    expect((await accountSecurity(api, token)).twoFactor.enabled).toBe(false);

    await withTimeLeftInStep();
    const confirmed = ok(
      await execute<{ confirmTotpEnrollment: { codes: string[] } }>(
        api,
        OPS.confirmTotpEnrollment,
        { code: totpCode(secret) },
        { token },
      ),
    ).confirmTotpEnrollment;
    expect(confirmed.codes).toHaveLength(10);
    expect(new Set(confirmed.codes).size).toBe(10);
    for (const code of confirmed.codes) expect(code).toMatch(RECOVERY_CODE_FORMAT);

    const status = (await accountSecurity(api, token)).twoFactor;
    expect(status).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10,
      recoveryCodeLastUsedAt: null,
      requiredForProviders: false,
    });
    expect(status.enabledAt).not.toBeNull();

    // Recovery codes are stored hashed only, and shown once: nothing reads them back.
    const stored = JSON.stringify(await TotpFactorModel.findOne({ user: user._id }).lean());
    for (const code of confirmed.codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
    expect(stored).not.toContain(secret);

    const notice = await mailTo(api, user.email, NOTICE);
    expect(notice.text).toMatch(/two-factor/i);
    expect(notice.text).toMatch(/turned on/i);

    // From now on a password sign-in asks for a code.
    expect(ok(await passwordSignIn(api, user)).signIn.__typename).toBe('MfaRequired');
  });

  it('confirming needs a started enrolment that has not expired', async () => {
    const { user, token } = await createSignedInUser(api);
    const never = await execute(api, OPS.confirmTotpEnrollment, { code: '123456' }, { token });
    expect(errorCode(never)).toBe('BAD_USER_INPUT');

    const { secret } = ok(
      await execute<{ startTotpEnrollment: { secret: string } }>(
        api,
        OPS.startTotpEnrollment,
        {},
        { token },
      ),
    ).startTotpEnrollment;
    await TotpFactorModel.updateOne(
      { user: user._id },
      { $set: { pendingExpiresAt: new Date(Date.now() - 1000) } },
    );
    const late = await execute(
      api,
      OPS.confirmTotpEnrollment,
      { code: totpCode(secret) },
      {
        token,
      },
    );
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
    expect((await accountSecurity(api, token)).twoFactor.enabled).toBe(false);
  });

  it('a second start replaces the pending secret: the first one’s code no longer confirms', async () => {
    const { token } = await createSignedInUser(api);
    const start = async () =>
      ok(
        await execute<{ startTotpEnrollment: { secret: string } }>(
          api,
          OPS.startTotpEnrollment,
          {},
          { token },
        ),
      ).startTotpEnrollment.secret;
    const first = await start();
    const second = await start();
    expect(second).not.toBe(first);
    await withTimeLeftInStep();
    const stale = await execute(
      api,
      OPS.confirmTotpEnrollment,
      { code: totpCode(first) },
      {
        token,
      },
    );
    // (one chance in a million that the two secrets share the code of this step)
    if (totpCode(first) !== totpCode(second)) expect(errorCode(stale)).toBe('BAD_USER_INPUT');
    expect(
      (await execute(api, OPS.confirmTotpEnrollment, { code: totpCode(second) }, { token })).errors,
    ).toBeUndefined();
  });

  it('the same code confirming twice at the same moment turns it on once, with one set of codes', async () => {
    const { user, token } = await createSignedInUser(api);
    const { secret } = ok(
      await execute<{ startTotpEnrollment: { secret: string } }>(
        api,
        OPS.startTotpEnrollment,
        {},
        { token },
      ),
    ).startTotpEnrollment;
    await withTimeLeftInStep();
    const code = totpCode(secret);
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        execute<{ confirmTotpEnrollment: { codes: string[] } }>(
          api,
          OPS.confirmTotpEnrollment,
          { code },
          { token },
        ),
      ),
    );
    const winners = results.filter((result) => result.errors === undefined);
    expect(winners).toHaveLength(1);
    const codes = winners[0]?.data?.confirmTotpEnrollment.codes ?? [];
    // The codes shown are the ones that work.
    const { challengeId } = await mfaChallenge(api, user);
    expect(
      (await verifySecondFactor(api, { challengeId, recoveryCode: codes[0] })).errors,
    ).toBeUndefined();
  });

  it('is refused while two-factor is on (CONFLICT) and without a session (UNAUTHENTICATED)', async () => {
    const { token } = await enrolledUser();
    expect(errorCode(await execute(api, OPS.startTotpEnrollment, {}, { token }))).toBe('CONFLICT');
    expect(errorCode(await execute(api, OPS.startTotpEnrollment, {}, asKey(api)))).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      errorCode(await execute(api, OPS.confirmTotpEnrollment, { code: '123456' }, asKey(api))),
    ).toBe('UNAUTHENTICATED');
  });

  it('counts wrong confirming codes toward the account’s lockout (RATE_LIMITED), the right one included', async () => {
    const { token } = await createSignedInUser(api);
    const { secret } = ok(
      await execute<{ startTotpEnrollment: { secret: string } }>(
        api,
        OPS.startTotpEnrollment,
        {},
        { token },
      ),
    ).startTotpEnrollment;
    const wrong = wrongTotpCode(secret);
    for (let attempt = 0; attempt < api.config.secondFactorLimits.perUser; attempt += 1) {
      const result = await execute(api, OPS.confirmTotpEnrollment, { code: wrong }, { token });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
    const right = await execute(
      api,
      OPS.confirmTotpEnrollment,
      { code: totpCode(secret) },
      {
        token,
      },
    );
    expect(errorCode(right)).toBe('RATE_LIMITED');
    expect((await accountSecurity(api, token)).twoFactor.enabled).toBe(false);
  });

  it('refuses malformed codes before checking them', async () => {
    const { token } = await createSignedInUser(api);
    await execute(api, OPS.startTotpEnrollment, {}, { token });
    for (const code of ['', '12345', '1234567', 'abcdef', '1'.repeat(10_000)]) {
      const result = await execute(api, OPS.confirmTotpEnrollment, { code }, { token });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('sign-in with a second factor', () => {
  it('a right password answers MfaRequired (no tokens, no session); a code completes it', async () => {
    const { user, totp } = await enrolledUser();
    const sessionsBefore = await SessionModel.countDocuments({ user: user._id });

    const challenge = await mfaChallenge(api, user);
    expect(challenge.challengeId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge.methods).toEqual(['TOTP', 'RECOVERY_CODE']);
    const expiresIn = new Date(challenge.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(4 * 60 * 1000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60 * 1000);
    expect(await SessionModel.countDocuments({ user: user._id })).toBe(sessionsBefore);
    // Only the hash of the challenge id is stored.
    expect(JSON.stringify(await MfaChallengeModel.find({ user: user._id }).lean())).not.toContain(
      challenge.challengeId,
    );

    await withTimeLeftInStep();
    // Typed as apps show it, with a space in the middle.
    const code = totpCode(totp.secret, { stepOffset: 1 });
    const done = ok(
      await verifySecondFactor(api, {
        challengeId: challenge.challengeId,
        code: `${code.slice(0, 3)} ${code.slice(3)}`,
      }),
    ).verifySecondFactor;
    expect(done.user).toMatchObject({ id: user._id.toHexString(), email: user.email });
    expect(await tokenWorks(api, done.accessToken)).toBe(true);
    expect(await SessionModel.countDocuments({ user: user._id })).toBe(sessionsBefore + 1);
    expect((await accountSecurity(api, done.accessToken)).twoFactor.lastUsedAt).not.toBeNull();
  });

  it('a wrong password with two-factor on is the usual UNAUTHENTICATED, never MfaRequired', async () => {
    const { user } = await enrolledUser();
    const result = await passwordSignIn(api, { email: user.email, password: 'not the password' });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(await MfaChallengeModel.countDocuments({ user: user._id })).toBe(0);
  });

  it('accepts each code once: the code that confirmed the enrolment, and a code used to sign in, are refused again', async () => {
    await withTimeLeftInStep(10_000);
    const { user, totp } = await enrolledUser();

    const first = await mfaChallenge(api, user);
    const replayEnrol = await verifySecondFactor(api, {
      challengeId: first.challengeId,
      code: totp.confirmedWith,
    });
    expect(errorCode(replayEnrol)).toBe('BAD_USER_INPUT');
    expect(firstError(replayEnrol).message).toBe(
      'This code was already used; wait for the next one',
    );
    expect(fieldsOf(replayEnrol)).toEqual([
      expect.objectContaining({ argument: 'input', field: 'code' }),
    ]);

    const next = totpCode(totp.secret, { stepOffset: 1 });
    expect(
      (await verifySecondFactor(api, { challengeId: first.challengeId, code: next })).errors,
    ).toBeUndefined();

    const second = await mfaChallenge(api, user);
    const replay = await verifySecondFactor(api, { challengeId: second.challengeId, code: next });
    expect(errorCode(replay)).toBe('BAD_USER_INPUT');
    expect(firstError(replay).message).toMatch(/already used/);
    // An older code of the window is no way around it either.
    const older = await verifySecondFactor(api, {
      challengeId: second.challengeId,
      code: totpCode(totp.secret),
    });
    expect(errorCode(older)).toBe('BAD_USER_INPUT');
  });

  it('one code sent on two sign-ins at the same moment signs in exactly once', async () => {
    await withTimeLeftInStep(10_000);
    const { user, totp } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const challenges = await Promise.all([1, 2, 3].map(() => mfaChallenge(api, user)));
    const code = totpCode(totp.secret);
    const results = await Promise.all(
      challenges.map(({ challengeId }) => verifySecondFactor(api, { challengeId, code })),
    );
    expect(results.filter((result) => result.errors === undefined)).toHaveLength(1);
    expect(
      results.filter((result) => result.errors !== undefined).map((result) => errorCode(result)),
    ).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('accepts one step of clock drift either way, refuses two', async () => {
    await withTimeLeftInStep(10_000);
    const { user, totp } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const attempt = async (stepOffset: number) => {
      const { challengeId } = await mfaChallenge(api, user);
      return verifySecondFactor(api, {
        challengeId,
        code: totpCode(totp.secret, { stepOffset }),
      });
    };
    // Oldest first: an accepted step makes every earlier one used.
    const twoBehind = await attempt(-2);
    expect(errorCode(twoBehind)).toBe('BAD_USER_INPUT');
    expect(firstError(twoBehind).message).not.toMatch(/already used/);
    expect((await attempt(-1)).errors).toBeUndefined();
    expect((await attempt(0)).errors).toBeUndefined();
    expect((await attempt(1)).errors).toBeUndefined();
    const twoAhead = await attempt(2);
    expect(errorCode(twoAhead)).toBe('BAD_USER_INPUT');
    // The remembered step is the last accepted one (+1), not the clock's.
    const stored = await TotpFactorModel.findOne({ user: user._id }).lean();
    expect(stored?.lastUsedStep).toBe(totpStep() + 1);
  });

  it('another user’s current code does not complete this user’s sign-in', async () => {
    await withTimeLeftInStep();
    const victim = await enrolledUser();
    const attacker = await enrolledUser();
    const { challengeId } = await mfaChallenge(api, victim.user);
    const attackerCode = totpCode(attacker.totp.secret);
    const result = await verifySecondFactor(api, { challengeId, code: attackerCode });
    if (attackerCode !== totpCode(victim.totp.secret, { stepOffset: 1 })) {
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
  });

  it('a challenge is single use, expires after 5 minutes, and an unknown one is UNAUTHENTICATED', async () => {
    await withTimeLeftInStep();
    const { user, totp } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const EXPIRED = 'This sign-in has expired; sign in again';

    const used = await mfaChallenge(api, user);
    ok(
      await verifySecondFactor(api, { challengeId: used.challengeId, code: totpCode(totp.secret) }),
    );
    const again = await verifySecondFactor(api, {
      challengeId: used.challengeId,
      code: totpCode(totp.secret, { stepOffset: 1 }),
    });
    expect(errorCode(again)).toBe('UNAUTHENTICATED');
    expect(firstError(again).message).toBe(EXPIRED);

    const late = await mfaChallenge(api, user);
    await MfaChallengeModel.updateMany(
      { user: user._id, consumedAt: null },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    const expired = await verifySecondFactor(api, {
      challengeId: late.challengeId,
      code: totpCode(totp.secret, { stepOffset: 1 }),
    });
    expect(errorCode(expired)).toBe('UNAUTHENTICATED');
    expect(firstError(expired).message).toBe(EXPIRED);

    const unknown = await verifySecondFactor(api, {
      challengeId: randomBytes(32).toString('base64url'),
      code: '123456',
    });
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    // The code was never checked, so it is still unused.
    const fresh = await mfaChallenge(api, user);
    expect(
      (
        await verifySecondFactor(api, {
          challengeId: fresh.challengeId,
          code: totpCode(totp.secret, { stepOffset: 1 }),
        })
      ).errors,
    ).toBeUndefined();
  });

  it('ends a challenge after 5 wrong codes: then even the right code is UNAUTHENTICATED', async () => {
    await withTimeLeftInStep();
    const { user, totp } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const { challengeId } = await mfaChallenge(api, user);
    const wrong = wrongTotpCode(totp.secret);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await verifySecondFactor(api, { challengeId, code: wrong });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(result)).toEqual([
        expect.objectContaining({ argument: 'input', field: 'code' }),
      ]);
    }
    const right = await verifySecondFactor(api, { challengeId, code: totpCode(totp.secret) });
    expect(errorCode(right)).toBe('UNAUTHENTICATED');
    // A new sign-in still works: the challenge limit is not the account's lockout.
    const next = await mfaChallenge(api, user);
    expect(
      (
        await verifySecondFactor(api, {
          challengeId: next.challengeId,
          code: totpCode(totp.secret),
        })
      ).errors,
    ).toBeUndefined();
  });

  it('eight wrong codes sent at once on one challenge get at most 5 checks, one at a time', async () => {
    const { user, totp } = await enrolledUser();
    const { challengeId } = await mfaChallenge(api, user);
    const wrong = wrongTotpCode(totp.secret);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => verifySecondFactor(api, { challengeId, code: wrong })),
    );
    const codes = results.map((result) => errorCode(result));
    // One request holds the challenge while it checks; the others are told to retry (CONFLICT),
    // and nothing is checked for them.
    const checked = codes.filter((code) => code === 'BAD_USER_INPUT').length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(5);
    expect(
      codes.every((code) =>
        ['BAD_USER_INPUT', 'CONFLICT', 'UNAUTHENTICATED'].includes(String(code)),
      ),
    ).toBe(true);
    const stored = await MfaChallengeModel.findOne({ tokenHash: hashToken(challengeId) }).lean();
    expect(stored?.attempts).toBe(checked);
    // Sent one after the other, the challenge still allows exactly 5 codes in all.
    for (let i = checked; i < 5; i += 1) {
      expect(errorCode(await verifySecondFactor(api, { challengeId, code: wrong }))).toBe(
        'BAD_USER_INPUT',
      );
    }
    expect(errorCode(await verifySecondFactor(api, { challengeId, code: wrong }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('locks the user out (RATE_LIMITED with retryAfter) after too many wrong codes over new sign-ins, the right code included', async () => {
    const { user, totp } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const wrong = wrongTotpCode(totp.secret);
    const perUser = api.config.secondFactorLimits.perUser;
    let wrongSoFar = 0;
    let limited: Awaited<ReturnType<typeof verifySecondFactor>> | undefined;
    while (wrongSoFar <= perUser + 1 && !limited) {
      // A new challenge for each 4 codes: the per-challenge limit never ends the run.
      const { challengeId } = await mfaChallenge(api, user);
      for (let attempt = 0; attempt < 4 && !limited; attempt += 1) {
        const result = await verifySecondFactor(api, { challengeId, code: wrong });
        if (errorCode(result) === 'RATE_LIMITED') limited = result;
        else wrongSoFar += 1;
      }
    }
    expect(wrongSoFar).toBe(perUser);
    expect(limited && firstError(limited).extensions?.retryAfter).toBeGreaterThan(0);

    await withTimeLeftInStep();
    const { challengeId } = await mfaChallenge(api, user);
    const right = await verifySecondFactor(api, { challengeId, code: totpCode(totp.secret) });
    expect(errorCode(right)).toBe('RATE_LIMITED');
    // A recovery code is locked out too (it is guessed the same way).
    const recovery = await verifySecondFactor(api, {
      challengeId,
      recoveryCode: totp.recoveryCodes[0],
    });
    expect(errorCode(recovery)).toBe('RATE_LIMITED');
    // Nothing was used up by the refused attempts.
    expect(
      (await TotpFactorModel.findOne({ user: user._id }).lean())?.recoveryCodeHashes,
    ).toHaveLength(10);
  });

  it('takes either a code or a recovery code: both or neither is BAD_USER_INPUT', async () => {
    const { user, totp } = await enrolledUser();
    const { challengeId } = await mfaChallenge(api, user);
    for (const input of [
      { challengeId },
      { challengeId, code: totpCode(totp.secret), recoveryCode: totp.recoveryCodes[0] },
    ]) {
      expect(errorCode(await verifySecondFactor(api, input))).toBe('BAD_USER_INPUT');
    }
    for (const challenge of ['', 'short', 'x'.repeat(5000)]) {
      const result = await verifySecondFactor(api, { challengeId: challenge, code: '123456' });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
  });

  it('needs a key with signin:auth (a user token alone cannot finish anyone’s sign-in)', async () => {
    const { user, totp, token } = await enrolledUser();
    const { challengeId } = await mfaChallenge(api, user);
    const result = await execute(
      api,
      OPS.verifySecondFactor,
      { input: { challengeId, code: totpCode(totp.secret) } },
      { token },
    );
    expect(errorCode(result)).toBe('FORBIDDEN');
  });

  it('keeps the sign-in’s "remember me" for the session it starts', async () => {
    await withTimeLeftInStep();
    const { user, totp } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const result = ok(
      await execute<{ signIn: { __typename: string; challengeId: string } }>(
        api,
        OPS.signIn,
        { input: { email: user.email, password: user.password, rememberMe: true } },
        asKey(api),
      ),
    ).signIn;
    expect(result.__typename).toBe('MfaRequired');
    const done = ok(
      await verifySecondFactor(api, {
        challengeId: result.challengeId,
        code: totpCode(totp.secret),
      }),
    ).verifySecondFactor;
    const session = await SessionModel.findById(sessionIdOf(done.accessToken)).lean();
    expect(session?.rememberMe).toBe(true);
  });
});

describe('a pending second step and password recovery', () => {
  it('a password reset ends every pending MfaRequired: a challenge got with the old password is dead', async () => {
    await withTimeLeftInStep();
    const { user, totp } = await enrolledUser();
    // A verified account: on one that never proved its address the reset also drops two-factor
    // (account/pre-hijack-reset.test.ts).
    await UserModel.updateOne({ _id: user._id }, { $set: { emailVerified: true } });
    await forgetUsedSteps(user._id);
    // Someone who knows the old password reaches the second step...
    const { challengeId } = await mfaChallenge(api, user);
    // ...and the owner resets the password.
    ok(
      await execute(
        api,
        `mutation Reset($email: String!) { requestPasswordReset(email: $email) }`,
        { email: user.email },
        asKey(api),
      ),
    );
    const token = linkToken(api, await mailTo(api, user.email, /reset/i), '/reset-password');
    ok(
      await execute(
        api,
        `mutation Reset($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }`,
        { token, newPassword: 'quiet orbit lantern moss' },
        asKey(api),
      ),
    );
    const result = await verifySecondFactor(api, { challengeId, code: totpCode(totp.secret) });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    // Two-factor itself stays on for the new password.
    const fresh = await mfaChallenge(api, {
      email: user.email,
      password: 'quiet orbit lantern moss',
    });
    expect(
      (
        await verifySecondFactor(api, {
          challengeId: fresh.challengeId,
          code: totpCode(totp.secret),
        })
      ).errors,
    ).toBeUndefined();
  });
});

describe('recovery codes', () => {
  it('each works once, in any case or without dashes; each use sends a notice with the count left', async () => {
    const { user, totp } = await enrolledUser();
    await outboxSettled(api);
    api.mailbox.clear();
    const [first, second] = totp.recoveryCodes;

    const challenge = await mfaChallenge(api, user);
    const signedIn = ok(
      await verifySecondFactor(api, { challengeId: challenge.challengeId, recoveryCode: first }),
    ).verifySecondFactor;
    expect(await tokenWorks(api, signedIn.accessToken)).toBe(true);
    const notice = await mailTo(api, user.email, NOTICE);
    expect(notice.text).toMatch(/recovery code/i);
    expect(notice.text).toContain('9');

    const again = await mfaChallenge(api, user);
    const reused = await verifySecondFactor(api, {
      challengeId: again.challengeId,
      recoveryCode: first,
    });
    expect(errorCode(reused)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(reused)).toEqual([
      expect.objectContaining({ argument: 'input', field: 'recoveryCode' }),
    ]);

    const spelled = (second ?? '').replace(/-/g, '').toUpperCase();
    expect(
      (await verifySecondFactor(api, { challengeId: again.challengeId, recoveryCode: spelled }))
        .errors,
    ).toBeUndefined();

    const status = (await accountSecurity(api, signedIn.accessToken)).twoFactor;
    expect(status.recoveryCodesLeft).toBe(8);
    expect(status.recoveryCodeLastUsedAt).not.toBeNull();
  });

  it('once all 10 are used, MfaRequired offers only the app and the account page shows none left', async () => {
    const { user, totp } = await enrolledUser();
    let last: string | undefined;
    for (const recoveryCode of totp.recoveryCodes) {
      const { challengeId, methods } = await mfaChallenge(api, user);
      expect(methods).toEqual(['TOTP', 'RECOVERY_CODE']);
      last = ok(await verifySecondFactor(api, { challengeId, recoveryCode })).verifySecondFactor
        .accessToken;
    }
    const { methods } = await mfaChallenge(api, user);
    expect(methods).toEqual(['TOTP']);
    expect((await accountSecurity(api, last ?? '')).twoFactor.recoveryCodesLeft).toBe(0);
  });

  it('one recovery code sent on two sign-ins at the same moment signs in exactly once', async () => {
    const { user, totp } = await enrolledUser();
    const challenges = await Promise.all([1, 2].map(() => mfaChallenge(api, user)));
    const results = await Promise.all(
      challenges.map(({ challengeId }) =>
        verifySecondFactor(api, { challengeId, recoveryCode: totp.recoveryCodes[0] }),
      ),
    );
    expect(results.filter((result) => result.errors === undefined)).toHaveLength(1);
    expect(
      (await TotpFactorModel.findOne({ user: user._id }).lean())?.recoveryCodeHashes,
    ).toHaveLength(9);
  });

  it('another user’s recovery code does not work', async () => {
    const victim = await enrolledUser();
    const attacker = await enrolledUser();
    const { challengeId } = await mfaChallenge(api, victim.user);
    const result = await verifySecondFactor(api, {
      challengeId,
      recoveryCode: attacker.totp.recoveryCodes[0],
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(
      (await TotpFactorModel.findOne({ user: attacker.user._id }).lean())?.recoveryCodeHashes,
    ).toHaveLength(10);
  });

  it('regenerating replaces them all (the old ones stop working), shows 10 new ones once and sends a notice', async () => {
    const { user, totp, token } = await enrolledUser();
    await outboxSettled(api);
    api.mailbox.clear();
    const fresh = ok(
      await execute<{ regenerateRecoveryCodes: { codes: string[] } }>(
        api,
        OPS.regenerateRecoveryCodes,
        {},
        { token },
      ),
    ).regenerateRecoveryCodes.codes;
    expect(fresh).toHaveLength(10);
    for (const code of fresh) expect(code).toMatch(RECOVERY_CODE_FORMAT);
    expect(fresh.filter((code) => totp.recoveryCodes.includes(code))).toEqual([]);
    expect((await mailTo(api, user.email, NOTICE)).text).toMatch(/recovery codes/i);

    const { challengeId } = await mfaChallenge(api, user);
    expect(
      errorCode(
        await verifySecondFactor(api, { challengeId, recoveryCode: totp.recoveryCodes[0] }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      (await verifySecondFactor(api, { challengeId, recoveryCode: fresh[0] })).errors,
    ).toBeUndefined();
  });

  it('regenerating without two-factor on is refused', async () => {
    const { token } = await createSignedInUser(api);
    expect(errorCode(await execute(api, OPS.regenerateRecoveryCodes, {}, { token }))).toBe(
      'CONFLICT',
    );
  });
});

describe('turning two-factor off', () => {
  it('deletes the secret and the recovery codes, sends a notice; a password signs in alone again', async () => {
    const { user, token } = await enrolledUser();
    await outboxSettled(api);
    api.mailbox.clear();
    const off = ok(await execute<{ disableTotp: boolean }>(api, OPS.disableTotp, {}, { token }));
    expect(off.disableTotp).toBe(true);
    const notice = await mailTo(api, user.email, NOTICE);
    expect(notice.text).toMatch(/turned off/i);

    const stored = await TotpFactorModel.findOne({ user: user._id }).lean();
    expect(stored?.secret ?? null).toBeNull();
    expect(stored?.recoveryCodeHashes ?? []).toEqual([]);
    expect((await accountSecurity(api, token)).twoFactor).toMatchObject({
      enabled: false,
      recoveryCodesLeft: 0,
    });
    expect(ok(await passwordSignIn(api, user)).signIn.__typename).toBe('AuthPayload');

    const again = ok(await execute<{ disableTotp: boolean }>(api, OPS.disableTotp, {}, { token }));
    expect(again.disableTotp).toBe(false);
    await outboxSettled(api);
    expect(mailsTo(api, user.email).filter((mail) => NOTICE.test(mail.subject))).toHaveLength(1);
  });

  it('a challenge issued before two-factor was turned off cannot be completed with the old codes', async () => {
    await withTimeLeftInStep();
    const { user, totp, token } = await enrolledUser();
    await forgetUsedSteps(user._id);
    const { challengeId } = await mfaChallenge(api, user);
    ok(await execute(api, OPS.disableTotp, {}, { token }));
    const code = await verifySecondFactor(api, { challengeId, code: totpCode(totp.secret) });
    expect(errorCode(code)).toBe('BAD_USER_INPUT');
    const recovery = await verifySecondFactor(api, {
      challengeId,
      recoveryCode: totp.recoveryCodes[0],
    });
    expect(errorCode(recovery)).toBe('BAD_USER_INPUT');
  });
});

describe('two-factor after a Google sign-in', () => {
  const SIGN_PROVIDER = OPS.signProvider;

  async function googleUserWithTotp() {
    const signedIn = await createSignedInUser(api);
    const sub = randomBytes(8).toString('hex');
    const idToken = () =>
      provider.idToken({ sub, email: signedIn.user.email, email_verified: true });
    ok(
      await execute(
        api,
        `mutation Connect($input: ConnectProviderInput!) { connectProvider(input: $input) { id } }`,
        { input: { provider: 'GOOGLE', idToken: await idToken() } },
        { token: signedIn.token },
      ),
    );
    const totp = await enrolTotp(api, signedIn.token);
    return { ...signedIn, totp, idToken };
  }

  const googleSignIn = async (idToken: string) =>
    ok(
      await execute<{ signProvider: { __typename: string; challengeId?: string } }>(
        api,
        SIGN_PROVIDER,
        { input: { provider: 'GOOGLE', idToken } },
        asKey(api),
      ),
    ).signProvider;

  it('is off by default: Google signs in alone; once required, Google answers MfaRequired', async () => {
    await withTimeLeftInStep();
    const { user, token, totp, idToken } = await googleUserWithTotp();
    await forgetUsedSteps(user._id);
    expect((await googleSignIn(await idToken())).__typename).toBe('AuthPayload');

    const status = ok(
      await execute<{ setTwoFactorForProviders: { requiredForProviders: boolean } }>(
        api,
        OPS.setTwoFactorForProviders,
        { required: true },
        { token },
      ),
    ).setTwoFactorForProviders;
    expect(status.requiredForProviders).toBe(true);

    const asked = await googleSignIn(await idToken());
    expect(asked.__typename).toBe('MfaRequired');
    expect(
      (
        await verifySecondFactor(api, {
          challengeId: asked.challengeId ?? '',
          code: totpCode(totp.secret),
        })
      ).errors,
    ).toBeUndefined();
    // And the password path keeps asking, whatever the provider setting.
    expect(ok(await passwordSignIn(api, user)).signIn.__typename).toBe('MfaRequired');
  });

  it('an account taken over by the Google owner of its address loses the previous holder’s passkeys and two-factor (pre-account hijacking)', async () => {
    // A stranger registers the victim's address (never verified) with a password, a passkey and
    // two-factor required after Google, hoping to get back in or to lock the owner out.
    const email = `victim-${randomBytes(4).toString('hex')}@example.com`;
    const stranger = await createSignedInUser(api);
    await UserModel.updateOne({ _id: stranger.user._id }, { $set: { email } });
    const strangerKey = new SoftwareAuthenticator({ origin: api.config.publicOrigin });
    await addPasskey(api, stranger.token, strangerKey);
    await enrolTotp(api, stranger.token);
    ok(
      await execute(
        api,
        OPS.setTwoFactorForProviders,
        { required: true },
        { token: stranger.token },
      ),
    );

    const owner = await googleSignIn(
      await provider.idToken({ sub: randomBytes(8).toString('hex'), email, email_verified: true }),
    );
    // The owner gets in without the stranger's second factor...
    expect(owner.__typename).toBe('AuthPayload');
    // ...and the stranger's passkey and authenticator app are gone.
    expect(await PasskeyModel.countDocuments({ user: stranger.user._id })).toBe(0);
    expect(
      (await TotpFactorModel.findOne({ user: stranger.user._id }).lean())?.secret ?? null,
    ).toBeNull();
    const options = ok(
      await execute<{ passkeySignInOptions: PublicKeyCredentialRequestOptionsJSON }>(
        api,
        OPS.passkeySignInOptions,
        {},
        asKey(api),
      ),
    ).passkeySignInOptions;
    const replay = await execute(
      api,
      OPS.signInWithPasskey,
      { response: strangerKey.authenticate(options) },
      asKey(api),
    );
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
  });

  it('needs two-factor on first', async () => {
    const { token } = await createSignedInUser(api);
    expect(
      errorCode(await execute(api, OPS.setTwoFactorForProviders, { required: true }, { token })),
    ).toBe('CONFLICT');
  });
});

describe('accountSecurity', () => {
  it('shows every factor with its last use', async () => {
    const { token } = await enrolledUser();
    const security = await accountSecurity(api, token);
    expect(security.passwordLastUsedAt).not.toBeNull();
    expect(security.googleLastUsedAt).toBeNull();
    expect(security.passkeys).toEqual([]);
    expect(security.twoFactor.enabled).toBe(true);
    expect(security.twoFactor.lastUsedAt).not.toBeNull();
    expect(security.reauthenticationMethods).toEqual(
      expect.arrayContaining(['PASSWORD', 'TOTP', 'RECOVERY_CODE']),
    );
    expect(security.reauthenticationMethods).not.toContain('PASSKEY');
  });

  it('is UNAUTHENTICATED without a session', async () => {
    expect(errorCode(await execute(api, OPS.accountSecurity, {}, asKey(api)))).toBe(
      'UNAUTHENTICATED',
    );
  });
});
