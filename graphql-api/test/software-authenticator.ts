import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A WebAuthn authenticator in software, for jest tests without a browser: it answers the options
 * JSON the API hands out with exactly the JSON `@simplewebauthn/browser`'s `startRegistration()` /
 * `startAuthentication()` return, using real ES256 (P-256) keys, so the API's verification runs
 * unchanged. Every field an attacker controls on the client can be varied per call (flags,
 * counter, origin, RP ID, challenge, credential id, user handle, tampered bytes).
 */

/** The authenticator-data flags (WebAuthn §6.1). AT and ED are set by the authenticator itself. */
export interface AuthenticatorFlags {
  /** User present. */
  up?: boolean;
  /** User verified (PIN, biometrics). */
  uv?: boolean;
  /** Backup eligible: a synced (multi-device) passkey. Fixed for a credential's lifetime. */
  be?: boolean;
  /** Backed up (currently synced). */
  bs?: boolean;
}

/** How a credential's signature counter moves between assertions. */
export type CounterMode =
  /** +1 on every assertion (roaming security keys). */
  | 'increment'
  /** Never moves from the registered value: 0 for most synced passkeys, which do not count. */
  | 'fixed';

/** A credential this authenticator holds (its private key never leaves the test). */
export interface SoftwareCredential {
  /** base64url credential id, as in `id`/`rawId` of the responses. */
  id: string;
  rpId: string;
  /** base64url user handle (`user.id` of the registration options). */
  userHandle: string;
  /** Whether it is a discoverable (resident) credential: assertions then carry the user handle. */
  discoverable: boolean;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The COSE_Key bytes that went into the attested credential data. */
  cosePublicKey: Uint8Array<ArrayBuffer>;
  /** The counter value of the last response produced. */
  signCount: number;
  counterMode: CounterMode;
  /** The flags this credential reports by default: those it was registered with (UP always). */
  flags: Required<AuthenticatorFlags>;
}

/** What a test (or an attacker) may vary in one response. Unset = what a real authenticator does. */
interface ResponseOverrides {
  /** clientDataJSON.origin (default: the authenticator's origin). */
  origin?: string;
  /** The RP ID whose SHA-256 goes into authenticatorData (default: the options' RP ID). */
  rpId?: string;
  /** clientDataJSON.challenge (default: the options' challenge). */
  challenge?: string;
  /** clientDataJSON.type (default: webauthn.create / webauthn.get). */
  type?: string;
  /** Flags of this response, over the credential's own. */
  flags?: AuthenticatorFlags;
  /** The exact counter to report (e.g. lower than the last one, as a cloned key would). */
  signCount?: number;
  /**
   * Change bytes after signing/encoding: `signature` (assertions only: a flipped bit in the DER
   * signature), `clientDataJSON` (still valid JSON with the same members, different bytes), or
   * `authenticatorData` (a flipped bit).
   */
  tamper?: 'signature' | 'clientDataJSON' | 'authenticatorData';
}

/** Overrides for {@link SoftwareAuthenticator.register}. */
export interface RegistrationOverrides extends ResponseOverrides {
  /** A discoverable credential (default: true unless `residentKey` is `discouraged`). */
  discoverable?: boolean;
  /** The credential id bytes (default: 32 random bytes), e.g. to re-register a known id. */
  credentialId?: Uint8Array;
  /** Register even when the credential is in `excludeCredentials` (a real one refuses). */
  ignoreExcludeCredentials?: boolean;
  counterMode?: CounterMode;
}

/** Overrides for {@link SoftwareAuthenticator.authenticate}. */
export interface AuthenticationOverrides extends ResponseOverrides {
  /** Which held credential signs (default: the first that the options allow for their RP ID). */
  credentialId?: string;
  /** The `id`/`rawId` claimed in the response (default: the signing credential's id). */
  responseId?: string;
  /** `response.userHandle` (default: the credential's own for discoverable ones); null omits it. */
  userHandle?: string | null;
}

/** `authenticatorAttachment` the browser reports for this authenticator. */
export type Attachment = 'platform' | 'cross-platform';

