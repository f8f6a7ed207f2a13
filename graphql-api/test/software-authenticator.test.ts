import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeAttestationObject, decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { AuthenticationOverrides, RegistrationOverrides } from './software-authenticator';
import { fromBase64Url, SoftwareAuthenticator, toBase64Url } from './software-authenticator';

// The authenticator is proven against @simplewebauthn/server itself, so API tests built on it
// fail only for the API's reasons.
const ORIGIN = 'http://site.test';
const RP_ID = 'site.test';

async function creationOptions(
  overrides: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Movie catalog',
    rpID: RP_ID,
    userName: 'ada@example.com',
    userID: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    ...overrides,
  });
}

/** Registers a credential and returns what the server would store. */
async function registered(
  authenticator: SoftwareAuthenticator,
  overrides: RegistrationOverrides = {},
): Promise<WebAuthnCredential> {
  const options = await creationOptions();
  const verification = await verifyRegistrationResponse({
    response: authenticator.register(options, overrides),
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
  });
  if (!verification.verified) throw new Error('registration did not verify');
  return verification.registrationInfo.credential;
}

async function verifyAssertion(
  response: AuthenticationResponseJSON,
  options: PublicKeyCredentialRequestOptionsJSON,
  credential: WebAuthnCredential,
): Promise<boolean> {
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential,
  });
  return result.verified;
}

describe('SoftwareAuthenticator registration', () => {
  it('produces a "none" attestation that @simplewebauthn/server verifies, with its flags', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    const response = authenticator.register(options);

    expect(response.id).toBe(response.rawId);
    expect(response.type).toBe('public-key');
    expect(decodeClientDataJSON(response.response.clientDataJSON)).toEqual({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });
    const attestation = decodeAttestationObject(fromBase64Url(response.response.attestationObject));
    expect(attestation.get('fmt')).toBe('none');

    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    expect(verification.verified).toBe(true);
    expect(verification.registrationInfo).toMatchObject({
      fmt: 'none',
      userVerified: true,
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
      origin: ORIGIN,
      rpID: RP_ID,
      credential: { id: response.id, counter: 0 },
    });
    expect(authenticator.credential(response.id).userHandle).toBe(options.user.id);
  });

  it('reports a single-device credential when BE and BS are off', async () => {
    const authenticator = new SoftwareAuthenticator({
      origin: ORIGIN,
      flags: { be: false, bs: false },
    });
    const options = await creationOptions();
    const verification = await verifyRegistrationResponse({
      response: authenticator.register(options),
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    expect(verification.registrationInfo).toMatchObject({
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
    });
  });

  it.each<[string, RegistrationOverrides, RegExp]>([
    ['another origin', { origin: 'https://evil.test' }, /origin/],
    ['another RP ID', { rpId: 'evil.test' }, /RP ID/i],
    ['another challenge', { challenge: toBase64Url(Buffer.from('x'.repeat(32))) }, /challenge/],
    ['a get instead of a create', { type: 'webauthn.get' }, /type/],
    ['no user verification', { flags: { uv: false } }, /verif/],
    ['no user presence', { flags: { up: false } }, /presen/],
    ['tampered authenticator data', { tamper: 'authenticatorData' }, /RP ID/i],
    ['BS without BE', { flags: { be: false, bs: true } }, /backed up/],
  ])('is refused by the server for %s', async (_label, overrides, message) => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    await expect(
      verifyRegistrationResponse({
        response: authenticator.register(options, overrides),
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      }),
    ).rejects.toThrow(message);
  });

  it('tampered clientDataJSON keeps its members, not its bytes (a "none" attestation signs nothing)', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    const honest = authenticator.register(options);
    const tampered = authenticator.register(options, { tamper: 'clientDataJSON' });
    expect(decodeClientDataJSON(tampered.response.clientDataJSON)).toEqual(
      decodeClientDataJSON(honest.response.clientDataJSON),
    );
    expect(tampered.response.clientDataJSON).not.toBe(honest.response.clientDataJSON);
  });

  it('refuses to register a credential it holds that the options exclude, unless told to', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const first = authenticator.register(await creationOptions());
    const options = await creationOptions({ excludeCredentials: [{ id: first.id }] });
    expect(() => authenticator.register(options)).toThrow(/InvalidStateError/);
    expect(authenticator.register(options, { ignoreExcludeCredentials: true }).id).not.toBe(
      first.id,
    );
  });
});

