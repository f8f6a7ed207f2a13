import { decodeJwt, decodeProtectedHeader } from 'jose';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { createSignedInUser, createUser, TEST_PASSWORD, unique } from '../../test/factories';
import { createApp } from '../app';
import { SessionModel } from '../sessions';
import { Scope } from '../shared/scopes';
import type { TestApi } from '../testing';
import { UserModel } from '../users';

let api: TestApi;
const STRONG = 'violet harbor tangerine';
let signInOnlyKey: string;
let readOnlyKey: string;

beforeAll(async () => {
  api = await startApi();
  signInOnlyKey = (await api.api.services.apiKeys.create('signin-only', [Scope.SignInAuth])).token;
  readOnlyKey = (await api.api.services.apiKeys.create('read-only', [Scope.ReadMovies])).token;
});
afterAll(() => api.stop());

const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { id name email emailVerified isAdmin hasPassword providers createdAt }
}`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    ... on AuthPayload {
      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
      user { id email isAdmin }
    }
  }
}`;
const REFRESH = `mutation Refresh($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) { accessToken refreshToken user { id } }
}`;
const SIGN_OUT = `mutation SignOut($refreshToken: String!) { signOut(refreshToken: $refreshToken) }`;
const ME = `{ me { id email } }`;

interface AuthData {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; isAdmin: boolean };
}

/** One signIn through the public key from a given client IP (what the rate limits count). */
const attemptSignIn = (email: string, password: string, ip: string) =>
  execute<{ signIn: AuthData }>(
    api,
    SIGN_IN,
    { input: { email, password } },
    { apiKey: api.publicApiKey, ip },
  );