export interface SoftwareAuthenticatorOptions {
  /** The page origin the "browser" runs on, e.g. the API's PUBLIC_ORIGIN. */
  origin: string;
  /** Default flags of new credentials (default: UP, UV, BE and BS set: a synced passkey). */
  flags?: AuthenticatorFlags;
  /** Default counter behaviour of new credentials (default: increment). */
  counterMode?: CounterMode;
  attachment?: Attachment;
  /** 16-byte AAGUID (default: zeros, as a "none" attestation commonly reports). */
  aaguid?: Uint8Array;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
const COSE_ES256 = -7;

/** base64url without padding, as WebAuthn JSON uses. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function flagsByte(flags: Required<AuthenticatorFlags>, attested: boolean): number {
  return (
    (flags.up ? FLAG_UP : 0) |
    (flags.uv ? FLAG_UV : 0) |
    (flags.be ? FLAG_BE : 0) |
    (flags.bs ? FLAG_BS : 0) |
    (attested ? FLAG_AT : 0)
  );
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

/** Flips the last byte of a base64url value (still valid base64url, different bytes). */
function flipLastByte(base64url: string): string {
  const bytes = fromBase64Url(base64url);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  return toBase64Url(bytes);
}

/** The COSE_Key (RFC 9053) of a P-256 public key: kty EC2, alg ES256, crv P-256, x, y. */
function coseKey(publicKey: KeyObject): Uint8Array<ArrayBuffer> {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) throw new Error('not an EC public key');
  return new Uint8Array(
    isoCBOR.encode(
      new Map<number, CborValue>([
        [1, 2],
        [3, COSE_ES256],
        [-1, 1],
        [-2, fromBase64Url(jwk.x)],
        [-3, fromBase64Url(jwk.y)],
      ]),
    ),
  );
}

type CborValue = Parameters<typeof isoCBOR.encode>[0];

/** The CBOR attestation object of a "none" attestation: fmt, an empty attStmt, authData. */
function noneAttestation(authData: Uint8Array): Uint8Array {
  return isoCBOR.encode(
    new Map<string, CborValue>([
      ['fmt', 'none'],
      ['attStmt', new Map<string, CborValue>()],
      ['authData', authData],
    ]),
  );
}

function clientDataJSON(type: string, challenge: string, origin: string): string {
  // Members in the order browsers write them; the server hashes the exact bytes.
  return toBase64Url(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })));
}

/**
 * Tampering clientDataJSON keeps it valid JSON and changes what was signed: a space before the
 * closing brace (a parser ignores it, the hash does not).
 */
function tamperClientData(base64url: string): string {
  const text = Buffer.from(base64url, 'base64url').toString('utf8');
  return toBase64Url(Buffer.from(`${text.slice(0, -1)} }`));
}

/** A software WebAuthn authenticator holding any number of ES256 credentials. */
export class SoftwareAuthenticator {
  readonly origin: string;
  readonly credentials = new Map<string, SoftwareCredential>();
  private readonly defaultFlags: Required<AuthenticatorFlags>;
  private readonly counterMode: CounterMode;
  private readonly attachment: Attachment;
  private readonly aaguid: Uint8Array;

  constructor(options: SoftwareAuthenticatorOptions) {
    this.origin = options.origin;
    this.defaultFlags = { up: true, uv: true, be: true, bs: true, ...options.flags };
    this.counterMode = options.counterMode ?? 'increment';
    this.attachment = options.attachment ?? 'platform';
    this.aaguid = options.aaguid ?? new Uint8Array(16);
    if (this.aaguid.length !== 16) throw new Error('an AAGUID is 16 bytes');
  }

  /** The credential with this id (throws when this authenticator does not hold it). */
  credential(id: string): SoftwareCredential {
    const credential = this.credentials.get(id);
    if (!credential) throw new Error(`no credential ${id} on this authenticator`);
    return credential;
  }

  /**
   * `navigator.credentials.create()` + `startRegistration()`'s JSON: a new credential for
   * `options.rp.id` (or the hostname of the origin when the options have none), attestation "none".
   */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: RegistrationOverrides = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    if (!options.pubKeyCredParams.some((param) => param.alg === COSE_ES256)) {
      throw new Error('NotSupportedError: the options do not accept ES256');
    }
    if (!overrides.ignoreExcludeCredentials) {
      const held = (options.excludeCredentials ?? []).find(
        (excluded) => this.credentials.get(excluded.id)?.rpId === rpId,
      );
      if (held) throw new Error(`InvalidStateError: credential ${held.id} is excluded`);
    }

