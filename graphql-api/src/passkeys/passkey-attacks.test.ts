import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { errorCode, execute, startApi } from '../../test/execute-operation';
import type { OperationResult } from '../../test/execute-operation';
import { addPasskey, asKey, OPS, sessionIdOf, signInOptions } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { SoftwareAuthenticator } from '../../test/software-authenticator';
import type { SoftwareAuthenticatorOptions } from '../../test/software-authenticator';
import type { TestApi } from '../testing';
import { UserModel } from '../users';
import { PasskeyModel, WebAuthnChallengeModel } from './index';

/** Issue 14 review: attacks on the passkey ceremonies, each of which once got through. */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const onSite = (options: Omit<SoftwareAuthenticatorOptions, 'origin'> = {}) =>
  new SoftwareAuthenticator({ origin: api.config.publicOrigin, ...options });

/** A JSON value nested `depth` arrays deep (about 2 bytes a level: within the 100 KiB body). */
function nested(depth: number): unknown {
  return JSON.parse('['.repeat(depth) + ']'.repeat(depth));
}

describe('passkeySignInOptions(email) tells nothing about the address', () => {
  const descriptors = (options: PublicKeyCredentialRequestOptionsJSON) =>
    (options.allowCredentials ?? []).map(({ id, ...rest }) => ({
      idLength: id.length,
      ...rest,
      transports: [...(rest.transports ?? [])].sort(),
    }));

  it('an account with two passkeys answers like an unknown address (same number of credentials)', async () => {
    const known = await createSignedInUser(api);
    await addPasskey(api, known.token, onSite());
    await addPasskey(api, known.token, onSite());
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;

    const knownOptions = await signInOptions(api, known.user.email);
    const unknownOptions = await signInOptions(api, unknown);
    // Before the fix: 2 descriptors for the account, 1 decoy for the unknown address.
    expect(descriptors(unknownOptions)).toHaveLength(descriptors(knownOptions).length);
  });

  it('an account with a security key (transports ["usb"]) answers like an unknown address', async () => {
    const known = await createSignedInUser(api);
    await addPasskey(api, known.token, onSite({ attachment: 'cross-platform' }));
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;

    // Before the fix: [{ transports: ['usb'] }] against the decoy's ['hybrid', 'internal'].
    expect(descriptors(await signInOptions(api, unknown))).toEqual(
      descriptors(await signInOptions(api, known.user.email)),
    );
  });
});

describe('a deeply nested WebAuthn response is a bad argument, not a server error', () => {
  // IsWebAuthnResponse measures the value with JSON.stringify, which overflows the stack on a
  // value nested ~20k levels deep: a RangeError, answered as INTERNAL_SERVER_ERROR (and logged
  // as an unexpected error) instead of BAD_USER_INPUT.
  const deepExtra = () => ({
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
    type: 'public-key',
    response: { clientDataJSON: 'e30' },
    clientExtensionResults: { padding: nested(20000) },
  });

  it('signInWithPasskey', async () => {
    const result = await execute(api, OPS.signInWithPasskey, { response: deepExtra() }, asKey(api));
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });

  it('registerPasskey and reauthenticate(passkeyResponse)', async () => {
    const { token } = await createSignedInUser(api);
    const results: OperationResult<unknown>[] = [
      await execute(api, OPS.registerPasskey, { response: deepExtra() }, { token }),
      await execute(
        api,
        OPS.reauthenticate,
        { input: { passkeyResponse: deepExtra() } },
        { token },
      ),
    ];
    expect(results.map(errorCode)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('over HTTP too: no 500-class answer for a 90 KB body', async () => {
    const depth = 45000;
    const body = `{"query":${JSON.stringify(OPS.signInWithPasskey)},"variables":{"response":{"id":"a","rawId":"a","type":"public-key","response":{"clientDataJSON":"e30"},"x":${'['.repeat(depth)}${']'.repeat(depth)}}}}`;
    const response = await request(api.api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('X-API-Key', api.publicApiKey)
      .send(body);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the last way in', () => {
  it('passkeys removed at the same moment by an account with no password or Google leave one', async () => {
    // An account whose only ways in are its passkeys (in the working tree a Google-only account
    // may now disconnect Google once it has a passkey). Each removal counts the passkeys, then
    // deletes: concurrent removals all count 4 and all delete.
    const { user, token } = await createSignedInUser(api);
    const ids: string[] = [];
    for (let n = 0; n < 4; n += 1) ids.push((await addPasskey(api, token, onSite())).passkey.id);
    await UserModel.updateOne(
      { _id: user._id },
      { $set: { hasPassword: false, providers: [] }, $unset: { passwordHash: 1 } },
    );

    await Promise.all(
      ids.map((id) =>
        execute<{ removePasskey: boolean }>(api, OPS.removePasskey, { id }, { token }),
      ),
    );
    // Before the fix: usually 0 (every removal passed the "not the last one" check).
    expect(await PasskeyModel.countDocuments({ user: user._id })).toBeGreaterThanOrEqual(1);
  });
});

describe('challenge-storing options are bounded', () => {
  it('a signed-in session asking for re-authentication options 300 times keeps a bounded number of challenges', async () => {
    // passkeySignInOptions is limited per IP (each call stores a challenge); the signed-in
    // ceremonies (passkeyReauthenticationOptions: no step-up needed; passkeyRegistrationOptions)
    // store one more challenge on every call, without any limit.
    const { token } = await createSignedInUser(api);
    await addPasskey(api, token, onSite());
    let refused = 0;
    for (let call = 0; call < 300; call += 1) {
      const result = await execute(api, OPS.passkeyReauthenticationOptions, {}, { token });
      if (result.errors) refused += 1;
    }
    const stored = await WebAuthnChallengeModel.countDocuments({
      sessionId: sessionIdOf(token),
    });
    // Before the fix: 300 live challenges for one session (and refused === 0).
    expect(refused > 0 || stored <= 20).toBe(true);
  });
});
