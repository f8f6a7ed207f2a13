import { trusted } from 'mongoose';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { createSignedInUser, createUser, signIn, unique } from '../../test/factories';
import { linkToken, mailTo, mailsTo, outboxSettled } from '../../test/mail-helpers';
import { AccountTokenModel, AccountTokenPurpose } from '../account-tokens';
import { OutboxMessageModel } from '../mail';
import { SessionModel } from '../sessions';
import type { TestApi } from '../testing';
import { UserModel } from '../users';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const STRONG = 'violet harbor tangerine';
const OTHER_STRONG = 'quiet orbit lantern moss';

const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { id email emailVerified }
}`;
const ME = `{ me { id email emailVerified hasPassword } }`;
const VERIFY = `mutation Verify($token: String!) { verifyEmail(token: $token) { id email emailVerified } }`;
const RESEND = `mutation { requestEmailVerification }`;
const REQUEST_RESET = `mutation Reset($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation Reset($token: String!, $newPassword: String!) {
  resetPassword(token: $token, newPassword: $newPassword)
}`;
const CHANGE_PASSWORD = `mutation Change($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
    accessToken refreshToken user { id }
  }
}`;
const CHANGE_EMAIL = `mutation Change($newEmail: String!, $currentPassword: String!) {
  changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)
}`;
const CONFIRM_EMAIL = `mutation Confirm($token: String!) {
  confirmEmailChange(token: $token) { id email emailVerified }
}`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }`;

const asKey = () => ({ apiKey: api.publicApiKey });