describe('signUp', () => {
  it('creates a password user with a lower-cased e-mail and an argon2id hash', async () => {
    const email = `${unique('New')}@Example.com`;
    const result = await execute<{ signUp: Record<string, unknown> }>(
      api,
      SIGN_UP,
      { input: { name: ' Ada ', email, password: 'violet harbor tangerine' } },
      { apiKey: api.publicApiKey },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.signUp).toMatchObject({
      name: 'Ada',
      emailVerified: false,
      email: email.toLowerCase(),
      isAdmin: false,
      hasPassword: true,
      providers: [],
    });
    const stored = await UserModel.findOne({ email: email.toLowerCase() })
      .select('+passwordHash')
      .lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    // Never selected by default.
    const plain = await UserModel.findOne({ email: email.toLowerCase() }).lean();
    expect(plain).not.toHaveProperty('passwordHash');
  });

  it('refuses an e-mail already registered, whatever its case, with CONFLICT', async () => {
    const user = await createUser(api);
    const result = await execute(
      api,
      SIGN_UP,
      {
        input: {
          name: 'Copy',
          email: user.email.toUpperCase(),
          password: 'quiet orbit lantern moss',
        },
      },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('CONFLICT');
    expect(await UserModel.countDocuments({ email: user.email })).toBe(1);
  });

  it.each([
    ['email', { name: 'A', email: 'not-an-email', password: STRONG }, 'isEmail'],
    ['password', { name: 'A', email: 'a@example.com', password: 'short' }, 'passwordLength'],
    // 7 characters, 28 bytes: too short, whatever its size in UTF-8.
    ['password', { name: 'A', email: 'b@example.com', password: '🎬🍿🎞🎥📽🎦🎫' }, 'passwordLength'],
    [
      'password',
      { name: 'A', email: 'e@example.com', password: 'x'.repeat(257) },
      'passwordLength',
    ],
    [
      'password',
      { name: 'A', email: 'f@example.com', password: 'password123' },
      'passwordStrength',
    ],
    ['password', { name: 'A', email: 'g@example.com', password: 'qwertyuiop' }, 'passwordStrength'],
    // The person's own name and e-mail are the first things a guesser tries.
    [
      'password',
      {
        name: 'Rosalind Franklin',
        email: 'rosalind.franklin@example.com',
        password: 'rosalindfranklin',
      },
      'passwordStrength',
    ],
    ['name', { name: '   ', email: 'c@example.com', password: STRONG }, 'matches'],
    ['name', { name: 'x'.repeat(101), email: 'd@example.com', password: STRONG }, 'isLength'],
  ])(
    'refuses a bad %s with BAD_USER_INPUT naming the field (%#)',
    async (field, input, constraint) => {
      const result = await execute(api, SIGN_UP, { input }, { apiKey: api.publicApiKey });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      const fields = firstError(result).extensions?.fields as {
        argument: string;
        field: string;
        constraints: Record<string, string>;
      }[];
      expect(fields).toEqual([
        expect.objectContaining({
          argument: 'input',
          field,
          constraints: expect.objectContaining({ [constraint]: expect.any(String) }),
        }),
      ]);
      expect(await UserModel.countDocuments({ email: input.email })).toBe(0);
    },
  );

  it('counts characters, not bytes, and allows long passphrases: 12 unusual characters, 80 characters and 256', async () => {
    const passphrase = 'the lighthouse keeper counted forty-one gulls before dawn again';
    for (const password of [
      // Counted as 12 characters (zxcvbn thinks 8 random ones too few), 26 bytes.
      'ŧ€ßł¶ŋđ→æøåþ',
      passphrase + '€'.repeat(80 - passphrase.length),
      ('€' + passphrase).repeat(5).slice(0, 256),
    ]) {
      const email = `${unique('chars')}@example.com`;
      const result = await execute(
        api,
        SIGN_UP,
        { input: { name: 'Bytes', email, password } },
        { apiKey: api.publicApiKey },
      );
      expect(result.errors).toBeUndefined();
    }
  });

  it('refuses text that is not valid Unicode (a lone surrogate) with BAD_USER_INPUT, not a crash', async () => {
    const email = `${unique('surrogate')}@example.com`;
    const result = await execute(
      api,
      SIGN_UP,
      { input: { name: 'A', email, password: '\ud800 violet harbor tangerine' } },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(firstError(result).extensions?.fields).toEqual([
      { argument: 'input', field: 'password', constraints: { isWellFormed: expect.any(String) } },
    ]);
    expect(await UserModel.countDocuments({ email })).toBe(0);
  });

  it('needs signup:auth: FORBIDDEN naming it for a key without it', async () => {
    const result = await execute(
      api,
      SIGN_UP,
      { input: { name: 'A', email: 'e@example.com', password: STRONG } },
      { apiKey: signInOnlyKey },
    );
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(firstError(result).extensions?.missingScopes).toEqual(['signup:auth']);
  });

  it('is UNAUTHENTICATED without credentials', async () => {
    const result = await execute(api, SIGN_UP, {
      input: { name: 'A', email: 'f@example.com', password: STRONG },
    });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });
});

describe('signIn', () => {
  it('returns a 15-minute EdDSA token (with the signing key’s kid) with the pinned claims and a 2-hour refresh token', async () => {
    const user = await createUser(api);
    const before = Date.now();
    const result = await execute<{ signIn: AuthData }>(
      api,
      SIGN_IN,
      { input: { email: user.email, password: user.password } },
      { apiKey: api.publicApiKey },
    );
    expect(result.errors).toBeUndefined();
    const payload = result.data?.signIn;
    expect(payload?.user.email).toBe(user.email);
    const token = payload?.accessToken ?? '';
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      typ: 'JWT',
      kid: (await api.api.services.signingKeys.current()).kid,
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: user._id.toHexString(),
      name: user.name,
      email: user.email,
      iss: api.config.jwt.issuer,
      aud: api.config.jwt.audience,
    });
    expect(typeof claims.sid).toBe('string');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(15 * 60);
    expect(claims.scopes).toEqual(expect.arrayContaining(['read:movies', 'create:user-movies']));
    const refreshExpiry = Date.parse(payload?.refreshTokenExpiresAt ?? '') - before;
    expect(refreshExpiry).toBeGreaterThan(2 * 3600 * 1000 - 60_000);
    expect(refreshExpiry).toBeLessThanOrEqual(2 * 3600 * 1000 + 60_000);
  });

  it('signs in many at once (more than the hashing threads) and still refuses wrong passwords', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => createUser(api)));
    const attempts = users.flatMap((user, i) => [
      attemptSignIn(user.email, user.password, `10.13.0.${i}`),
      attemptSignIn(user.email, `${user.password}!`, `10.13.1.${i}`),
    ]);
    const results = await Promise.all(attempts);
    results.forEach((result, i) => {
      if (i % 2 === 0) {
        expect(result.errors).toBeUndefined();
        expect(result.data?.signIn.user.email).toBe(users[i / 2]?.email);
      } else {
        expect(errorCode(result)).toBe('UNAUTHENTICATED');
      }
    });
  });

  it('keeps the refresh token 30 days with rememberMe', async () => {
    const user = await createUser(api);
    const before = Date.now();
    const result = await execute<{ signIn: AuthData }>(
      api,
      SIGN_IN,
      { input: { email: user.email, password: user.password, rememberMe: true } },
      { apiKey: api.publicApiKey },
    );
    const lifetime = Date.parse(result.data?.signIn.refreshTokenExpiresAt ?? '') - before;
    expect(lifetime).toBeGreaterThan(30 * 24 * 3600 * 1000 - 60_000);
  });

  it('gives movie-writing scopes only to an admin signing in through a key that has them', async () => {
    const admin = await createUser(api, { isAdmin: true });
    const member = await createUser(api);
    const scopesOf = async (user: { email: string; password: string }, apiKey: string) => {
      const result = await execute<{ signIn: AuthData }>(
        api,
        SIGN_IN,
        { input: { email: user.email, password: user.password } },
        { apiKey },
      );
      return decodeJwt(result.data?.signIn.accessToken ?? '').scopes as string[];
    };
    expect(await scopesOf(admin, api.adminApiKey)).toEqual(
      expect.arrayContaining(['create:movies', 'update:movies', 'delete:movies']),
    );
    expect(await scopesOf(admin, api.publicApiKey)).not.toContain('create:movies');
    expect(await scopesOf(member, api.adminApiKey)).not.toContain('create:movies');
    expect(await scopesOf(member, api.adminApiKey)).toContain('read:movies');
  });

  it('gives the same UNAUTHENTICATED error for an unknown e-mail and a wrong password', async () => {
    const user = await createUser(api);
    const wrongPassword = await attemptSignIn(user.email, 'wrong password', '10.1.0.1');
    const unknownEmail = await execute(
      api,
      SIGN_IN,
      { input: { email: `${unique('nobody')}@example.com`, password: TEST_PASSWORD } },
      { apiKey: api.publicApiKey, ip: '10.1.0.2' },
    );
    expect(errorCode(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknownEmail)).toBe('UNAUTHENTICATED');
    expect(firstError(wrongPassword).message).toBe('Invalid e-mail or password');
    expect(firstError(unknownEmail).message).toBe(firstError(wrongPassword).message);
  });

  it('refuses a provider-only account (no password) with the same error', async () => {
    const subject = unique('sub');
    const email = `${unique('google')}@example.com`;
    await api.api.services.users.signInWithProvider({
      provider: 'GOOGLE' as never,
      subject,
      email,
      emailVerified: true,
      name: 'G',
    });
    const result = await execute(
      api,
      SIGN_IN,
      { input: { email, password: 'anything at all' } },
      { apiKey: api.publicApiKey, ip: '10.1.0.3' },
    );
    expect(firstError(result).message).toBe('Invalid e-mail or password');
  });

  it('is RATE_LIMITED on the 11th failure for one e-mail from one IP, even with the right password', async () => {
    const user = await createUser(api);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const result = await attemptSignIn(user.email, `wrong ${attempt}`, '10.2.0.1');
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
    }
    const blocked = await attemptSignIn(user.email, user.password, '10.2.0.1');
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
    const retryAfter = firstError(blocked).extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Another e-mail from the same place is not affected.
    const other = await createUser(api);
    const fine = await attemptSignIn(other.email, other.password, '10.2.0.1');
    expect(fine.errors).toBeUndefined();
  });

  it('cannot be used by a stranger to lock the owner out: 12 failures from one address, the owner elsewhere still gets in', async () => {
    const user = await createUser(api);
    const codes = [];
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      codes.push(errorCode(await attemptSignIn(user.email, `guess ${attempt}`, '203.0.113.66')));
    }
    expect(codes.slice(0, 10).every((code) => code === 'UNAUTHENTICATED')).toBe(true);
    expect(codes.slice(10)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    const owner = await attemptSignIn(user.email, user.password, '198.51.100.20');
    expect(owner.errors).toBeUndefined();
    expect(owner.data?.signIn.accessToken).toEqual(expect.any(String));
  });

  it('stops a guessing campaign spread over many addresses at the per-e-mail ceiling (50)', async () => {
    const user = await createUser(api);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const result = await attemptSignIn(user.email, `spread ${attempt}`, `10.12.${attempt}.1`);
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
    }
    const blocked = await attemptSignIn(user.email, user.password, '10.12.200.1');
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
  });

  it('counts exactly the attempts that run, so aliases cannot multiply them', async () => {
    const user = await createUser(api);
    const aliases = Array.from(
      { length: 11 },
      (_, i) =>
        `a${i}: signIn(input: { email: "${user.email}", password: "wrong-${i}" }) { ... on AuthPayload { accessToken } }`,
    ).join('\n');
    // Mutations run one after another; the first failure nulls the (non-null) result and stops.
    const aliased = await execute(
      api,
      `mutation { ${aliases} }`,
      {},
      { apiKey: api.publicApiKey, ip: '10.3.0.1' },
    );
    expect(errorCode(aliased)).toBe('UNAUTHENTICATED');
    for (let attempt = 2; attempt <= 10; attempt += 1) {
      const result = await attemptSignIn(user.email, `wrong ${attempt}`, '10.3.0.1');
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
    }
    const blocked = await attemptSignIn(user.email, user.password, '10.3.0.1');
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
  });

  it('lets at most 10 of 20 concurrent wrong attempts for one e-mail from one IP check a password', async () => {
    const user = await createUser(api);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, attempt) =>
        attemptSignIn(user.email, `wrong ${attempt}`, '10.5.0.1'),
      ),
    );
    const codes = results.map((result) => errorCode(result));
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(10);
    const blocked = await attemptSignIn(user.email, user.password, '10.5.0.1');
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
  });

  it('ends a session whose password was replaced while it was being checked (a reset racing a sign-in)', async () => {
    const user = await createUser(api);
    const passwords = api.api.services.passwords;
    const verify = passwords.verify.bind(passwords);
    // The reset lands between the password check and the new session: the hash changes and
    // every session is ended, as resetPassword does.
    const spy = jest.spyOn(passwords, 'verify').mockImplementationOnce(async (hash, password) => {
      const valid = await verify(hash, password);
      await UserModel.updateOne(
        { _id: user._id },
        { $set: { passwordHash: await passwords.hash('the replacement passphrase') } },
      );
      await api.api.services.sessions.revokeAll(user._id);
      return valid;
    });
    try {
      const raced = await attemptSignIn(user.email, user.password, '10.13.0.1');
      expect(errorCode(raced)).toBe('UNAUTHENTICATED');
      expect(await SessionModel.countDocuments({ user: user._id, revokedAt: null })).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('shares the counters through MongoDB: a second API instance sees the first one’s failures', async () => {
    // Another app on the same database: its own services and limiter, nothing shared in memory.
    const other = await createApp(api.config);
    try {
      const user = await createUser(api);
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        const result = await attemptSignIn(user.email, `wrong ${attempt}`, '10.6.0.1');
        expect(errorCode(result)).toBe('UNAUTHENTICATED');
      }
      const elsewhere = await other.services.auth
        .signIn(
          { email: user.email, password: user.password, rememberMe: false },
          { ip: '10.6.0.1', userAgent: null, keyScopes: [] },
        )
        .then(
          () => 'signed in',
          (error: { extensions?: { code?: string } }) => error.extensions?.code,
        );
      expect(elsewhere).toBe('RATE_LIMITED');
    } finally {
      await other.stop();
    }
  });

  it('does not count successful sign-ins against the IP', async () => {
    const ip = '10.7.0.1';
    const user = await createUser(api);
    for (let attempt = 0; attempt < 105; attempt += 1) {
      const result = await attemptSignIn(user.email, user.password, ip);
      expect(result.errors).toBeUndefined();
    }
  });

  it('is RATE_LIMITED after 100 failures from one IP across e-mails', async () => {
    const ip = '10.4.0.1';
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const result = await execute(
        api,
        SIGN_IN,
        { input: { email: `ip-${attempt % 20}-${ip}@example.com`, password: 'wrong password' } },
        { apiKey: api.publicApiKey, ip },
      );
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
    }
    const user = await createUser(api);
    const blocked = await attemptSignIn(user.email, user.password, ip);
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
    const elsewhere = await attemptSignIn(user.email, user.password, '10.4.0.2');
    expect(elsewhere.errors).toBeUndefined();
  });

  it('refuses a malformed e-mail with BAD_USER_INPUT', async () => {
    const result = await execute(
      api,
      SIGN_IN,
      { input: { email: 'nope', password: 'whatever' } },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(firstError(result).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'input', field: 'email' }),
    ]);
  });

  it('refuses an operator object in place of the e-mail before running', async () => {
    const result = await execute(
      api,
      SIGN_IN,
      { input: { email: { $gt: '' }, password: 'whatever' } },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });

  it('needs signin:auth', async () => {
    const result = await execute(
      api,
      SIGN_IN,
      { input: { email: 'a@example.com', password: 'whatever' } },
      { apiKey: readOnlyKey },
    );
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(firstError(result).extensions?.missingScopes).toEqual(['signin:auth']);
    expect(
      errorCode(await execute(api, SIGN_IN, { input: { email: 'a@example.com', password: 'x' } })),
    ).toBe('UNAUTHENTICATED');
  });
});

