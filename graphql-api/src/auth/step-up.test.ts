import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import type { OperationResult } from '../../test/execute-operation';
import {
  accountSecurity,
  addPasskey,
  ageLastSignIn,
  asKey,
  enrolTotp,
  freshIp,
  mfaChallenge,
  ok,
  OPS,
  passwordSignIn,
  reauthenticate,
  reauthenticationOptions,
  sessionIdOf,
  tokenWorks,
  verifySecondFactor,
} from '../../test/factor-flows';
import type { AuthData } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { SoftwareAuthenticator } from '../../test/software-authenticator';
import { totpCode, withTimeLeftInStep, wrongTotpCode } from '../../test/totp-codes';
import { TotpFactorModel } from '../mfa';
import { startOAuth2TestProvider } from '../oauth2-test-provider';
import type { OAuth2TestProvider } from '../oauth2-test-provider';
import { PasskeyModel } from '../passkeys';
import { SessionModel } from '../sessions';
import type { TestApi } from '../testing';
import { UserModel } from '../users';

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

const FIVE_MINUTES = 5 * 60 * 1000;
const CONNECT = `mutation Connect($input: ConnectProviderInput!) {
  connectProvider(input: $input) { id providers }
}`;
const DISCONNECT = `mutation { disconnectProvider(provider: GOOGLE) { id providers } }`;
const REVOKE_OTHERS = `mutation { revokeOtherSessions }`;
const CHANGE_PASSWORD = `mutation Change($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) { accessToken }
}`;
const CHANGE_EMAIL = `mutation Change($newEmail: String!, $currentPassword: String!) {
  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)
}`;

type SignedIn = Awaited<ReturnType<typeof createSignedInUser>>;

/** A sensitive operation: set up what it needs (window open), run it, and check it did nothing. */
interface SensitiveOperation {
  name: string;
  prepare(signedIn: SignedIn): Promise<{
    run(): Promise<OperationResult<unknown>>;
    /** Asserts the refused run changed nothing. */
    unchanged(): Promise<void>;
  }>;
}

const googleSubject = () => randomBytes(8).toString('hex');

async function connectGoogle({ user, token }: SignedIn): Promise<void> {
  ok(
    await execute(
      api,
      CONNECT,
      {
        input: {
          provider: 'GOOGLE',
          idToken: await provider.idToken({ sub: googleSubject(), email: user.email }),
        },
      },
      { token },
    ),
  );
}

async function providersOf(userId: unknown): Promise<string[]> {
  const user = await UserModel.findById(userId).lean();
  return (user?.providers ?? []).map((linked) => String(linked.provider));
}