    const idBytes = overrides.credentialId ?? randomBytes(32);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cosePublicKey = coseKey(publicKey);
    const flags = { ...this.defaultFlags, ...overrides.flags };
    const credential: SoftwareCredential = {
      id: toBase64Url(idBytes),
      rpId,
      userHandle: options.user.id,
      discoverable:
        overrides.discoverable ?? options.authenticatorSelection?.residentKey !== 'discouraged',
      privateKey,
      publicKey,
      cosePublicKey,
      signCount: overrides.signCount ?? 0,
      counterMode: overrides.counterMode ?? this.counterMode,
      flags: { ...flags, up: true },
    };

    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(idBytes.length);
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? rpId),
      Buffer.of(flagsByte(flags, true)),
      uint32(credential.signCount),
      this.aaguid,
      idLength,
      idBytes,
      cosePublicKey,
    ]);
    const attestationObject = noneAttestation(new Uint8Array(authData));

    let clientData = clientDataJSON(
      overrides.type ?? 'webauthn.create',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    let authenticatorData = toBase64Url(authData);
    let attestation = toBase64Url(attestationObject);
    if (overrides.tamper === 'clientDataJSON') clientData = tamperClientData(clientData);
    if (overrides.tamper === 'authenticatorData') {
      // The rpIdHash's first byte: inside the CBOR byte string, so the object still decodes.
      authenticatorData = flipFirstByte(authenticatorData);
      attestation = toBase64Url(noneAttestation(fromBase64Url(authenticatorData)));
    }
    if (overrides.tamper === 'signature') {
      throw new Error('a "none" attestation has no signature to tamper with');
    }

    this.credentials.set(credential.id, credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: this.attachment,
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientData,
        attestationObject: attestation,
        authenticatorData,
        transports: this.attachment === 'platform' ? ['internal', 'hybrid'] : ['usb'],
        publicKeyAlgorithm: COSE_ES256,
        publicKey: toBase64Url(publicKey.export({ format: 'der', type: 'spki' })),
      },
    };
  }

  /**
   * `navigator.credentials.get()` + `startAuthentication()`'s JSON: an assertion signed over
   * authenticatorData || SHA-256(clientDataJSON) with DER-encoded ECDSA, as browsers return it.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: AuthenticationOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const credential = this.pick(options, rpId, overrides.credentialId);

    const flags = { ...credential.flags, ...overrides.flags };
    const signCount =
      overrides.signCount ??
      (credential.counterMode === 'increment' ? credential.signCount + 1 : credential.signCount);
    credential.signCount = signCount;

    const authData = Buffer.concat([
      sha256(overrides.rpId ?? rpId),
      Buffer.of(flagsByte(flags, false)),
      uint32(signCount),
    ]);
    const clientData = clientDataJSON(
      overrides.type ?? 'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(Buffer.from(clientData, 'base64url'))]),
      { key: credential.privateKey, dsaEncoding: 'der' },
    );

    let response: AuthenticationResponseJSON['response'] = {
      clientDataJSON: clientData,
      authenticatorData: toBase64Url(authData),
      signature: toBase64Url(signature),
    };
    if (overrides.tamper === 'signature') {
      // The DER signature's last byte belongs to s: still well-formed, no longer valid.
      response = { ...response, signature: flipLastByte(response.signature) };
    }
    if (overrides.tamper === 'clientDataJSON') {
      response = { ...response, clientDataJSON: tamperClientData(response.clientDataJSON) };
    }
    if (overrides.tamper === 'authenticatorData') {
      response = { ...response, authenticatorData: flipLastByte(response.authenticatorData) };
    }
    const userHandle =
      overrides.userHandle === undefined
        ? credential.discoverable
          ? credential.userHandle
          : undefined
        : (overrides.userHandle ?? undefined);
    if (userHandle !== undefined) response = { ...response, userHandle };

    const id = overrides.responseId ?? credential.id;
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: this.attachment,
      clientExtensionResults: {},
      response,
    };
  }

  /** The credential a browser would offer: one in allowCredentials, or any discoverable one. */
  private pick(
    options: PublicKeyCredentialRequestOptionsJSON,
    rpId: string,
    wanted: string | undefined,
  ): SoftwareCredential {
    if (wanted !== undefined) return this.credential(wanted);
    const allowed = options.allowCredentials ?? [];
    const candidates = [...this.credentials.values()].filter(
      (credential) =>
        credential.rpId === rpId &&
        (allowed.length === 0
          ? credential.discoverable
          : allowed.some((descriptor) => descriptor.id === credential.id)),
    );
    const [first] = candidates;
    if (!first) throw new Error(`NotAllowedError: no credential for ${rpId} on this authenticator`);
    return first;
  }
}

function flipFirstByte(base64url: string): string {
  const bytes = fromBase64Url(base64url);
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return toBase64Url(bytes);
}
