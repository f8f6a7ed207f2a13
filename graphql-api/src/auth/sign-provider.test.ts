import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, decodeProtectedHeader } from 'jose';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { addPasskey } from '../../test/factor-flows';
import { createSignedInUser, createUser, unique } from '../../test/factories';
import { mailTo } from '../../test/mail-helpers';
import { SoftwareAuthenticator } from '../../test/software-authenticator';
import { AccountTokenModel, AccountTokenPurpose } from '../account-tokens';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { startOAuth2TestProvider } from '../oauth2-test-provider';
import type { OAuth2TestProvider } from '../oauth2-test-provider';
import { SessionModel } from '../sessions';
import { testEnv } from '../testing';
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

const SIGN_PROVIDER = `mutation SignProvider($input: SignProviderInput!) {
  signProvider(input: $input) {
    ... on AuthPayload {
      accessToken refreshToken user { id email name emailVerified hasPassword providers }
    }
  }
}`;
const CONNECT = `mutation Connect($input: ConnectProviderInput!) {
  connectProvider(input: $input) { id email providers }
}`;
const DISCONNECT = `mutation { disconnectProvider(provider: GOOGLE) { id providers hasPassword } }`;
const ME = `{ me { id } }`;

interface SignedIn {
  accessToken: string;
  user: {
    id: string;
    email: string;
    name: string;
    emailVerified: boolean;
    hasPassword: boolean;
    providers: string[];
  };
}

const subject = () => randomBytes(8).toString('hex');

function signProvider(idToken: string, credentials: { apiKey?: string; token?: string } = {}) {
  return execute<{ signProvider: SignedIn }>(
    api,
    SIGN_PROVIDER,
    { input: { provider: 'GOOGLE', idToken } },
    { apiKey: api.publicApiKey, ...credentials },
  );
}

async function tokenWorks(token: string): Promise<boolean> {
  try {
    return Boolean((await execute<{ me: { id: string } }>(api, ME, {}, { token })).data?.me);
  } catch {
    return false;
  }
}