async function signUp(email: string, password = STRONG) {
  const result = await execute<{ signUp: { id: string; email: string; emailVerified: boolean } }>(
    api,
    SIGN_UP,
    { input: { name: 'Ada Lovelace', email, password } },
    { ...asKey(), ip: `10.40.${Math.floor(Math.random() * 250)}.1` },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.signUp;
}

/** Whether this access token still opens the API (a revoked session fails the whole request). */
async function tokenWorks(token: string): Promise<boolean> {
  try {
    const result = await execute<{ me: { id: string } }>(api, ME, {}, { token });
    return Boolean(result.data?.me);
  } catch (error) {
    expect(error).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    return false;
  }
}

async function passwordSignsIn(email: string, password: string): Promise<boolean> {
  const result = await execute(
    api,
    SIGN_IN,
    { input: { email, password } },
    { ...asKey(), ip: `10.41.${Math.floor(Math.random() * 250)}.1` },
  );
  return result.errors === undefined;
}

describe('e-mail verification', () => {
  it('signUp mails a verification link (text and HTML, lifetime, what to do); the link verifies once', async () => {
    const email = `${unique('verify')}@example.com`;
    const user = await signUp(email);
    expect(user?.emailVerified).toBe(false);

    const mail = await mailTo(api, email, /confirm/i);
    expect(mail.text).toContain('24 hours');
    expect(mail.text).toContain('Movie catalog');
    expect(mail.text).toMatch(/did not|didn't|wasn't you/i);
    expect(mail.html).toContain('/verify-email?token=');
    const token = linkToken(api, mail, '/verify-email');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    const stored = await AccountTokenModel.findOne({ user: user?.id }).lean();
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);

    const verified = await execute<{ verifyEmail: { emailVerified: boolean } }>(
      api,
      VERIFY,
      { token },
      asKey(),
    );
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.verifyEmail.emailVerified).toBe(true);

    const again = await execute(api, VERIFY, { token }, asKey());
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(firstError(again).extensions?.fields).toEqual([
      { argument: 'token', field: '', constraints: { accountToken: expect.any(String) } },
    ]);
  });

  it('refuses garbage, another purpose’s token and an expired token, changing nothing', async () => {
    const email = `${unique('verify-bad')}@example.com`;
    const user = await signUp(email);
    const verifyToken = linkToken(api, await mailTo(api, email, /confirm/i), '/verify-email');
    await execute(api, REQUEST_RESET, { email }, asKey());
    const resetToken = linkToken(api, await mailTo(api, email, /reset/i), '/reset-password');

    for (const token of ['', 'x'.repeat(101), 'not-a-token', resetToken]) {
      const result = await execute(api, VERIFY, { token }, asKey());
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
    }
    // The reset token was not used up by being tried as a verification token.
    expect(
      await AccountTokenModel.countDocuments({
        user: user?.id,
        purpose: AccountTokenPurpose.ResetPassword,
      }),
    ).toBe(1);

    await AccountTokenModel.updateOne(
      { user: user?.id, purpose: AccountTokenPurpose.VerifyEmail },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    expect(errorCode(await execute(api, VERIFY, { token: verifyToken }, asKey()))).toBe(
      'BAD_USER_INPUT',
    );
    expect((await UserModel.findById(user?.id).lean())?.emailVerified).toBe(false);
  });

  it('needs a key with signin:auth (a user token alone cannot verify links)', async () => {
    const { token } = await createSignedInUser(api);
    const result = await execute(api, VERIFY, { token: 'a'.repeat(43) }, { token });
    expect(errorCode(result)).toBe('FORBIDDEN');
  });

  it('requestEmailVerification resends a link that replaces the older one; false once verified', async () => {
    const email = `${unique('resend')}@example.com`;
    await signUp(email);
    const first = linkToken(api, await mailTo(api, email, /confirm/i), '/verify-email');
    const { accessToken } = await signIn(api, { email, password: STRONG });

    api.mailbox.clear();
    const resent = await execute<{ requestEmailVerification: boolean }>(
      api,
      RESEND,
      {},
      {
        token: accessToken,
      },
    );
    expect(resent.data?.requestEmailVerification).toBe(true);
    const second = linkToken(api, await mailTo(api, email, /confirm/i), '/verify-email');
    expect(second).not.toBe(first);

    expect(errorCode(await execute(api, VERIFY, { token: first }, asKey()))).toBe('BAD_USER_INPUT');
    expect((await execute(api, VERIFY, { token: second }, asKey())).errors).toBeUndefined();

    const done = await execute<{ requestEmailVerification: boolean }>(
      api,
      RESEND,
      {},
      {
        token: accessToken,
      },
    );
    expect(done.data?.requestEmailVerification).toBe(false);
    expect(errorCode(await execute(api, RESEND, {}, asKey()))).toBe('UNAUTHENTICATED');
  });

  it('a verification link proves only the address it was sent to', async () => {
    const email = `${unique('moved')}@example.com`;
    const user = await signUp(email);
    const token = linkToken(api, await mailTo(api, email, /confirm/i), '/verify-email');
    await UserModel.updateOne(
      { _id: user?.id },
      { $set: { email: `${unique('elsewhere')}@example.com` } },
    );
    expect(errorCode(await execute(api, VERIFY, { token }, asKey()))).toBe('BAD_USER_INPUT');
    expect((await UserModel.findById(user?.id).lean())?.emailVerified).toBe(false);
  });

  it('limits resend requests per address (RATE_LIMITED with the wait)', async () => {
    const { token, user } = await createSignedInUser(api);
    const results = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      results.push(await execute(api, RESEND, {}, { token, ip: `10.42.0.${attempt}` }));
    }
    expect(results.slice(0, 5).every((result) => result.errors === undefined)).toBe(true);
    expect(errorCode(results[5] ?? { data: null, errors: undefined })).toBe('RATE_LIMITED');
    expect(
      firstError(results[5] ?? { data: null, errors: undefined }).extensions?.retryAfter,
    ).toBeGreaterThan(0);
    await outboxSettled(api);
    expect(mailsTo(api, user.email).length).toBeLessThanOrEqual(5);
  });
});