describe('refreshSession and signOut', () => {
  const refresh = (refreshToken: string | undefined) =>
    execute<{ refreshSession: { accessToken: string; refreshToken: string } }>(
      api,
      REFRESH,
      { refreshToken },
      { apiKey: api.publicApiKey },
    );

  it('advances the session counter: the successor works, and no token is stored', async () => {
    const { auth } = await createSignedInUser(api);
    const [sessionId, counter] = auth.refreshToken.split('.');
    expect(counter).toBe('0');
    const refreshed = await refresh(auth.refreshToken);
    expect(refreshed.errors).toBeUndefined();
    const next = refreshed.data?.refreshSession;
    expect(next?.refreshToken).toMatch(new RegExp(`^${sessionId}\\.1\\.[A-Za-z0-9_-]{43}$`));
    const session = await SessionModel.findById(sessionId).lean();
    expect(session?.refreshCounter).toBe(1);
    expect(JSON.stringify(session)).not.toContain(next?.refreshToken.split('.')[2]);
    const me = await execute<{ me: { id: string } }>(
      api,
      ME,
      {},
      { apiKey: api.publicApiKey, token: next?.accessToken },
    );
    expect(me.data?.me?.id).toBe(auth.user._id.toHexString());
    expect((await refresh(next?.refreshToken)).errors).toBeUndefined();
  });

  it('gives concurrent refreshes with one token the same successor: all succeed, one step advances', async () => {
    const { auth } = await createSignedInUser(api);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(auth.refreshToken)));
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    expect(new Set(results.map((result) => result.data?.refreshSession.refreshToken)).size).toBe(1);
    const [sessionId] = auth.refreshToken.split('.');
    expect((await SessionModel.findById(sessionId).lean())?.refreshCounter).toBe(1);
    // The previous step, again within the reuse interval: the same successor, still signed in.
    const late = await refresh(auth.refreshToken);
    expect(late.data?.refreshSession.refreshToken).toBe(
      results[0]?.data?.refreshSession.refreshToken,
    );
  });

  it('revokes the whole session when a rotated token comes back after the reuse interval', async () => {
    const { auth } = await createSignedInUser(api);
    const current = (await refresh(auth.refreshToken)).data?.refreshSession;
    const [sessionId] = auth.refreshToken.split('.');
    const interval = api.config.refreshReuseIntervalSeconds;
    await SessionModel.updateOne(
      { _id: sessionId },
      { $set: { counterAdvancedAt: new Date(Date.now() - (interval + 1) * 1000) } },
    );
    const reuse = await refresh(auth.refreshToken);
    expect(errorCode(reuse)).toBe('UNAUTHENTICATED');
    // The legitimate holder's newer tokens die with the session.
    expect(errorCode(await refresh(current?.refreshToken))).toBe('UNAUTHENTICATED');
    await expect(
      execute(api, ME, {}, { apiKey: api.publicApiKey, token: current?.accessToken }),
    ).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('revokes at once for a token two or more steps old, whatever the interval', async () => {
    const { auth } = await createSignedInUser(api);
    const first = (await refresh(auth.refreshToken)).data?.refreshSession;
    const second = (await refresh(first?.refreshToken)).data?.refreshSession;
    expect(second).toBeDefined();
    expect(errorCode(await refresh(auth.refreshToken))).toBe('UNAUTHENTICATED');
    expect(errorCode(await refresh(second?.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('refuses forged tokens (another MAC, a changed counter, another session) and changes nothing', async () => {
    const { auth } = await createSignedInUser(api);
    const other = await createSignedInUser(api);
    const [sessionId, , mac] = auth.refreshToken.split('.');
    const [otherSession] = other.auth.refreshToken.split('.');
    for (const forged of [
      `${sessionId}.0.${'A'.repeat(43)}`,
      `${sessionId}.1.${mac}`,
      `${otherSession}.0.${mac}`,
      `${sessionId}.0.${mac}.extra`,
      `${sessionId}.-1.${mac}`,
    ]) {
      expect(errorCode(await refresh(forged))).toBe('UNAUTHENTICATED');
    }
    expect((await SessionModel.findById(sessionId).lean())?.refreshCounter).toBe(0);
    expect((await refresh(auth.refreshToken)).errors).toBeUndefined();
    expect((await refresh(other.auth.refreshToken)).errors).toBeUndefined();
  });

  it('never brings a signed-out session back, not even with a refresh racing the sign-out', async () => {
    const { auth } = await createSignedInUser(api);
    const [raced, out] = await Promise.all([
      refresh(auth.refreshToken),
      execute<{ signOut: boolean }>(
        api,
        SIGN_OUT,
        { refreshToken: auth.refreshToken },
        { apiKey: api.publicApiKey },
      ),
    ]);
    expect(out.data?.signOut).toBe(true);
    const [sessionId] = auth.refreshToken.split('.');
    expect((await SessionModel.findById(sessionId).lean())?.revokedAt).toBeInstanceOf(Date);
    const successor = raced.data?.refreshSession;
    if (successor) {
      expect(errorCode(await refresh(successor.refreshToken))).toBe('UNAUTHENTICATED');
      await expect(
        execute(api, ME, {}, { apiKey: api.publicApiKey, token: successor.accessToken }),
      ).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect(errorCode(await refresh(auth.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('refuses an unknown refresh token', async () => {
    const result = await execute(
      api,
      REFRESH,
      { refreshToken: 'not-a-token' },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  it('signOut revokes the session: its access token stops working at once', async () => {
    const { auth, token } = await createSignedInUser(api);
    const before = await execute<{ me: { id: string } }>(
      api,
      ME,
      {},
      { apiKey: api.publicApiKey, token },
    );
    expect(before.data?.me?.id).toBe(auth.user._id.toHexString());
    const out = await execute<{ signOut: boolean }>(
      api,
      SIGN_OUT,
      { refreshToken: auth.refreshToken },
      { apiKey: api.publicApiKey },
    );
    expect(out.data?.signOut).toBe(true);
    await expect(execute(api, ME, {}, { apiKey: api.publicApiKey, token })).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const refresh = await execute(
      api,
      REFRESH,
      { refreshToken: auth.refreshToken },
      { apiKey: api.publicApiKey },
    );
    expect(errorCode(refresh)).toBe('UNAUTHENTICATED');
    const twice = await execute<{ signOut: boolean }>(
      api,
      SIGN_OUT,
      { refreshToken: auth.refreshToken },
      { apiKey: api.publicApiKey },
    );
    expect(twice.data?.signOut).toBe(false);
  });

  it('need signin:auth', async () => {
    for (const query of [REFRESH, SIGN_OUT]) {
      const result = await execute(api, query, { refreshToken: 'x' }, { apiKey: readOnlyKey });
      expect(errorCode(result)).toBe('FORBIDDEN');
      expect(firstError(result).extensions?.missingScopes).toEqual(['signin:auth']);
      expect(errorCode(await execute(api, query, { refreshToken: 'x' }))).toBe('UNAUTHENTICATED');
    }
  });
});