describe('signProvider with a Google ID token', () => {
  it('creates a verified account without a password, then finds it by subject whatever the e-mail', async () => {
    const sub = subject();
    const email = `${unique('google')}@example.com`;
    const first = await signProvider(
      await provider.idToken({ sub, email, email_verified: true, name: 'Grace Hopper' }),
    );
    expect(first.errors).toBeUndefined();
    expect(first.data?.signProvider.user).toMatchObject({
      email,
      name: 'Grace Hopper',
      emailVerified: true,
      hasPassword: false,
      providers: ['GOOGLE'],
    });
    // The person changed their Google address: same subject, same account.
    const again = await signProvider(
      await provider.idToken({
        sub,
        email: `${unique('renamed')}@example.com`,
        email_verified: true,
      }),
    );
    expect(again.data?.signProvider.user.id).toBe(first.data?.signProvider.user.id);
    expect(await tokenWorks(again.data?.signProvider.accessToken ?? '')).toBe(true);
  });

  it('no longer accepts asserted identities (attack 1: the public key signing in as anyone)', async () => {
    const victim = await createUser(api);
    const asserted = await execute(
      api,
      `mutation { signProvider(input: { provider: GOOGLE, subject: "x", email: "${victim.email}", emailVerified: true, name: "x" }) { ... on AuthPayload { accessToken } } }`,
      {},
      { apiKey: api.publicApiKey },
    );
    expect(asserted.errors?.length).toBeGreaterThan(0);
    expect(asserted.errors?.map((error) => error.extensions?.code)).toEqual(
      asserted.errors?.map(() => 'GRAPHQL_VALIDATION_FAILED'),
    );
    expect(asserted.data ?? null).toBeNull();
    expect(await SessionModel.countDocuments({ user: victim._id })).toBe(0);
    expect((await UserModel.findById(victim._id).lean())?.providers).toBeUndefined();
  });

  describe('refuses every token the provider did not issue for us, creating nothing', () => {
    const email = () => `${unique('forged')}@example.com`;

    it.each([
      [
        'expired',
        () =>
          provider.idToken(
            { sub: subject(), email: email(), email_verified: true },
            { expiresIn: -120 },
          ),
      ],
      [
        'for another client',
        () =>
          provider.idToken(
            { sub: subject(), email: email(), email_verified: true },
            { audience: 'someone-else' },
          ),
      ],
      [
        'from another issuer',
        () =>
          provider.idToken(
            { sub: subject(), email: email(), email_verified: true },
            { issuer: 'https://evil.example' },
          ),
      ],
      [
        'signed by another key with the provider’s key id',
        async () => {
          const genuine = await provider.idToken({ sub: subject(), email: email() });
          const { kid } = decodeProtectedHeader(genuine);
          const { privateKey } = await generateKeyPair('RS256');
          return new SignJWT({ email: email(), email_verified: true })
            .setProtectedHeader({ alg: 'RS256', kid })
            .setSubject(subject())
            .setIssuer(provider.issuer)
            .setAudience(provider.clientId)
            .setIssuedAt()
            .setExpirationTime('1h')
            .sign(privateKey);
        },
      ],
      [
        'with its payload changed after signing',
        async () => {
          const genuine = await provider.idToken({
            sub: subject(),
            email: email(),
            email_verified: true,
          });
          const [header, payload, signature] = genuine.split('.');
          const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
            string,
            unknown
          >;
          const tampered = Buffer.from(JSON.stringify({ ...claims, email: email() })).toString(
            'base64url',
          );
          return `${header}.${tampered}.${signature}`;
        },
      ],
      [
        'unsigned (alg none)',
        async () => {
          const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
          const now = Math.floor(Date.now() / 1000);
          const payload = Buffer.from(
            JSON.stringify({
              iss: provider.issuer,
              aud: provider.clientId,
              sub: subject(),
              email: email(),
              email_verified: true,
              iat: now,
              exp: now + 3600,
            }),
          ).toString('base64url');
          return `${header}.${payload}.`;
        },
      ],
      [
        'an HS256 token keyed with the public key (algorithm confusion)',
        async () => {
          const { publicKey } = await generateKeyPair('RS256');
          const secret = new TextEncoder().encode(JSON.stringify(await exportJWK(publicKey)));
          return new SignJWT({ email: email(), email_verified: true })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(subject())
            .setIssuer(provider.issuer)
            .setAudience(provider.clientId)
            .setIssuedAt()
            .setExpirationTime('1h')
            .sign(secret);
        },
      ],
      ['garbage', async () => 'not.a.token'],
    ])('%s', async (_name, build) => {
      const before = await UserModel.estimatedDocumentCount();
      const result = await signProvider(await build());
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
      expect(result.data ?? null).toBeNull();
      expect(await UserModel.estimatedDocumentCount()).toBe(before);
    });

    it('a token without an e-mail', async () => {
      const result = await signProvider(await provider.idToken({ sub: subject() }));
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
      expect(firstError(result).message).toMatch(/e-mail/);
    });
  });

  it('links to an account whose e-mail is verified, keeping its password', async () => {
    const owner = await createUser(api);
    await UserModel.updateOne({ _id: owner._id }, { $set: { emailVerified: true } });
    const linked = await signProvider(
      await provider.idToken({ sub: subject(), email: owner.email, email_verified: true }),
    );
    expect(linked.errors).toBeUndefined();
    expect(linked.data?.signProvider.user).toMatchObject({
      id: owner._id.toHexString(),
      hasPassword: true,
      providers: ['GOOGLE'],
    });
  });

  it('gives an unverified account to the provider’s owner (attack 2: pre-account hijacking)', async () => {
    // The stranger registers the victim's address with a password of their own and signs in.
    const email = `${unique('victim')}@example.com`;
    const stranger = await createSignedInUser(api);
    await UserModel.updateOne({ _id: stranger.user._id }, { $set: { email } });
    await api.api.services.accountTokens.issue(
      AccountTokenPurpose.ResetPassword,
      stranger.user._id,
      email,
    );
    expect(await AccountTokenModel.countDocuments({ user: stranger.user._id })).toBe(1);
    expect(await tokenWorks(stranger.token)).toBe(true);

    // The victim signs in with Google, which proves the mailbox.
    const victim = await signProvider(
      await provider.idToken({ sub: subject(), email, email_verified: true, name: 'Real Owner' }),
    );
    expect(victim.errors).toBeUndefined();
    expect(victim.data?.signProvider.user).toMatchObject({
      id: stranger.user._id.toHexString(),
      name: 'Real Owner',
      emailVerified: true,
      hasPassword: false,
      providers: ['GOOGLE'],
    });
    // The stranger's session ended and their password opens nothing.
    expect(await tokenWorks(stranger.token)).toBe(false);
    const passwordSignIn = await execute(
      api,
      'mutation($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { accessToken } } }',
      { input: { email, password: stranger.user.password } },
      { apiKey: api.publicApiKey, ip: '10.60.0.1' },
    );
    expect(errorCode(passwordSignIn)).toBe('UNAUTHENTICATED');
    // A reset link the stranger may have asked for is dead too.
    expect(await AccountTokenModel.countDocuments({ user: stranger.user._id })).toBe(0);
    // The victim keeps a working session, and the address is told what happened.
    expect(await tokenWorks(victim.data?.signProvider.accessToken ?? '')).toBe(true);
    const mail = await mailTo(api, email, /google|account/i);
    expect(mail.text).toMatch(/password was removed/i);
  });

  it('never links an e-mail the provider did not verify: CONFLICT with an existing account, nothing changed', async () => {
    const owner = await createUser(api);
    await UserModel.updateOne({ _id: owner._id }, { $set: { emailVerified: true } });
    const result = await signProvider(
      await provider.idToken({ sub: subject(), email: owner.email, email_verified: false }),
    );
    expect(errorCode(result)).toBe('CONFLICT');
    expect((await UserModel.findById(owner._id).lean())?.providers).toBeUndefined();
    // Without an account it is a new, unverified one.
    const fresh = await signProvider(
      await provider.idToken({
        sub: subject(),
        email: `${unique('unverified')}@example.com`,
        email_verified: false,
      }),
    );
    expect(fresh.data?.signProvider.user.emailVerified).toBe(false);
  });

  it('never links a second Google identity to an account: CONFLICT', async () => {
    const email = `${unique('two')}@example.com`;
    await signProvider(await provider.idToken({ sub: subject(), email, email_verified: true }));
    const second = await signProvider(
      await provider.idToken({ sub: subject(), email, email_verified: true }),
    );
    expect(errorCode(second)).toBe('CONFLICT');
    expect(await UserModel.countDocuments({ email })).toBe(1);
  });

  it('gives 20 concurrent sign-ins of one new identity one account and 20 successes', async () => {
    const token = await provider.idToken({
      sub: subject(),
      email: `${unique('burst')}@example.com`,
      email_verified: true,
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => signProvider(token)));
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    expect(new Set(results.map((result) => result.data?.signProvider.user.id)).size).toBe(1);
  });

  it('takes tokens only through a key: a user token alone is FORBIDDEN', async () => {
    const { token } = await createSignedInUser(api);
    const idToken = await provider.idToken({
      sub: subject(),
      email: `${unique('t')}@example.com`,
      email_verified: true,
    });
    const result = await signProvider(idToken, { apiKey: undefined, token });
    expect(errorCode(result)).toBe('FORBIDDEN');
  });

  it('is refused without GOOGLE_CLIENT_ID, and SERVICE_UNAVAILABLE when the JWKS cannot be fetched', async () => {
    const idToken = await provider.idToken({
      sub: subject(),
      email: `${unique('cfg')}@example.com`,
      email_verified: true,
    });
    const meta = { ip: '10.61.0.1', userAgent: null, keyScopes: [] };
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'signed in',
        (error: { extensions?: { code?: string } }) => error.extensions?.code,
      );
    const unconfigured = await createApp(
      loadConfig(testEnv(api.config.mongodbUri ?? '', { SMTP_URL: api.mailbox.url })),
      {
        devInbox: api.mailbox,
      },
    );
    const unreachable = await createApp(
      loadConfig(
        testEnv(api.config.mongodbUri ?? '', {
          ...provider.apiEnv,
          GOOGLE_JWKS_URL: 'http://127.0.0.1:9/jwks',
          SMTP_URL: api.mailbox.url,
        }),
      ),
      { devInbox: api.mailbox },
    );
    try {
      expect(
        await code(
          unconfigured.services.auth.signProvider(
            { provider: 'GOOGLE' as never, idToken, rememberMe: false },
            meta,
          ),
        ),
      ).toBe('UNAUTHENTICATED');
      expect(
        await code(
          unreachable.services.auth.signProvider(
            { provider: 'GOOGLE' as never, idToken, rememberMe: false },
            meta,
          ),
        ),
      ).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await unconfigured.stop();
      await unreachable.stop();
    }
  });
});