describe('password reset', () => {
  it('answers true for any address; only an existing account gets a mail', async () => {
    const user = await createUser(api);
    const nobody = `${unique('nobody')}@example.com`;
    for (const email of [user.email, nobody]) {
      const result = await execute<{ requestPasswordReset: boolean }>(
        api,
        REQUEST_RESET,
        { email },
        {
          ...asKey(),
          ip: '10.43.0.1',
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.requestPasswordReset).toBe(true);
    }
    const mail = await mailTo(api, user.email, /reset/i);
    expect(mail.text).toContain('30 minutes');
    await outboxSettled(api);
    expect(mailsTo(api, nobody)).toEqual([]);
    // Both requests did the same work: one outbox message each; the unknown one was skipped.
    const messages = await OutboxMessageModel.find({
      to: trusted({ $in: [user.email, nobody] }),
    }).lean();
    expect(messages.map((message) => [message.to, message.status]).sort()).toEqual(
      [
        [nobody, 'skipped'],
        [user.email, 'sent'],
      ].sort(),
    );
  });

  it('resets: new password works, the old one and every session end, the address is verified', async () => {
    const email = `${unique('reset')}@example.com`;
    await signUp(email);
    const sessionA = await signIn(api, { email, password: STRONG });
    const sessionB = await signIn(api, { email, password: STRONG }, api.publicApiKey, true);
    await execute(api, REQUEST_RESET, { email }, asKey());
    const token = linkToken(api, await mailTo(api, email, /reset/i), '/reset-password');

    const result = await execute<{ resetPassword: boolean }>(
      api,
      RESET,
      { token, newPassword: OTHER_STRONG },
      asKey(),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.resetPassword).toBe(true);

    expect(await tokenWorks(sessionA.accessToken)).toBe(false);
    expect(await tokenWorks(sessionB.accessToken)).toBe(false);
    expect(await passwordSignsIn(email, STRONG)).toBe(false);
    expect(await passwordSignsIn(email, OTHER_STRONG)).toBe(true);
    expect((await UserModel.findOne({ email }).lean())?.emailVerified).toBe(true);
    expect((await mailTo(api, email, /password was changed/i)).text).toContain('/forgot-password');

    // Single use.
    const again = await execute(
      api,
      RESET,
      { token, newPassword: 'another quite fine phrase' },
      asKey(),
    );
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
  });

  it('a weak new password is BAD_USER_INPUT with the feedback, and the link still works', async () => {
    const user = await createUser(api);
    await execute(api, REQUEST_RESET, { email: user.email }, asKey());
    const token = linkToken(api, await mailTo(api, user.email, /reset/i), '/reset-password');
    const weak = await execute(api, RESET, { token, newPassword: 'password1' }, asKey());
    expect(errorCode(weak)).toBe('BAD_USER_INPUT');
    expect(firstError(weak).extensions?.fields).toEqual([
      {
        argument: 'newPassword',
        field: '',
        constraints: { passwordStrength: expect.stringMatching(/common|guess/i) },
      },
    ]);
    expect(
      (await execute(api, RESET, { token, newPassword: OTHER_STRONG }, asKey())).errors,
    ).toBeUndefined();
  });

  it('one token used twice at the same moment succeeds exactly once', async () => {
    const user = await createUser(api);
    await execute(api, REQUEST_RESET, { email: user.email }, asKey());
    const token = linkToken(api, await mailTo(api, user.email, /reset/i), '/reset-password');
    const results = await Promise.all(
      ['first racing phrase ok', 'second racing phrase ok', 'third racing phrase ok'].map(
        (newPassword) => execute(api, RESET, { token, newPassword }, asKey()),
      ),
    );
    const winners = results.filter((result) => result.errors === undefined);
    expect(winners).toHaveLength(1);
    const losers = results.filter((result) => result.errors !== undefined);
    expect(losers.map((result) => errorCode(result))).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('an expired reset link is refused', async () => {
    const user = await createUser(api);
    await execute(api, REQUEST_RESET, { email: user.email }, asKey());
    const token = linkToken(api, await mailTo(api, user.email, /reset/i), '/reset-password');
    await AccountTokenModel.updateOne(
      { user: user._id, purpose: AccountTokenPurpose.ResetPassword },
      { $set: { expiresAt: new Date(Date.now() - 1) } },
    );
    expect(
      errorCode(await execute(api, RESET, { token, newPassword: OTHER_STRONG }, asKey())),
    ).toBe('BAD_USER_INPUT');
    expect(await passwordSignsIn(user.email, user.password)).toBe(true);
  });

  it('a newer request replaces the older link', async () => {
    const user = await createUser(api);
    await execute(api, REQUEST_RESET, { email: user.email }, asKey());
    const first = linkToken(api, await mailTo(api, user.email, /reset/i), '/reset-password');
    api.mailbox.clear();
    await execute(api, REQUEST_RESET, { email: user.email }, asKey());
    const second = linkToken(api, await mailTo(api, user.email, /reset/i), '/reset-password');
    expect(
      errorCode(await execute(api, RESET, { token: first, newPassword: OTHER_STRONG }, asKey())),
    ).toBe('BAD_USER_INPUT');
    expect(
      (await execute(api, RESET, { token: second, newPassword: OTHER_STRONG }, asKey())).errors,
    ).toBeUndefined();
  });

  it('limits reset requests per address and per IP', async () => {
    const email = `${unique('flood')}@example.com`;
    const perEmail = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      perEmail.push(
        await execute(api, REQUEST_RESET, { email }, { ...asKey(), ip: `10.44.0.${attempt}` }),
      );
    }
    expect(errorCode(perEmail[5] ?? { data: null, errors: undefined })).toBe('RATE_LIMITED');

    const ip = '10.45.0.1';
    const perIp = [];
    for (let attempt = 0; attempt < 31; attempt += 1) {
      perIp.push(
        await execute(
          api,
          REQUEST_RESET,
          { email: `${unique('spray')}@example.com` },
          { ...asKey(), ip },
        ),
      );
    }
    expect(perIp.slice(0, 30).every((result) => result.errors === undefined)).toBe(true);
    expect(errorCode(perIp[30] ?? { data: null, errors: undefined })).toBe('RATE_LIMITED');
  });
});

describe('changePassword', () => {
  it('checks the current password, ends every session and returns a new one for this device', async () => {
    const user = await createUser(api);
    const current = await signIn(api, user, api.publicApiKey, true);
    const other = await signIn(api, user);

    const wrong = await execute(
      api,
      CHANGE_PASSWORD,
      { currentPassword: 'not it at all', newPassword: OTHER_STRONG },
      { token: current.accessToken },
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(firstError(wrong).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'currentPassword' }),
    ]);
    expect(await tokenWorks(current.accessToken)).toBe(true);

    const changed = await execute<{
      changePassword: { accessToken: string; refreshToken: string };
    }>(
      api,
      CHANGE_PASSWORD,
      { currentPassword: user.password, newPassword: OTHER_STRONG },
      { token: current.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    const fresh = changed.data?.changePassword;
    expect(await tokenWorks(fresh?.accessToken ?? '')).toBe(true);
    expect(await tokenWorks(current.accessToken)).toBe(false);
    expect(await tokenWorks(other.accessToken)).toBe(false);
    // The new session keeps "remember me" and the key's scopes of the one it replaces.
    const session = await SessionModel.findOne({ user: user._id, revokedAt: null }).lean();
    expect(session?.rememberMe).toBe(true);
    expect(session?.keyScopes).toContain('read:movies');
    expect(await passwordSignsIn(user.email, user.password)).toBe(false);
    expect(await passwordSignsIn(user.email, OTHER_STRONG)).toBe(true);
    expect((await mailTo(api, user.email, /password was changed/i)).html).toContain(
      'Movie catalog',
    );
  });

  it('refuses a weak new password and an account without a password', async () => {
    const { token, user } = await createSignedInUser(api);
    const weak = await execute(
      api,
      CHANGE_PASSWORD,
      { currentPassword: user.password, newPassword: 'qwertyuiop' },
      { token },
    );
    expect(errorCode(weak)).toBe('BAD_USER_INPUT');
    expect(await tokenWorks(token)).toBe(true);

    await UserModel.updateOne(
      { _id: user._id },
      { $unset: { passwordHash: 1 }, $set: { hasPassword: false } },
    );
    const none = await execute(
      api,
      CHANGE_PASSWORD,
      { currentPassword: 'anything at all', newPassword: OTHER_STRONG },
      { token },
    );
    expect(errorCode(none)).toBe('BAD_USER_INPUT');
    expect(firstError(none).extensions?.fields).toEqual([
      expect.objectContaining({
        argument: 'currentPassword',
        constraints: { noPassword: expect.any(String) },
      }),
    ]);
  });

  it('wrong current passwords count as failed sign-ins', async () => {
    const { token, user } = await createSignedInUser(api);
    let last;
    for (let attempt = 0; attempt < 11; attempt += 1) {
      last = await execute(
        api,
        CHANGE_PASSWORD,
        { currentPassword: `wrong ${attempt}`, newPassword: OTHER_STRONG },
        { token, ip: '10.46.0.1' },
      );
    }
    expect(errorCode(last ?? { data: null, errors: undefined })).toBe('RATE_LIMITED');
    expect(await passwordSignsIn(user.email, user.password)).toBe(true);
  });
});

describe('changeEmail', () => {
  it('mails a link to the new address and a notice to the old; the link moves the account', async () => {
    const { token, user } = await createSignedInUser(api);
    const newEmail = `${unique('new-address')}@Example.com`;
    const started = await execute<{ changeEmail: boolean }>(
      api,
      CHANGE_EMAIL,
      { newEmail, currentPassword: user.password },
      { token },
    );
    expect(started.errors).toBeUndefined();
    expect(started.data?.changeEmail).toBe(true);
    const lower = newEmail.toLowerCase();
    const confirm = await mailTo(api, lower, /new e-mail/i);
    expect(confirm.text).toContain('1 hour');
    const notice = await mailTo(api, user.email, /changed|changing/i);
    expect(notice.text).toContain(lower);
    // Nothing changed yet.
    expect((await UserModel.findById(user._id).lean())?.email).toBe(user.email);

    const confirmed = await execute<{
      confirmEmailChange: { email: string; emailVerified: boolean };
    }>(api, CONFIRM_EMAIL, { token: linkToken(api, confirm, '/confirm-email') }, asKey());
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data?.confirmEmailChange).toMatchObject({ email: lower, emailVerified: true });
    expect(await passwordSignsIn(lower, user.password)).toBe(true);
    expect(await passwordSignsIn(user.email, user.password)).toBe(false);
  });

  it('refuses a wrong password, the same address, and an address another account has', async () => {
    const { token, user } = await createSignedInUser(api);
    const other = await createUser(api);
    const wrong = await execute(
      api,
      CHANGE_EMAIL,
      { newEmail: `${unique('n')}@example.com`, currentPassword: 'nope nope' },
      { token },
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    const same = await execute(
      api,
      CHANGE_EMAIL,
      { newEmail: user.email.toUpperCase(), currentPassword: user.password },
      { token },
    );
    expect(errorCode(same)).toBe('BAD_USER_INPUT');
    const taken = await execute(
      api,
      CHANGE_EMAIL,
      { newEmail: other.email, currentPassword: user.password },
      { token },
    );
    expect(errorCode(taken)).toBe('CONFLICT');
    await outboxSettled(api);
    expect(mailsTo(api, other.email)).toEqual([]);
  });

  it('CONFLICT at confirmation when the address was taken meanwhile; links to the old address stop working', async () => {
    const email = `${unique('old-address')}@example.com`;
    await signUp(email);
    const verifyOld = linkToken(
      api,
      await mailTo(api, email, /confirm your e-mail/i),
      '/verify-email',
    );
    const { accessToken } = await signIn(api, { email, password: STRONG });
    const target = `${unique('contested')}@example.com`;
    await execute(
      api,
      CHANGE_EMAIL,
      { newEmail: target, currentPassword: STRONG },
      { token: accessToken },
    );
    const changeToken = linkToken(api, await mailTo(api, target, /new e-mail/i), '/confirm-email');

    await createUser(api, { email: target });
    expect(errorCode(await execute(api, CONFIRM_EMAIL, { token: changeToken }, asKey()))).toBe(
      'CONFLICT',
    );

    // A second change to a free address succeeds and kills the old address's verification link.
    const free = `${unique('free')}@example.com`;
    await execute(
      api,
      CHANGE_EMAIL,
      { newEmail: free, currentPassword: STRONG },
      { token: accessToken },
    );
    const freeToken = linkToken(api, await mailTo(api, free, /new e-mail/i), '/confirm-email');
    expect(
      (await execute(api, CONFIRM_EMAIL, { token: freeToken }, asKey())).errors,
    ).toBeUndefined();
    expect(errorCode(await execute(api, VERIFY, { token: verifyOld }, asKey()))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('sessions', () => {
  const SESSIONS = `{ sessions { id createdAt lastUsedAt userAgent ipAddress rememberMe current } }`;
  const REVOKE = `mutation Revoke($id: ID!) { revokeSession(id: $id) }`;
  const REVOKE_OTHERS = `mutation { revokeOtherSessions }`;
  interface SessionRow {
    id: string;
    current: boolean;
    rememberMe: boolean;
    userAgent: string | null;
    ipAddress: string | null;
    createdAt: string;
    lastUsedAt: string;
  }

  it('lists the caller’s own live sessions with the current one marked', async () => {
    const user = await createUser(api);
    const a = await signIn(api, user, api.publicApiKey, true);
    const b = await signIn(api, user);
    const someoneElse = await createSignedInUser(api);
    const listed = await execute<{ sessions: SessionRow[] }>(
      api,
      SESSIONS,
      {},
      { token: a.accessToken },
    );
    expect(listed.errors).toBeUndefined();
    const rows = listed.data?.sessions ?? [];
    expect(rows).toHaveLength(2);
    expect(rows.filter((row) => row.current)).toHaveLength(1);
    expect(rows.find((row) => row.current)?.rememberMe).toBe(true);
    expect(rows[0]).toMatchObject({ userAgent: 'jest', ipAddress: '10.9.9.9' });
    expect(Date.parse(rows[0]?.lastUsedAt ?? '')).not.toBeNaN();
    expect(JSON.stringify(rows)).not.toContain(someoneElse.auth.refreshToken);
    void b;
  });

  it('revokeSession ends that session at once; another user’s session id is refused and untouched', async () => {
    const user = await createUser(api);
    const a = await signIn(api, user);
    const b = await signIn(api, user);
    const victim = await createSignedInUser(api);
    const victimSession = await SessionModel.findOne({ user: victim.user._id }).lean();

    const foreign = await execute<{ revokeSession: boolean }>(
      api,
      REVOKE,
      { id: victimSession?._id.toHexString() },
      { token: a.accessToken },
    );
    expect(foreign.data?.revokeSession).toBe(false);
    expect(await tokenWorks(victim.token)).toBe(true);
    const malformed = await execute<{ revokeSession: boolean }>(
      api,
      REVOKE,
      { id: 'not-an-id' },
      { token: a.accessToken },
    );
    expect(malformed.data?.revokeSession).toBe(false);

    const rows = (
      await execute<{ sessions: SessionRow[] }>(api, SESSIONS, {}, { token: a.accessToken })
    ).data?.sessions;
    const otherId = rows?.find((row) => !row.current)?.id;
    const revoked = await execute<{ revokeSession: boolean }>(
      api,
      REVOKE,
      { id: otherId },
      { token: a.accessToken },
    );
    expect(revoked.data?.revokeSession).toBe(true);
    expect(await tokenWorks(b.accessToken)).toBe(false);
    expect(await tokenWorks(a.accessToken)).toBe(true);
  });

  it('revokeOtherSessions ends every other session and says how many', async () => {
    const user = await createUser(api);
    const keep = await signIn(api, user);
    const others = [await signIn(api, user), await signIn(api, user)];
    const result = await execute<{ revokeOtherSessions: number }>(
      api,
      REVOKE_OTHERS,
      {},
      {
        token: keep.accessToken,
      },
    );
    expect(result.data?.revokeOtherSessions).toBe(2);
    for (const other of others) expect(await tokenWorks(other.accessToken)).toBe(false);
    expect(await tokenWorks(keep.accessToken)).toBe(true);
  });

  it('need a signed-in user', async () => {
    expect(errorCode(await execute(api, SESSIONS, {}, asKey()))).toBe('UNAUTHENTICATED');
    expect(errorCode(await execute(api, REVOKE_OTHERS, {}, asKey()))).toBe('UNAUTHENTICATED');
  });
});