const OPERATIONS: SensitiveOperation[] = [
  {
    name: 'connectProvider',
    async prepare({ user, token }) {
      const idToken = await provider.idToken({ sub: googleSubject(), email: user.email });
      return {
        run: () => execute(api, CONNECT, { input: { provider: 'GOOGLE', idToken } }, { token }),
        unchanged: async () => expect(await providersOf(user._id)).toEqual([]),
      };
    },
  },
  {
    name: 'disconnectProvider',
    async prepare(signedIn) {
      await connectGoogle(signedIn);
      return {
        run: () => execute(api, DISCONNECT, {}, { token: signedIn.token }),
        unchanged: async () => expect(await providersOf(signedIn.user._id)).toEqual(['GOOGLE']),
      };
    },
  },
  {
    name: 'removePasskey',
    async prepare({ user, token }) {
      const { passkey } = await addPasskey(
        api,
        token,
        new SoftwareAuthenticator({ origin: api.config.publicOrigin }),
      );
      return {
        run: () => execute(api, OPS.removePasskey, { id: passkey.id }, { token }),
        unchanged: async () =>
          expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(1),
      };
    },
  },
  {
    name: 'disableTotp',
    async prepare({ user, token }) {
      await enrolTotp(api, token);
      return {
        run: () => execute(api, OPS.disableTotp, {}, { token }),
        unchanged: async () =>
          expect((await TotpFactorModel.findOne({ user: user._id }).lean())?.secret).toBeTruthy(),
      };
    },
  },
  {
    name: 'regenerateRecoveryCodes',
    async prepare({ user, token }) {
      await enrolTotp(api, token);
      const before = (await TotpFactorModel.findOne({ user: user._id }).lean())?.recoveryCodeHashes;
      return {
        run: () => execute(api, OPS.regenerateRecoveryCodes, {}, { token }),
        unchanged: async () =>
          expect(
            (await TotpFactorModel.findOne({ user: user._id }).lean())?.recoveryCodeHashes,
          ).toEqual(before),
      };
    },
  },
  {
    name: 'setTwoFactorForProviders',
    async prepare({ user, token }) {
      await enrolTotp(api, token);
      return {
        run: () => execute(api, OPS.setTwoFactorForProviders, { required: true }, { token }),
        unchanged: async () =>
          expect(
            (await TotpFactorModel.findOne({ user: user._id }).lean())?.requiredForProviders,
          ).toBe(false),
      };
    },
  },
  {
    name: 'startTotpEnrollment',
    async prepare({ user, token }) {
      return {
        run: () => execute(api, OPS.startTotpEnrollment, {}, { token }),
        unchanged: async () =>
          expect(
            (await TotpFactorModel.findOne({ user: user._id }).lean())?.pendingSecret ?? null,
          ).toBeNull(),
      };
    },
  },
  {
    name: 'passkeyRegistrationOptions',
    async prepare({ token }) {
      return {
        run: () => execute(api, OPS.passkeyRegistrationOptions, {}, { token }),
        // Refused options hand out no challenge: nothing to check beyond the error.
        unchanged: async () => undefined,
      };
    },
  },
  {
    name: 'revokeOtherSessions',
    async prepare({ user, token }) {
      const other = ok(await passwordSignIn(api, user)).signIn as AuthData;
      return {
        run: () => execute(api, REVOKE_OTHERS, {}, { token }),
        unchanged: async () => expect(await tokenWorks(api, other.accessToken)).toBe(true),
      };
    },
  },
];

/** A password user signed in just now (its step-up window open). */
const stepUpUser = (): Promise<SignedIn> => createSignedInUser(api);