describe('connectProvider and disconnectProvider', () => {
  it('connects Google with another e-mail to the signed-in account, and disconnects it', async () => {
    const { token, user } = await createSignedInUser(api);
    const sub = subject();
    const connected = await execute<{ connectProvider: { id: string; providers: string[] } }>(
      api,
      CONNECT,
      {
        input: {
          provider: 'GOOGLE',
          idToken: await provider.idToken({
            sub,
            email: `${unique('other')}@gmail.test`,
            email_verified: true,
          }),
        },
      },
      { token },
    );
    expect(connected.errors).toBeUndefined();
    expect(connected.data?.connectProvider).toEqual({
      id: user._id.toHexString(),
      email: user.email,
      providers: ['GOOGLE'],
    });
    // Google now signs this person in.
    const viaGoogle = await signProvider(
      await provider.idToken({ sub, email: 'whatever@gmail.test', email_verified: true }),
    );
    expect(viaGoogle.data?.signProvider.user.id).toBe(user._id.toHexString());

    const disconnected = await execute<{ disconnectProvider: { providers: string[] } }>(
      api,
      DISCONNECT,
      {},
      { token },
    );
    expect(disconnected.errors).toBeUndefined();
    expect(disconnected.data?.disconnectProvider.providers).toEqual([]);
    expect((await UserModel.findById(user._id).lean())?.providers).toBeUndefined();
  });

  it('refuses an identity that belongs to another account, and a forged token', async () => {
    const sub = subject();
    await signProvider(
      await provider.idToken({
        sub,
        email: `${unique('owner')}@example.com`,
        email_verified: true,
      }),
    );
    const { token, user } = await createSignedInUser(api);
    const taken = await execute(
      api,
      CONNECT,
      {
        input: {
          provider: 'GOOGLE',
          idToken: await provider.idToken({ sub, email: user.email, email_verified: true }),
        },
      },
      { token },
    );
    expect(errorCode(taken)).toBe('CONFLICT');
    const expired = await execute(
      api,
      CONNECT,
      {
        input: {
          provider: 'GOOGLE',
          idToken: await provider.idToken(
            { sub: subject(), email: user.email },
            { expiresIn: -100 },
          ),
        },
      },
      { token },
    );
    // A bad token is the signed-in caller's bad argument, never a dead session.
    expect(errorCode(expired)).toBe('BAD_USER_INPUT');
    expect(firstError(expired).extensions?.fields).toEqual([
      {
        argument: 'input',
        field: 'idToken',
        constraints: { idToken: expect.stringMatching(/expired/) },
      },
    ]);
    expect(await tokenWorks(token)).toBe(true);
    expect((await UserModel.findById(user._id).lean())?.providers).toBeUndefined();
  });

  it('never removes the last way to sign in', async () => {
    const google = await signProvider(
      await provider.idToken({
        sub: subject(),
        email: `${unique('only')}@example.com`,
        email_verified: true,
      }),
    );
    const accessToken = google.data?.signProvider.accessToken ?? '';
    const refused = await execute(api, DISCONNECT, {}, { token: accessToken });
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(firstError(refused).message).toMatch(/only way to sign in/);
    const user = await UserModel.findById(google.data?.signProvider.user.id).lean();
    expect(user?.providers).toHaveLength(1);
    // Nothing connected: NOT_FOUND.
    const { token } = await createSignedInUser(api);
    expect(errorCode(await execute(api, DISCONNECT, {}, { token }))).toBe('NOT_FOUND');
  });

  it('lets a Google-only account with a passkey disconnect Google (the passkey is a way in)', async () => {
    const google = await signProvider(
      await provider.idToken({
        sub: subject(),
        email: `${unique('passkey-only')}@example.com`,
        email_verified: true,
      }),
    );
    const token = google.data?.signProvider.accessToken ?? '';
    await addPasskey(api, token, new SoftwareAuthenticator({ origin: api.config.publicOrigin }));
    const disconnected = await execute<{ disconnectProvider: { providers: string[] | null } }>(
      api,
      DISCONNECT,
      {},
      { token },
    );
    expect(disconnected.errors).toBeUndefined();
    expect(disconnected.data?.disconnectProvider.providers ?? []).toEqual([]);
  });

  it('need a signed-in user', async () => {
    const idToken = await provider.idToken({ sub: subject(), email: `${unique('k')}@example.com` });
    expect(
      errorCode(
        await execute(
          api,
          CONNECT,
          { input: { provider: 'GOOGLE', idToken } },
          { apiKey: api.publicApiKey },
        ),
      ),
    ).toBe('UNAUTHENTICATED');
  });
});
