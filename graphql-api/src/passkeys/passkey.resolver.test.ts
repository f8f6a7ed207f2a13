import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Types } from 'mongoose';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import type { OperationResult } from '../../test/execute-operation';
import {
  accountSecurity,
  addPasskey,
  asKey,
  enrolTotp,
  ok,
  OPS,
  passkeySignIn,
  registrationOptions,
  sessionIdOf,
  signInOptions,
  tokenWorks,
  verifySecondFactor,
} from '../../test/factor-flows';
import type { PasskeyData, SignInResultData } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { mailTo, mailsTo, outboxSettled } from '../../test/mail-helpers';
import { SoftwareAuthenticator } from '../../test/software-authenticator';
import type { SoftwareAuthenticatorOptions } from '../../test/software-authenticator';
import { totpCode, withTimeLeftInStep } from '../../test/totp-codes';
import { SessionModel } from '../sessions';
import type { TestApi } from '../testing';
import { PASSKEY_LIMITS, PasskeyModel, WebAuthnChallengeModel } from './index';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const NOTICE = /sign-in methods changed/i;

type AuthenticatorSetup = Omit<SoftwareAuthenticatorOptions, 'origin'>;

/** A "browser" on the site's own origin (PUBLIC_ORIGIN). */
const authenticatorOnSite = (options: AuthenticatorSetup = {}) =>
  new SoftwareAuthenticator({ origin: api.config.publicOrigin, ...options });

/** A signed-in user with one passkey on a fresh authenticator. */
async function userWithPasskey(
  options: AuthenticatorSetup = {},
  registration: Parameters<typeof addPasskey>[3] = {},
) {
  const signedIn = await createSignedInUser(api);
  const authenticator = authenticatorOnSite(options);
  const added = await addPasskey(api, signedIn.token, authenticator, registration);
  return { ...signedIn, authenticator, ...added };
}

function signedInPayload(result: OperationResult<{ signInWithPasskey: SignInResultData }>) {
  const payload = ok(result).signInWithPasskey;
  if (payload.__typename !== 'AuthPayload')
    throw new Error(`expected tokens, got ${payload.__typename}`);
  return payload;
}

/** A passkey sign-in that must fail as a wrong password would: UNAUTHENTICATED, no session. */
async function expectSignInRefused(
  userId: Types.ObjectId,
  result: Promise<OperationResult<{ signInWithPasskey: SignInResultData }>>,
): Promise<void> {
  const sessionsBefore = await SessionModel.countDocuments({ user: userId });
  const settled = await result;
  expect(errorCode(settled)).toBe('UNAUTHENTICATED');
  expect(settled.data?.signInWithPasskey ?? null).toBeNull();
  expect(await SessionModel.countDocuments({ user: userId })).toBe(sessionsBefore);
}

async function listPasskeys(token: string): Promise<PasskeyData[]> {
  return ok(await execute<{ passkeys: PasskeyData[] }>(api, OPS.passkeys, {}, { token })).passkeys;
}

function register(token: string, response: unknown, name?: string) {
  return execute<{ registerPasskey: PasskeyData }>(
    api,
    OPS.registerPasskey,
    name === undefined ? { response } : { response, name },
    { token },
  );
}