describe('step-up (re-authentication) before sensitive changes', () => {
  it.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    '%s: REAUTHENTICATION_REQUIRED (with the methods) after 5 minutes, changing nothing; reauthenticate opens it again',
    async (_name, operation) => {
      const signedIn = await stepUpUser();
      const { run, unchanged } = await operation.prepare(signedIn);
      await ageLastSignIn(signedIn.token);

      const refused = await run();
      expect(errorCode(refused)).toBe('REAUTHENTICATION_REQUIRED');
      expect(firstError(refused).extensions?.methods).toEqual(expect.arrayContaining(['PASSWORD']));
      await unchanged();
      expect((await accountSecurity(api, signedIn.token)).reauthenticatedUntil).toBeNull();

      const until = ok(
        await reauthenticate(api, signedIn.token, { password: signedIn.user.password }),
      ).reauthenticate;
      const opensFor = new Date(until).getTime() - Date.now();
      expect(opensFor).toBeGreaterThan(FIVE_MINUTES - 60_000);
      expect(opensFor).toBeLessThanOrEqual(FIVE_MINUTES);
      expect((await accountSecurity(api, signedIn.token)).reauthenticatedUntil).toBe(until);

      expect((await run()).errors).toBeUndefined();
    },
  );

  it('is open right after signing in, up to 5 minutes, and closed after', async () => {
    const { token } = await stepUpUser();
    expect((await accountSecurity(api, token)).reauthenticatedUntil).not.toBeNull();
    await ageLastSignIn(token, FIVE_MINUTES - 20_000);
    expect(
      (await execute(api, OPS.passkeyRegistrationOptions, {}, { token })).errors,
    ).toBeUndefined();
    await ageLastSignIn(token, FIVE_MINUTES + 1_000);
    expect(errorCode(await execute(api, OPS.passkeyRegistrationOptions, {}, { token }))).toBe(
      'REAUTHENTICATION_REQUIRED',
    );
  });

  it('a session without a recorded sign-in event (made before this change) must re-authenticate', async () => {
    const { user, token } = await stepUpUser();
    await SessionModel.updateOne({ _id: sessionIdOf(token) }, { $unset: { authenticatedAt: 1 } });
    expect(errorCode(await execute(api, REVOKE_OTHERS, {}, { token }))).toBe(
      'REAUTHENTICATION_REQUIRED',
    );
    ok(await reauthenticate(api, token, { password: user.password }));
    expect((await execute(api, REVOKE_OTHERS, {}, { token })).errors).toBeUndefined();
  });

  it('a refresh keeps the session but is no sign-in event: the window stays closed', async () => {
    const { user } = await stepUpUser();
    const session = ok(await passwordSignIn(api, user)).signIn as AuthData;
    await ageLastSignIn(session.accessToken);
    const refreshed = ok(
      await execute<{ refreshSession: AuthData }>(
        api,
        OPS.refreshSession,
        { refreshToken: session.refreshToken },
        asKey(api),
      ),
    ).refreshSession;
    expect(errorCode(await execute(api, REVOKE_OTHERS, {}, { token: refreshed.accessToken }))).toBe(
      'REAUTHENTICATION_REQUIRED',
    );
  });

  it('reauthenticate opens only the calling session', async () => {
    const { user, token: first } = await stepUpUser();
    const second = (ok(await passwordSignIn(api, user)).signIn as AuthData).accessToken;
    const third = (ok(await passwordSignIn(api, user)).signIn as AuthData).accessToken;
    for (const token of [first, second, third]) await ageLastSignIn(token);
    // The middle one, so neither the oldest nor the newest session can pass by chance.
    ok(await reauthenticate(api, second, { password: user.password }));
    const opens = async (token: string) =>
      (await execute(api, OPS.passkeyRegistrationOptions, {}, { token })).errors === undefined;
    expect(await opens(first)).toBe(false);
    expect(await opens(second)).toBe(true);
    expect(await opens(third)).toBe(false);
  });

  it('a wrong password is BAD_USER_INPUT on input.password and leaves the window closed; guessing is rate limited', async () => {
    const { user, token } = await stepUpUser();
    await ageLastSignIn(token);
    const ip = freshIp();
    const wrong = await execute(
      api,
      OPS.reauthenticate,
      { input: { password: 'not my password at all' } },
      { token, ip },
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(firstError(wrong).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'input', field: 'password' }),
    ]);
    expect((await accountSecurity(api, token)).reauthenticatedUntil).toBeNull();
    expect(
      (await SessionModel.findOne({ user: user._id }).lean())?.authenticatedAt?.getTime(),
    ).toBeLessThan(Date.now() - FIVE_MINUTES);

    const codes: unknown[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      codes.push(
        errorCode(
          await execute(
            api,
            OPS.reauthenticate,
            { input: { password: `wrong guess ${attempt}` } },
            { token, ip },
          ),
        ),
      );
    }
    expect(codes).toContain('RATE_LIMITED');
    // Refused guesses never opened the window.
    expect((await accountSecurity(api, token)).reauthenticatedUntil).toBeNull();
  });

  it('answers REAUTHENTICATION_REQUIRED over HTTP with 200 (the session is fine), not 401', async () => {
    const { token } = await stepUpUser();
    await ageLastSignIn(token);
    const response = await request(api.api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('Authorization', `Bearer ${token}`)
      .send(JSON.stringify({ query: REVOKE_OTHERS }));
    expect(response.status).toBe(200);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('REAUTHENTICATION_REQUIRED');
    expect(await tokenWorks(api, token)).toBe(true);
  });

  it('wrong codes to reauthenticate count toward the account’s second-factor lockout', async () => {
    const { user, token } = await stepUpUser();
    const totp = await enrolTotp(api, token);
    await ageLastSignIn(token);
    const wrong = wrongTotpCode(totp.secret);
    const { perUser } = api.config.secondFactorLimits;
    for (let attempt = 0; attempt < perUser; attempt += 1) {
      expect(errorCode(await reauthenticate(api, token, { code: wrong }))).toBe('BAD_USER_INPUT');
    }
    expect(errorCode(await reauthenticate(api, token, { code: wrong }))).toBe('RATE_LIMITED');
    // The sign-in's second step is locked too: one budget for the account.
    const { challengeId } = await mfaChallenge(api, user);
    expect(
      errorCode(
        await verifySecondFactor(api, { challengeId, recoveryCode: totp.recoveryCodes[0] }),
      ),
    ).toBe('RATE_LIMITED');
  });

  it('takes exactly one proof', async () => {
    const { user, token } = await stepUpUser();
    for (const input of [{}, { password: user.password, code: '123456' }]) {
      expect(errorCode(await reauthenticate(api, token, input))).toBe('BAD_USER_INPUT');
    }
    expect(
      errorCode(await execute(api, OPS.reauthenticate, { input: { password: 'x' } }, asKey(api))),
    ).toBe('UNAUTHENTICATED');
  });

  it('with a two-factor code, each code once', async () => {
    await withTimeLeftInStep();
    const { token } = await stepUpUser();
    const totp = await enrolTotp(api, token);
    await ageLastSignIn(token);
    expect(
      firstError(await execute(api, OPS.disableTotp, {}, { token })).extensions?.methods,
    ).toEqual(expect.arrayContaining(['PASSWORD', 'TOTP', 'RECOVERY_CODE']));

    // The code that confirmed the enrolment is used already.
    const reused = await reauthenticate(api, token, { code: totp.confirmedWith });
    expect(errorCode(reused)).toBe('BAD_USER_INPUT');
    expect(firstError(reused).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'input', field: 'code' }),
    ]);
    const next = totpCode(totp.secret, { stepOffset: 1 });
    ok(await reauthenticate(api, token, { code: next }));
    expect((await execute(api, OPS.regenerateRecoveryCodes, {}, { token })).errors).toBeUndefined();

    // A code opens the window once: replayed later, it is refused and the window stays shut.
    await ageLastSignIn(token);
    expect(errorCode(await reauthenticate(api, token, { code: next }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await execute(api, OPS.regenerateRecoveryCodes, {}, { token }))).toBe(
      'REAUTHENTICATION_REQUIRED',
    );
  });

  it('with a recovery code, which is then used up', async () => {
    const { user, token } = await stepUpUser();
    const totp = await enrolTotp(api, token);
    await ageLastSignIn(token);
    const [code] = totp.recoveryCodes;
    ok(await reauthenticate(api, token, { recoveryCode: code }));
    expect(
      (await execute(api, OPS.setTwoFactorForProviders, { required: false }, { token })).errors,
    ).toBeUndefined();
    expect(
      (await TotpFactorModel.findOne({ user: user._id }).lean())?.recoveryCodeHashes,
    ).toHaveLength(9);
    await ageLastSignIn(token);
    const again = await reauthenticate(api, token, { recoveryCode: code });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(firstError(again).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'input', field: 'recoveryCode' }),
    ]);
  });

  it('another user’s code or recovery code does not open the window', async () => {
    await withTimeLeftInStep();
    const victim = await stepUpUser();
    const victimTotp = await enrolTotp(api, victim.token);
    const attacker = await stepUpUser();
    const attackerTotp = await enrolTotp(api, attacker.token);
    await ageLastSignIn(victim.token);
    const code = totpCode(attackerTotp.secret, { stepOffset: 1 });
    const withTheirCode = await reauthenticate(api, victim.token, { code });
    // (unless both secrets happen to share this step's code: one chance in a million)
    if (code !== totpCode(victimTotp.secret, { stepOffset: 1 })) {
      expect(errorCode(withTheirCode)).toBe('BAD_USER_INPUT');
    }
    expect(
      errorCode(
        await reauthenticate(api, victim.token, { recoveryCode: attackerTotp.recoveryCodes[0] }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect((await accountSecurity(api, victim.token)).reauthenticatedUntil).toBeNull();
  });

  it('with a passkey: this session’s challenge, this user’s passkey, once', async () => {
    const { user, token } = await stepUpUser();
    const authenticator = new SoftwareAuthenticator({ origin: api.config.publicOrigin });
    const { passkey, credentialId } = await addPasskey(api, token, authenticator);
    await ageLastSignIn(token);
    const options = await reauthenticationOptions(api, token);
    expect(options.allowCredentials?.map((descriptor) => descriptor.id)).toEqual([credentialId]);

    const response = authenticator.authenticate(options);
    const until = ok(
      await reauthenticate(api, token, { passkeyResponse: response }),
    ).reauthenticate;
    expect(new Date(until).getTime()).toBeGreaterThan(Date.now() + FIVE_MINUTES - 60_000);
    expect((await PasskeyModel.findById(passkey.id).lean())?.lastUsedAt).not.toBeNull();

    await ageLastSignIn(token);
    const replay = await reauthenticate(api, token, { passkeyResponse: response });
    expect(errorCode(replay)).toBe('BAD_USER_INPUT');
    expect(firstError(replay).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'input', field: 'passkeyResponse' }),
    ]);

    // The same person's other session cannot answer this session's challenge.
    const other = ok(await passwordSignIn(api, user)).signIn as AuthData;
    await ageLastSignIn(other.accessToken);
    const foreign = authenticator.authenticate(await reauthenticationOptions(api, token));
    expect(
      errorCode(await reauthenticate(api, other.accessToken, { passkeyResponse: foreign })),
    ).toBe('BAD_USER_INPUT');
    expect((await accountSecurity(api, other.accessToken)).reauthenticatedUntil).toBeNull();
  });

  it('another user’s passkey does not open the window, and a sign-in challenge is not a re-authentication one', async () => {
    const victim = await stepUpUser();
    const victimKey = new SoftwareAuthenticator({ origin: api.config.publicOrigin });
    await addPasskey(api, victim.token, victimKey);
    const attacker = await stepUpUser();
    const attackerKey = new SoftwareAuthenticator({ origin: api.config.publicOrigin });
    const mine = await addPasskey(api, attacker.token, attackerKey);
    await ageLastSignIn(victim.token);

    const options = await reauthenticationOptions(api, victim.token);
    const response = attackerKey.authenticate(options, { credentialId: mine.credentialId });
    expect(errorCode(await reauthenticate(api, victim.token, { passkeyResponse: response }))).toBe(
      'BAD_USER_INPUT',
    );

    const signInOptions = ok(
      await execute<{ passkeySignInOptions: { challenge: string } }>(
        api,
        OPS.passkeySignInOptions,
        {},
        asKey(api),
      ),
    ).passkeySignInOptions;
    const wrongPurpose = victimKey.authenticate({ ...options, challenge: signInOptions.challenge });
    expect(
      errorCode(await reauthenticate(api, victim.token, { passkeyResponse: wrongPurpose })),
    ).toBe('BAD_USER_INPUT');
    expect((await accountSecurity(api, victim.token)).reauthenticatedUntil).toBeNull();
  });

  it('signing in with a second factor is a sign-in event: the window is open after verifySecondFactor', async () => {
    await withTimeLeftInStep();
    const { user, token } = await stepUpUser();
    const totp = await enrolTotp(api, token);
    const { challengeId } = await mfaChallenge(api, user);
    const session = ok(
      await verifySecondFactor(api, {
        challengeId,
        code: totpCode(totp.secret, { stepOffset: 1 }),
      }),
    ).verifySecondFactor;
    expect(
      (await execute(api, OPS.regenerateRecoveryCodes, {}, { token: session.accessToken })).errors,
    ).toBeUndefined();
  });

  it('lists the methods the account has: a passkey adds PASSKEY', async () => {
    const { token } = await stepUpUser();
    await addPasskey(api, token, new SoftwareAuthenticator({ origin: api.config.publicOrigin }));
    await ageLastSignIn(token);
    const refused = await execute(api, REVOKE_OTHERS, {}, { token });
    expect(errorCode(refused)).toBe('REAUTHENTICATION_REQUIRED');
    const methods = firstError(refused).extensions?.methods as string[];
    expect(methods).toEqual(expect.arrayContaining(['PASSWORD', 'PASSKEY']));
    expect(methods).not.toContain('TOTP');
    expect((await accountSecurity(api, token)).reauthenticationMethods).toEqual(methods);
  });

  it('changePassword and changeEmail keep their own proof: the current password, in the same request', async () => {
    const { user, token } = await stepUpUser();
    await ageLastSignIn(token);
    const email = await execute(
      api,
      CHANGE_EMAIL,
      {
        newEmail: `moved-${randomBytes(4).toString('hex')}@example.com`,
        currentPassword: user.password,
      },
      { token },
    );
    expect(email.errors).toBeUndefined();
    const password = await execute(
      api,
      CHANGE_PASSWORD,
      { currentPassword: user.password, newPassword: 'quiet orbit lantern moss' },
      { token },
    );
    expect(password.errors).toBeUndefined();
    const wrong = await execute(
      api,
      CHANGE_PASSWORD,
      { currentPassword: 'not it at all', newPassword: 'another quite fine phrase' },
      {
        token: (password.data as { changePassword: { accessToken: string } }).changePassword
          .accessToken,
      },
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
  });
});