describe('SoftwareAuthenticator authentication', () => {
  it('signs an assertion the server verifies, with the user handle of a discoverable credential', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const credential = await registered(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const response = authenticator.authenticate(options);

    expect(response.id).toBe(credential.id);
    expect(response.response.userHandle).toBe(
      toBase64Url(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])),
    );
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential,
    });
    expect(result.verified).toBe(true);
    expect(result.authenticationInfo).toMatchObject({
      newCounter: 1,
      userVerified: true,
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
    });
  });

  it('uses only allowed credentials; a non-discoverable one sends no user handle', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    await registered(authenticator);
    const second = await registered(authenticator, { discoverable: false });
    const options = await generateAuthenticationOptions({
      rpID: RP_ID,
      allowCredentials: [{ id: second.id }],
    });
    const response = authenticator.authenticate(options);
    expect(response.id).toBe(second.id);
    expect(response.response.userHandle).toBeUndefined();
    expect(await verifyAssertion(response, options, second)).toBe(true);

    const other = new SoftwareAuthenticator({ origin: ORIGIN });
    expect(() => other.authenticate(options)).toThrow(/NotAllowedError/);
  });

  it('counts up by default, stays fixed when asked, and can go backwards', async () => {
    const counting = new SoftwareAuthenticator({ origin: ORIGIN });
    const credential = await registered(counting);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const first = await verifyAuthenticationResponse({
      response: counting.authenticate(options),
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential,
    });
    expect(first.authenticationInfo.newCounter).toBe(1);
    const stored = { ...credential, counter: 5 };
    // A clone that reports a counter at or below the stored one is refused.
    await expect(
      verifyAuthenticationResponse({
        response: counting.authenticate(options, { signCount: 5 }),
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential: stored,
      }),
    ).rejects.toThrow(/counter/);

    const fixed = new SoftwareAuthenticator({ origin: ORIGIN, counterMode: 'fixed' });
    const synced = await registered(fixed);
    for (let round = 0; round < 2; round += 1) {
      const response = fixed.authenticate(options);
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential: synced,
      });
      expect(result.authenticationInfo.newCounter).toBe(0);
    }
  });

  it.each<[string, AuthenticationOverrides]>([
    ['another origin', { origin: 'https://evil.test' }],
    ['another RP ID', { rpId: 'evil.test' }],
    ['another challenge', { challenge: toBase64Url(Buffer.from('y'.repeat(32))) }],
    ['a create instead of a get', { type: 'webauthn.create' }],
    ['no user verification', { flags: { uv: false } }],
    ['no user presence', { flags: { up: false } }],
    ['BS without BE', { flags: { be: false, bs: true } }],
  ])('is refused by the server for %s', async (_label, overrides) => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const credential = await registered(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    await expect(
      verifyAssertion(authenticator.authenticate(options, overrides), options, credential),
    ).rejects.toThrow();
  });

  it.each<[string, AuthenticationOverrides]>([
    ['a tampered signature', { tamper: 'signature' }],
    ['tampered clientDataJSON', { tamper: 'clientDataJSON' }],
    ['tampered authenticator data', { tamper: 'authenticatorData' }],
  ])('does not verify with %s', async (_label, overrides) => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const credential = await registered(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    // The honest one verifies, so the failure is the tampering's.
    expect(await verifyAssertion(authenticator.authenticate(options), options, credential)).toBe(
      true,
    );
    const verified = await verifyAssertion(
      authenticator.authenticate(options, overrides),
      options,
      credential,
    ).catch(() => false);
    expect(verified).toBe(false);
  });

  it('claiming another credential id with this key does not verify against that credential', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const victim = await registered(new SoftwareAuthenticator({ origin: ORIGIN }));
    const mine = await registered(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const response = authenticator.authenticate(options, {
      credentialId: mine.id,
      responseId: victim.id,
      userHandle: toBase64Url(Buffer.from('someone else')),
    });
    expect(response.id).toBe(victim.id);
    expect(response.rawId).toBe(victim.id);
    expect(response.response.userHandle).toBe(toBase64Url(Buffer.from('someone else')));
    expect(await verifyAssertion(response, options, victim)).toBe(false);
  });

  it('omits the user handle when told to', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    await registered(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    expect(
      authenticator.authenticate(options, { userHandle: null }).response.userHandle,
    ).toBeUndefined();
  });
});