describe('passkey registration', () => {
  it('hands out creation options for this site and the user, then registers the passkey once, with a notice', async () => {
    const { user, token } = await createSignedInUser(api);
    const options = await registrationOptions(api, token);
    expect(options.rp.id).toBe(new URL(api.config.publicOrigin).hostname);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.user.name).toBe(user.email);
    expect(options.user.id).toMatch(/^[A-Za-z0-9_-]+$/);
    // The user handle is opaque: not the e-mail, not the database id in clear.
    expect(Buffer.from(options.user.id, 'base64url').toString()).not.toContain(user.email);
    expect(options.pubKeyCredParams.map((param) => param.alg)).toContain(-7);
    expect(options.authenticatorSelection?.residentKey).toMatch(/required|preferred/);
    expect(options.excludeCredentials ?? []).toEqual([]);

    const authenticator = authenticatorOnSite();
    const response = authenticator.register(options);
    const passkey = ok(await register(token, response, 'Laptop')).registerPasskey;
    expect(passkey).toMatchObject({
      name: 'Laptop',
      lastUsedAt: null,
      multiDevice: true,
      backedUp: true,
    });
    expect(await listPasskeys(token)).toEqual([passkey]);
    const stored = await PasskeyModel.findById(passkey.id).lean();
    expect(stored?.credentialId).toBe(response.id);
    expect(stored?.counter).toBe(0);

    const notice = await mailTo(api, user.email, NOTICE);
    expect(notice.text).toMatch(/passkey/i);
    expect(notice.text).toContain('Laptop');

    // Replaying the same registration (same challenge, same credential) is refused.
    const replay = await register(token, response, 'Again');
    expect(errorCode(replay)).toBe('BAD_USER_INPUT');
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(1);

    // The next options exclude it, so the browser does not register the same authenticator twice.
    const next = await registrationOptions(api, token);
    expect(next.excludeCredentials?.map((descriptor) => descriptor.id)).toEqual([response.id]);
    expect(next.user.id).toBe(options.user.id);
    expect(next.challenge).not.toBe(options.challenge);
  });

  it('names a passkey after its kind of device when no name is given; refuses a blank or long name', async () => {
    const { token } = await createSignedInUser(api);
    const authenticator = authenticatorOnSite();
    const blank = await register(
      token,
      authenticator.register(await registrationOptions(api, token)),
      '   ',
    );
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');
    const long = await register(
      token,
      authenticator.register(await registrationOptions(api, token), {
        ignoreExcludeCredentials: true,
      }),
      'x'.repeat(61),
    );
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    const unnamed = ok(
      await register(
        token,
        authenticator.register(await registrationOptions(api, token), {
          ignoreExcludeCredentials: true,
        }),
      ),
    ).registerPasskey;
    expect(unnamed.name.trim().length).toBeGreaterThan(0);
  });

  it('records a single-device passkey as such', async () => {
    const { passkey } = await userWithPasskey({ flags: { be: false, bs: false } });
    expect(passkey).toMatchObject({ multiDevice: false, backedUp: false });
  });

  it.each<[string, Parameters<SoftwareAuthenticator['register']>[1]]>([
    ['another origin', { origin: 'https://evil.test' }],
    ['another RP ID', { rpId: 'evil.test' }],
    ['a challenge the API never issued', { challenge: randomBytes(32).toString('base64url') }],
    ['a sign-in ceremony type', { type: 'webauthn.get' }],
    ['no user presence', { flags: { up: false } }],
    ['tampered authenticator data', { tamper: 'authenticatorData' }],
    ['backed up but not backup eligible', { flags: { be: false, bs: true } }],
  ])('refuses a registration with %s, storing nothing', async (_label, overrides) => {
    const { user, token } = await createSignedInUser(api);
    const options = await registrationOptions(api, token);
    const result = await register(token, authenticatorOnSite().register(options, overrides));
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(firstError(result).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'response' }),
    ]);
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(0);
  });

  it('a failed registration uses the challenge up: the honest response after it is refused too', async () => {
    const { user, token } = await createSignedInUser(api);
    const options = await registrationOptions(api, token);
    const authenticator = authenticatorOnSite();
    expect(
      errorCode(
        await register(token, authenticator.register(options, { origin: 'https://evil.test' })),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(errorCode(await register(token, authenticator.register(options)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(0);
  });

  it('refuses a challenge issued to another session, or to another user', async () => {
    const owner = await createSignedInUser(api);
    const options = await registrationOptions(api, owner.token);
    const response = authenticatorOnSite().register(options);

    // The same person signed in elsewhere (a second session) cannot use this session's challenge.
    const otherSession = ok(
      await execute<{ signIn: SignInResultData }>(
        api,
        OPS.signIn,
        { input: { email: owner.user.email, password: owner.user.password } },
        asKey(api),
      ),
    ).signIn;
    if (otherSession.__typename !== 'AuthPayload') throw new Error('expected tokens');
    expect(errorCode(await register(otherSession.accessToken, response))).toBe('BAD_USER_INPUT');

    const stranger = await createSignedInUser(api);
    expect(errorCode(await register(stranger.token, response))).toBe('BAD_USER_INPUT');
    expect(await PasskeyModel.countDocuments({ user: stranger.user._id })).toBe(0);
    expect(await PasskeyModel.countDocuments({ user: owner.user._id })).toBe(0);
  });

  it('refuses a re-authentication or sign-in challenge used to register', async () => {
    const { user, token } = await userWithPasskey();
    const reauth = ok(
      await execute<{ passkeyReauthenticationOptions: PublicKeyCredentialRequestOptionsJSON }>(
        api,
        OPS.passkeyReauthenticationOptions,
        {},
        { token },
      ),
    ).passkeyReauthenticationOptions;
    const signIn = await signInOptions(api);
    const options = await registrationOptions(api, token);
    for (const challenge of [reauth.challenge, signIn.challenge]) {
      const response = authenticatorOnSite().register({ ...options, challenge });
      expect(errorCode(await register(token, response))).toBe('BAD_USER_INPUT');
    }
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(1);
  });

  it('refuses an expired challenge (5 minutes)', async () => {
    const { user, token } = await createSignedInUser(api);
    const options = await registrationOptions(api, token);
    const challenge = await WebAuthnChallengeModel.findOne({ challenge: options.challenge }).lean();
    expect(challenge?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60 * 1000);
    expect(challenge?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 4 * 60 * 1000);
    await WebAuthnChallengeModel.updateOne(
      { challenge: options.challenge },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    expect(errorCode(await register(token, authenticatorOnSite().register(options)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(0);
  });

  it('refuses a credential id already registered, to this account or another', async () => {
    const victim = await userWithPasskey();
    const attacker = await createSignedInUser(api);
    const idBytes = Buffer.from(victim.credentialId, 'base64url');
    const copy = authenticatorOnSite().register(await registrationOptions(api, attacker.token), {
      credentialId: idBytes,
    });
    const result = await register(attacker.token, copy);
    expect(['BAD_USER_INPUT', 'CONFLICT']).toContain(errorCode(result));
    const stored = await PasskeyModel.find({ credentialId: victim.credentialId }).lean();
    expect(stored.map((passkey) => String(passkey.user))).toEqual([victim.user._id.toHexString()]);
  });

  it.each<[string, unknown]>([
    ['an oversized response', 'oversized'],
    ['a string', 'just a string'],
    ['an array', []],
    ['null members', { id: null, rawId: null, type: 'public-key', response: null }],
    ['an object without a response', { id: 'abc', rawId: 'abc', type: 'public-key' }],
    [
      'garbage base64url',
      {
        id: '!!',
        rawId: '!!',
        type: 'public-key',
        response: { clientDataJSON: '%%', attestationObject: '%%' },
      },
    ],
  ])('refuses %s with BAD_USER_INPUT, not a crash', async (_label, value) => {
    const { user, token } = await createSignedInUser(api);
    const options = await registrationOptions(api, token);
    let response = value;
    if (value === 'oversized') {
      const honest = authenticatorOnSite().register(options);
      response = {
        ...honest,
        clientExtensionResults: { padding: 'x'.repeat(64 * 1024) },
      };
    }
    const result = await register(token, response);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(0);
  });

  it('puts the passkey name into the notice as text, never as markup', async () => {
    const { user, token } = await createSignedInUser(api);
    const name = '<img src=x onerror=alert(1)>';
    ok(
      await register(
        token,
        authenticatorOnSite().register(await registrationOptions(api, token)),
        name,
      ),
    );
    const notice = await mailTo(api, user.email, NOTICE);
    expect(notice.text).toContain(name);
    expect(notice.html).not.toContain('<img');
    expect(notice.html).toContain('&lt;img');
  });

  it('keeps at most 20 passkeys per account (CONFLICT after)', async () => {
    const { user, token } = await createSignedInUser(api);
    // Twenty devices (one authenticator holds one passkey per account: excludeCredentials).
    for (let count = 0; count < 20; count += 1) {
      ok(
        await register(
          token,
          authenticatorOnSite().register(await registrationOptions(api, token)),
        ),
      );
    }
    expect(errorCode(await execute(api, OPS.passkeyRegistrationOptions, {}, { token }))).toBe(
      'CONFLICT',
    );
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBe(20);
  });

  it('needs a signed-in user', async () => {
    expect(errorCode(await execute(api, OPS.passkeyRegistrationOptions, {}, asKey(api)))).toBe(
      'UNAUTHENTICATED',
    );
    // A well-formed response (so validation passes) from a user's own ceremony.
    const { token } = await createSignedInUser(api);
    const response = authenticatorOnSite().register(await registrationOptions(api, token));
    expect(errorCode(await execute(api, OPS.registerPasskey, { response }, asKey(api)))).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('sign-in with a passkey', () => {
  it('discoverable: options without an e-mail, the authenticator picks the account; the passkey records its use', async () => {
    const { user, authenticator, passkey } = await userWithPasskey();
    const options = await signInOptions(api);
    expect(options.rpId).toBe(new URL(api.config.publicOrigin).hostname);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const payload = signedInPayload(await passkeySignIn(api, authenticator.authenticate(options)));
    expect(payload.user).toMatchObject({ id: user._id.toHexString(), email: user.email });
    expect(await tokenWorks(api, payload.accessToken)).toBe(true);
    // A sign-in event: the step-up window is open right away.
    const session = await SessionModel.findById(sessionIdOf(payload.accessToken)).lean();
    expect(session?.authenticatedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(session?.rememberMe).toBe(false);

    const [listed] = await listPasskeys(payload.accessToken);
    expect(listed?.id).toBe(passkey.id);
    expect(listed?.lastUsedAt).not.toBeNull();
    expect((await PasskeyModel.findById(passkey.id).lean())?.counter).toBe(1);
  });

  it('with an e-mail: the options list that account’s passkeys, and a non-discoverable one signs in', async () => {
    const { user, authenticator, credentialId } = await userWithPasskey(
      {},
      { discoverable: false },
    );
    await userWithPasskey(); // someone else's passkey is never listed
    const options = await signInOptions(api, user.email);
    // Its passkey among decoys: always PASSKEY_LIMITS.perUser ids (see the probing test).
    const listed = options.allowCredentials?.map((descriptor) => descriptor.id) ?? [];
    expect(listed).toContain(credentialId);
    expect(listed).toHaveLength(PASSKEY_LIMITS.perUser);
    const response = authenticator.authenticate(options);
    expect(response.response.userHandle).toBeUndefined();
    const payload = signedInPayload(await passkeySignIn(api, response, true));
    expect(payload.user.id).toBe(user._id.toHexString());
    expect((await SessionModel.findById(sessionIdOf(payload.accessToken)).lean())?.rememberMe).toBe(
      true,
    );
  });

  it('answers an unknown e-mail like a known one (no account probing)', async () => {
    const known = await userWithPasskey();
    const nobody = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    const unknownOptions = await signInOptions(api, nobody);
    const knownOptions = await signInOptions(api, known.user.email);
    expect(Object.keys(unknownOptions).sort()).toEqual(Object.keys(knownOptions).sort());
    // An empty list would say "no such account" (or "no passkey"): a credential id is listed
    // instead, shaped like a real one and the same on every ask, as a real account's would be.
    const ids = (options: PublicKeyCredentialRequestOptionsJSON) =>
      (options.allowCredentials ?? []).map((descriptor) => descriptor.id);
    expect(ids(unknownOptions)).toHaveLength(ids(knownOptions).length);
    expect(ids(unknownOptions)[0]).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    // Down to the descriptor's members: a decoy without the `transports` a real one carries
    // tells them apart just as well.
    const shape = (options: PublicKeyCredentialRequestOptionsJSON) =>
      (options.allowCredentials ?? []).map((descriptor) => Object.keys(descriptor).sort());
    expect(shape(unknownOptions)).toEqual(shape(knownOptions));
    expect(ids(await signInOptions(api, nobody))).toEqual(ids(unknownOptions));
    expect(ids(await signInOptions(api, known.user.email))).toEqual(ids(knownOptions));
    // A password account without passkeys looks the same.
    const passwordOnly = await createSignedInUser(api);
    expect(ids(await signInOptions(api, passwordOnly.user.email))).toHaveLength(
      PASSKEY_LIMITS.perUser,
    );
    // And an account with more passkeys (or a security key's transports) answers alike: always
    // the same number of ids, sorted, without transports.
    const two = await userWithPasskey();
    await addPasskey(api, two.token, authenticatorOnSite());
    const twoOptions = await signInOptions(api, two.user.email);
    expect(ids(twoOptions)).toHaveLength(PASSKEY_LIMITS.perUser);
    expect(ids(twoOptions)).toEqual([...ids(twoOptions)].sort());
    expect(shape(twoOptions)).toEqual(shape(unknownOptions));
  });

  it('accepts a response once: the replay of the same response is refused', async () => {
    const { user, authenticator } = await userWithPasskey();
    const response = authenticator.authenticate(await signInOptions(api));
    signedInPayload(await passkeySignIn(api, response));
    await expectSignInRefused(user._id, passkeySignIn(api, response));
  });

  it('one response sent twice at the same moment signs in exactly once', async () => {
    const { user, authenticator } = await userWithPasskey();
    const response = authenticator.authenticate(await signInOptions(api));
    const before = await SessionModel.countDocuments({ user: user._id });
    const results = await Promise.all([1, 2, 3].map(() => passkeySignIn(api, response)));
    expect(results.filter((result) => result.errors === undefined)).toHaveLength(1);
    expect(await SessionModel.countDocuments({ user: user._id })).toBe(before + 1);
  });

  it('refuses an expired challenge', async () => {
    const { user, authenticator } = await userWithPasskey();
    const options = await signInOptions(api);
    await WebAuthnChallengeModel.updateOne(
      { challenge: options.challenge },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    await expectSignInRefused(user._id, passkeySignIn(api, authenticator.authenticate(options)));
  });

  it('refuses a registration or re-authentication challenge used to sign in', async () => {
    const { user, token, authenticator } = await userWithPasskey();
    const registration = await registrationOptions(api, token);
    const asSignIn: PublicKeyCredentialRequestOptionsJSON = {
      challenge: registration.challenge,
      rpId: registration.rp.id,
    };
    await expectSignInRefused(user._id, passkeySignIn(api, authenticator.authenticate(asSignIn)));
    const reauth = ok(
      await execute<{ passkeyReauthenticationOptions: PublicKeyCredentialRequestOptionsJSON }>(
        api,
        OPS.passkeyReauthenticationOptions,
        {},
        { token },
      ),
    ).passkeyReauthenticationOptions;
    await expectSignInRefused(user._id, passkeySignIn(api, authenticator.authenticate(reauth)));
  });

  it.each<[string, Parameters<SoftwareAuthenticator['authenticate']>[1]]>([
    ['another origin', { origin: 'https://evil.test' }],
    ['a look-alike origin (other port)', { origin: 'http://site.test:8080' }],
    ['another RP ID', { rpId: 'evil.test' }],
    ['a challenge the API never issued', { challenge: randomBytes(32).toString('base64url') }],
    ['a registration ceremony type', { type: 'webauthn.create' }],
    ['a tampered signature', { tamper: 'signature' }],
    ['tampered clientDataJSON', { tamper: 'clientDataJSON' }],
    ['tampered authenticator data', { tamper: 'authenticatorData' }],
    ['no user presence', { flags: { up: false } }],
  ])('refuses %s', async (_label, overrides) => {
    const { user, authenticator, passkey } = await userWithPasskey();
    const options = await signInOptions(api);
    await expectSignInRefused(
      user._id,
      passkeySignIn(api, authenticator.authenticate(options, overrides)),
    );
    // Nothing about the passkey moved.
    expect(await PasskeyModel.findById(passkey.id).lean()).toMatchObject({
      counter: 0,
      lastUsedAt: null,
    });
  });

  it('detects a cloned authenticator: a counter that does not go up is refused and not stored', async () => {
    const { user, authenticator, passkey } = await userWithPasskey({ counterMode: 'increment' });
    signedInPayload(await passkeySignIn(api, authenticator.authenticate(await signInOptions(api))));
    signedInPayload(await passkeySignIn(api, authenticator.authenticate(await signInOptions(api))));
    expect((await PasskeyModel.findById(passkey.id).lean())?.counter).toBe(2);

    for (const signCount of [2, 1, 0]) {
      await expectSignInRefused(
        user._id,
        passkeySignIn(api, authenticator.authenticate(await signInOptions(api), { signCount })),
      );
    }
    expect((await PasskeyModel.findById(passkey.id).lean())?.counter).toBe(2);
  });

  it('a passkey without a counter (always 0) keeps signing in', async () => {
    const { authenticator, passkey } = await userWithPasskey({ counterMode: 'fixed' });
    for (let round = 0; round < 3; round += 1) {
      signedInPayload(
        await passkeySignIn(api, authenticator.authenticate(await signInOptions(api))),
      );
    }
    expect((await PasskeyModel.findById(passkey.id).lean())?.counter).toBe(0);
  });

  it('refuses a passkey whose backup eligibility changed (it is fixed for a credential’s life)', async () => {
    const synced = await userWithPasskey();
    await expectSignInRefused(
      synced.user._id,
      passkeySignIn(
        api,
        synced.authenticator.authenticate(await signInOptions(api), {
          flags: { be: false, bs: false },
        }),
      ),
    );
    const deviceBound = await userWithPasskey({ flags: { be: false, bs: false } });
    await expectSignInRefused(
      deviceBound.user._id,
      passkeySignIn(
        api,
        deviceBound.authenticator.authenticate(await signInOptions(api), {
          flags: { be: true, bs: true },
        }),
      ),
    );
    expect((await PasskeyModel.findById(synced.passkey.id).lean())?.multiDevice).toBe(true);
    expect((await PasskeyModel.findById(deviceBound.passkey.id).lean())?.multiDevice).toBe(false);
  });

  it('follows the backed-up state as it changes (a synced passkey may stop or start being backed up)', async () => {
    const { authenticator, passkey } = await userWithPasskey();
    const payload = signedInPayload(
      await passkeySignIn(
        api,
        authenticator.authenticate(await signInOptions(api), { flags: { bs: false } }),
      ),
    );
    expect((await listPasskeys(payload.accessToken))[0]).toMatchObject({
      id: passkey.id,
      multiDevice: true,
      backedUp: false,
    });
  });

  it('refuses a user handle that is not the passkey’s owner', async () => {
    const victim = await userWithPasskey();
    const attacker = await userWithPasskey();
    // The attacker's own (valid) passkey, claiming to be the victim's account.
    const response = attacker.authenticator.authenticate(await signInOptions(api), {
      userHandle: victim.userHandle,
    });
    const attackerSessions = await SessionModel.countDocuments({ user: attacker.user._id });
    await expectSignInRefused(victim.user._id, passkeySignIn(api, response));
    // Nor does it sign in the passkey's real owner under someone else's handle.
    expect(await SessionModel.countDocuments({ user: attacker.user._id })).toBe(attackerSessions);
  });

  it('refuses a discoverable sign-in whose response names no user (WebAuthn L3 §7.2 step 6)', async () => {
    const { user, authenticator } = await userWithPasskey();
    const response = authenticator.authenticate(await signInOptions(api), { userHandle: null });
    expect(response.response.userHandle).toBeUndefined();
    await expectSignInRefused(user._id, passkeySignIn(api, response));
    // The same passkey with its handle still signs in.
    signedInPayload(await passkeySignIn(api, authenticator.authenticate(await signInOptions(api))));
  });

  it('refuses another user’s credential id signed with a different key', async () => {
    const victim = await userWithPasskey();
    const attacker = await userWithPasskey();
    const response = attacker.authenticator.authenticate(await signInOptions(api), {
      responseId: victim.credentialId,
      userHandle: victim.userHandle,
    });
    await expectSignInRefused(victim.user._id, passkeySignIn(api, response));
  });

  it('refuses a passkey that was removed, and an unknown credential', async () => {
    const { user, token, authenticator, passkey } = await userWithPasskey();
    ok(await execute(api, OPS.removePasskey, { id: passkey.id }, { token }));
    await expectSignInRefused(
      user._id,
      passkeySignIn(api, authenticator.authenticate(await signInOptions(api))),
    );
    const stranger = authenticatorOnSite();
    stranger.register(await registrationOptions(api, token));
    await expectSignInRefused(
      user._id,
      passkeySignIn(api, stranger.authenticate(await signInOptions(api))),
    );
  });

  it('refuses an oversized or malformed response with BAD_USER_INPUT', async () => {
    const { authenticator } = await userWithPasskey();
    const honest = authenticator.authenticate(await signInOptions(api));
    for (const response of [
      { ...honest, clientExtensionResults: { padding: 'x'.repeat(64 * 1024) } },
      'string',
      { ...honest, response: { ...honest.response, clientDataJSON: 42 } },
    ]) {
      expect(errorCode(await passkeySignIn(api, response))).toBe('BAD_USER_INPUT');
    }
  });

  it('limits the sign-in options (each stores a challenge) per client address', async () => {
    const { points } = api.config.requestLimits.passkeyOptionsPerIp;
    const ip = '10.250.1.1';
    const results = [];
    for (let call = 0; call <= points; call += 1) {
      results.push(
        await execute(api, OPS.passkeySignInOptions, {}, { apiKey: api.publicApiKey, ip }),
      );
    }
    expect(results.slice(0, points).every((result) => result.errors === undefined)).toBe(true);
    const refused = results[points] ?? { data: null, errors: undefined };
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(firstError(refused).extensions?.retryAfter).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await execute(api, OPS.passkeySignInOptions, {}, asKey(api))).errors).toBeUndefined();
  });

  it('needs a key with signin:auth', async () => {
    const { token, authenticator } = await userWithPasskey();
    const response = authenticator.authenticate(await signInOptions(api));
    expect(errorCode(await execute(api, OPS.signInWithPasskey, { response }, { token }))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await execute(api, OPS.passkeySignInOptions, {}, { token }))).toBe(
      'FORBIDDEN',
    );
  });

  it('without two-factor, a passkey that only tested presence (no UV) still signs in', async () => {
    const { authenticator } = await userWithPasskey();
    const result = ok(
      await passkeySignIn(
        api,
        authenticator.authenticate(await signInOptions(api), { flags: { uv: false } }),
      ),
    ).signInWithPasskey;
    expect(result.__typename).toBe('AuthPayload');
  });

  describe('with two-factor on', () => {
    it('a user-verified passkey signs in alone; one without user verification asks for the code', async () => {
      await withTimeLeftInStep();
      const { user, token, authenticator } = await userWithPasskey();
      const { secret } = await enrolTotp(api, token);

      const verified = ok(
        await passkeySignIn(api, authenticator.authenticate(await signInOptions(api))),
      ).signInWithPasskey;
      expect(verified.__typename).toBe('AuthPayload');

      const presentOnly = ok(
        await passkeySignIn(
          api,
          authenticator.authenticate(await signInOptions(api), { flags: { uv: false } }),
        ),
      ).signInWithPasskey;
      if (presentOnly.__typename !== 'MfaRequired') throw new Error('expected MfaRequired');
      const before = await SessionModel.countDocuments({ user: user._id });
      const done = ok(
        await verifySecondFactor(api, {
          challengeId: presentOnly.challengeId,
          code: totpCode(secret, { stepOffset: 1 }),
        }),
      ).verifySecondFactor;
      expect(done.user.id).toBe(user._id.toHexString());
      expect(await SessionModel.countDocuments({ user: user._id })).toBe(before + 1);
    });
  });
});

describe('managing passkeys', () => {
  it('renames one’s own passkey; another user’s passkey id changes nothing', async () => {
    const owner = await userWithPasskey({}, { name: 'Phone' });
    const renamed = ok(
      await execute<{ renamePasskey: PasskeyData }>(
        api,
        OPS.renamePasskey,
        { id: owner.passkey.id, name: ' Work phone ' },
        { token: owner.token },
      ),
    ).renamePasskey;
    expect(renamed).toMatchObject({ id: owner.passkey.id, name: 'Work phone' });

    const attacker = await createSignedInUser(api);
    const result = await execute(
      api,
      OPS.renamePasskey,
      { id: owner.passkey.id, name: 'pwned' },
      { token: attacker.token },
    );
    expect(errorCode(result)).toBe('NOT_FOUND');
    expect((await PasskeyModel.findById(owner.passkey.id).lean())?.name).toBe('Work phone');

    for (const id of ['not-an-id', 'f'.repeat(24), 'x'.repeat(100)]) {
      const bad = await execute(api, OPS.renamePasskey, { id, name: 'x' }, { token: owner.token });
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(errorCode(bad));
    }
  });

  it('removes one’s own passkey with a notice; another user’s passkey id removes nothing', async () => {
    const owner = await userWithPasskey({}, { name: 'Tablet' });
    const attacker = await createSignedInUser(api);
    await outboxSettled(api);
    api.mailbox.clear();

    const theirs = await execute<{ removePasskey: boolean }>(
      api,
      OPS.removePasskey,
      { id: owner.passkey.id },
      { token: attacker.token },
    );
    if (theirs.errors === undefined) expect(theirs.data?.removePasskey).toBe(false);
    else expect(errorCode(theirs)).toBe('NOT_FOUND');
    expect(await PasskeyModel.exists({ _id: owner.passkey.id })).toBeTruthy();

    const mine = ok(
      await execute<{ removePasskey: boolean }>(
        api,
        OPS.removePasskey,
        { id: owner.passkey.id },
        { token: owner.token },
      ),
    );
    expect(mine.removePasskey).toBe(true);
    expect(await listPasskeys(owner.token)).toEqual([]);
    const notice = await mailTo(api, owner.user.email, NOTICE);
    expect(notice.text).toMatch(/removed/i);
    expect(notice.text).toContain('Tablet');
    await outboxSettled(api);
    expect(mailsTo(api, attacker.user.email)).toEqual([]);
  });

  it('lists only the caller’s passkeys, also in accountSecurity', async () => {
    const owner = await userWithPasskey({}, { name: 'Mine' });
    await userWithPasskey({}, { name: 'Theirs' });
    expect((await listPasskeys(owner.token)).map((passkey) => passkey.name)).toEqual(['Mine']);
    const security = await accountSecurity(api, owner.token);
    expect(security.passkeys.map((passkey) => passkey.name)).toEqual(['Mine']);
    expect(security.reauthenticationMethods).toContain('PASSKEY');
  });

  it('gives every user a user handle of their own', async () => {
    const a = await createSignedInUser(api);
    const b = await createSignedInUser(api);
    const handleA = (await registrationOptions(api, a.token)).user.id;
    const handleB = (await registrationOptions(api, b.token)).user.id;
    expect(handleA).not.toBe(handleB);
    expect((await registrationOptions(api, a.token)).user.id).toBe(handleA);
  });
});
