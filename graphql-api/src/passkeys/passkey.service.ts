import { createHmac, randomBytes } from 'node:crypto';
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
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { Types, trusted } from 'mongoose';
import type { CurrentUser } from '../context';
import type { OutboxService } from '../mail';
import { securityNotice } from '../mail';
import type { SessionService } from '../sessions';
import {
  argumentError,
  conflict,
  isDuplicateKeyError,
  notFound,
  unauthenticated,
} from '../shared/errors';
import type { RequestLimiter } from '../shared/request-limiter';
import type { User, UserService } from '../users';
import { normalizeEmail } from '../users';
import { PASSKEY_LIMITS, PasskeyModel } from './passkey.model';
import type { Passkey } from './passkey.model';
import { WebAuthnChallengeModel, WebAuthnPurpose } from './webauthn-challenge.model';
import type { WebAuthnChallenge } from './webauthn-challenge.model';

/** How long a ceremony may take, and how long its challenge is kept. */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** The relying party, from `PUBLIC_ORIGIN`: its host name is the RP ID, the origin is expected. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

/** A passkey assertion that checked out. */
export interface VerifiedPasskey {
  userId: Types.ObjectId;
  passkey: Passkey;
  /** The authenticator verified the person (PIN, biometrics): a passkey is then two factors. */
  userVerified: boolean;
}

const SIGN_IN_FAILED = 'This passkey could not sign you in; try again or use your password';
const EXPIRED = 'This passkey request has expired or was already used; try again';

/** The challenge the client data carries, if it looks like one of ours. */
function challengeOf(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const clientData = JSON.parse(
      Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'),
    ) as { challenge?: unknown };
    const challenge = clientData.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{43}$/.test(challenge)
      ? challenge
      : null;
  } catch {
    return null;
  }
}

/** The WebAuthn user handle of a user: its ObjectId's 12 bytes (never the e-mail). */
function userHandleOf(userId: Types.ObjectId): string {
  return Buffer.from(userId.toHexString(), 'hex').toString('base64url');
}

/** WebAuthn's transports (AuthenticatorTransport): anything else the client sent is dropped. */
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

function knownTransports(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((item): item is string => TRANSPORTS.has(String(item))))];
}

function defaultName(multiDevice: boolean, count: number): string {
  return `${multiDevice ? 'Synced passkey' : 'Passkey'} ${count + 1}`;
}

/**
 * Passkeys (WebAuthn, with @simplewebauthn/server): registration by a signed-in person, sign-in
 * (discoverable credentials, or an e-mail's passkeys) and re-authentication. Each ceremony uses
 * a challenge of its own purpose once, within 5 minutes; registration and re-authentication
 * challenges only in the session that asked for them. The signature counter and the backup
 * eligibility are checked on every use.
 */
export class PasskeyService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly outbox: OutboxService,
    private readonly rp: RelyingParty,
    /** Keys the decoy credential ids of e-mails without passkeys (the API's token secret). */
    private readonly decoySecret: string,
    /** Sign-in options asked for, per client IP (each one stores a challenge). */
    private readonly optionsPerIp: RequestLimiter,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user's passkeys, newest first. */
  list(userId: Types.ObjectId): Promise<Passkey[]> {
    return PasskeyModel.find({ user: userId })
      .sort({ createdAt: -1, _id: -1 })
      .limit(PASSKEY_LIMITS.perUser)
      .lean<Passkey[]>()
      .exec();
  }

  async count(userId: Types.ObjectId): Promise<number> {
    return PasskeyModel.countDocuments({ user: userId });
  }

  /**
   * Options for `navigator.credentials.create()` (startRegistration): a discoverable credential
   * for this account, excluding the ones it has. Needs a recent sign-in: a stolen session must
   * not be able to add its own way back in.
   */
  async registrationOptions(current: CurrentUser): Promise<PublicKeyCredentialCreationOptionsJSON> {
    await this.sessions.requireRecentAuthentication(current);
    const user = await this.requireUser(current.id);
    const existing = await this.list(user._id);
    if (existing.length >= PASSKEY_LIMITS.perUser) {
      throw conflict(`An account can have at most ${PASSKEY_LIMITS.perUser} passkeys`);
    }
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: user.email,
      userDisplayName: user.name,
      userID: Buffer.from(user._id.toHexString(), 'hex'),
      challenge: randomBytes(32),
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports,
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    await this.storeChallenge(options.challenge, WebAuthnPurpose.Register, current);
    return options;
  }

  /** Verifies a registration response against this session's challenge and keeps the passkey. */
  async register(current: CurrentUser, response: unknown, name?: string | null): Promise<Passkey> {
    const registration = response as RegistrationResponseJSON;
    const user = await this.requireUser(current.id);
    const stored = await this.consumeChallenge(registration, WebAuthnPurpose.Register, current);
    if (!stored) throw argumentError('response', 'challenge', EXPIRED);
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response: registration,
        expectedChallenge: stored.challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: false,
      });
    } catch (error) {
      throw argumentError(
        'response',
        'webauthn',
        `The passkey could not be verified: ${(error as Error).message}`,
      );
    }
    if (!verification.verified) {
      throw argumentError('response', 'webauthn', 'The passkey could not be verified');
    }
    const info = verification.registrationInfo;
    const count = await this.count(user._id);
    if (count >= PASSKEY_LIMITS.perUser) {
      throw conflict(`An account can have at most ${PASSKEY_LIMITS.perUser} passkeys`);
    }
    const multiDevice = info.credentialDeviceType === 'multiDevice';
    let created;
    try {
      created = await PasskeyModel.create({
        user: user._id,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: knownTransports(registration.response.transports),
        multiDevice,
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
        name: name?.trim() || defaultName(multiDevice, count),
        lastUsedAt: null,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw conflict('This passkey is registered already');
      throw error;
    }
    const passkey = created.toObject<Passkey>();
    await this.notify(user, `A passkey named “${passkey.name}” was added to your account.`);
    return passkey;
  }

  /**
   * Options for `navigator.credentials.get()` (startAuthentication). Without an e-mail any
   * discoverable passkey of this site may answer. With one, its passkeys are listed; an address
   * without passkeys (or without an account) gets decoy ids derived from it, the same on every
   * call, so the answer never tells whether the account exists.
   */
  async signInOptions(
    email: string | null | undefined,
    ip: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    await this.optionsPerIp.consume(ip);
    let allowCredentials: { id: string }[] | undefined;
    if (email) {
      const address = normalizeEmail(email);
      const user = await this.users.findByEmail(address);
      const passkeys = user ? await this.list(user._id) : [];
      // Always PASSKEY_LIMITS.perUser ids, sorted: the account's own among decoys derived from
      // the address (the same on every call), and no transports (they would tell a security
      // key from a phone). So the answer says nothing of whether, or which, passkeys exist.
      const ids = new Set(passkeys.map((passkey) => passkey.credentialId));
      for (let i = 0; ids.size < PASSKEY_LIMITS.perUser; i += 1) {
        ids.add(this.decoyCredentialId(address, i));
      }
      allowCredentials = [...ids].sort().map((id) => ({ id }));
    }
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      challenge: randomBytes(32),
      userVerification: 'preferred',
      ...(allowCredentials ? { allowCredentials } : {}),
    });
    await this.storeChallenge(options.challenge, WebAuthnPurpose.SignIn, null, !allowCredentials);
    return options;
  }

  /** Verifies a sign-in assertion (the challenge is spent whatever the outcome). */
  async verifySignIn(response: unknown): Promise<VerifiedPasskey> {
    const assertion = response as AuthenticationResponseJSON;
    const stored = await this.consumeChallenge(assertion, WebAuthnPurpose.SignIn, null);
    if (!stored) throw unauthenticated(EXPIRED);
    return this.verifyAssertion(assertion, stored, null);
  }

  /** Options to re-authenticate the signed-in person with one of their passkeys. */
  async reauthenticationOptions(
    current: CurrentUser,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const passkeys = await this.list(current.id);
    if (passkeys.length === 0) throw conflict('This account has no passkey');
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      challenge: randomBytes(32),
      userVerification: 'preferred',
      allowCredentials: passkeys.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports,
      })),
    });
    await this.storeChallenge(options.challenge, WebAuthnPurpose.Reauthenticate, current);
    return options;
  }

  /** Verifies a re-authentication assertion: this session's challenge, this user's passkey. */
  async verifyReauthentication(current: CurrentUser, response: unknown): Promise<VerifiedPasskey> {
    const assertion = response as AuthenticationResponseJSON;
    const stored = await this.consumeChallenge(assertion, WebAuthnPurpose.Reauthenticate, current);
    if (!stored) throw argumentError('input', 'challenge', EXPIRED, 'passkeyResponse');
    try {
      return await this.verifyAssertion(assertion, stored, current.id);
    } catch (error) {
      // Signed in already: a passkey that does not verify is a bad argument, not a dead session.
      throw argumentError('input', 'webauthn', (error as Error).message, 'passkeyResponse');
    }
  }

  async rename(current: CurrentUser, id: string, name: string): Promise<Passkey> {
    if (!Types.ObjectId.isValid(id)) throw notFound('Passkey');
    const passkey = await PasskeyModel.findOneAndUpdate(
      { _id: id, user: current.id },
      { $set: { name: name.trim() } },
      { returnDocument: 'after', runValidators: true },
    ).lean<Passkey>();
    if (!passkey) throw notFound('Passkey');
    return passkey;
  }

  /**
   * Removes one of the caller's passkeys (needs a recent sign-in); refused when it is the
   * account's last way to sign in (no password, no Google, no other passkey).
   */
  async remove(current: CurrentUser, id: string): Promise<boolean> {
    await this.sessions.requireRecentAuthentication(current);
    if (!Types.ObjectId.isValid(id)) throw notFound('Passkey');
    const user = await this.requireUser(current.id);
    const passkey = await PasskeyModel.findOne({ _id: id, user: user._id }).lean<Passkey>();
    if (!passkey) throw notFound('Passkey');
    const otherWays = user.hasPassword || (user.providers?.length ?? 0) > 0;
    if (!otherWays && (await this.count(user._id)) <= 1) {
      throw conflict(
        'This passkey is your only way to sign in: add a password or another passkey first',
      );
    }
    const result = await PasskeyModel.deleteOne({ _id: passkey._id, user: user._id });
    if (result.deletedCount === 0) throw notFound('Passkey');
    // Removals at the same moment each counted the others: the one that finds none left (and no
    // other way in) puts its passkey back, so at least one always remains.
    if (!otherWays && (await this.count(user._id)) === 0) {
      await PasskeyModel.create(passkey);
      throw conflict(
        'This passkey is your only way to sign in: add a password or another passkey first',
      );
    }
    await this.notify(user, `The passkey named “${passkey.name}” was removed from your account.`);
    return true;
  }

  /**
   * Deletes every passkey of the user and its pending ceremonies, without a notice: the account
   * changed hands (a provider's owner recovered it), so the previous holder's passkeys go.
   */
  async removeAll(userId: Types.ObjectId): Promise<void> {
    await Promise.all([
      PasskeyModel.deleteMany({ user: userId }),
      WebAuthnChallengeModel.deleteMany({ user: userId }),
    ]);
  }

  /**
   * The checks of an assertion beyond the library's (origin, RP ID, challenge, signature, user
   * presence): the passkey is registered (to `expectedUser` when given), the user handle is its
   * owner's, its backup eligibility is unchanged, and its counter moves forward, in one
   * conditional update, so a cloned authenticator's replay loses the race it cannot win.
   */
  private async verifyAssertion(
    assertion: AuthenticationResponseJSON,
    stored: WebAuthnChallenge,
    expectedUser: Types.ObjectId | null,
  ): Promise<VerifiedPasskey> {
    const passkey = await PasskeyModel.findOne({
      credentialId: String(assertion.id),
      ...(expectedUser ? { user: expectedUser } : {}),
    }).lean<Passkey>();
    if (!passkey) throw unauthenticated(SIGN_IN_FAILED);
    const userId = passkey.user as Types.ObjectId;
    const userHandle = assertion.response.userHandle;
    if (
      (userHandle === undefined && stored.userHandleRequired) ||
      (userHandle !== undefined && userHandle !== userHandleOf(userId))
    ) {
      throw unauthenticated(SIGN_IN_FAILED);
    }
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: stored.challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: false,
      });
    } catch {
      throw unauthenticated(SIGN_IN_FAILED);
    }
    const info = verification.authenticationInfo;
    if (!verification.verified) throw unauthenticated(SIGN_IN_FAILED);
    // Backup eligibility is fixed when a credential is made: a change means another authenticator.
    if ((info.credentialDeviceType === 'multiDevice') !== passkey.multiDevice) {
      throw unauthenticated(SIGN_IN_FAILED);
    }
    const now = new Date(this.now());
    const counted = info.newCounter > 0 || passkey.counter > 0;
    const updated = await PasskeyModel.updateOne(
      {
        _id: passkey._id,
        ...(counted ? { counter: trusted({ $lt: info.newCounter }) } : { counter: 0 }),
      },
      { $set: { counter: info.newCounter, backedUp: info.credentialBackedUp, lastUsedAt: now } },
    );
    if (updated.matchedCount === 0) throw unauthenticated(SIGN_IN_FAILED);
    return { userId, passkey: { ...passkey, lastUsedAt: now }, userVerified: info.userVerified };
  }

  private async storeChallenge(
    challenge: string,
    purpose: WebAuthnPurpose,
    session: CurrentUser | null,
    userHandleRequired = false,
  ): Promise<void> {
    // One live challenge per session and ceremony: asking again replaces it, so a session cannot
    // pile them up (sign-in challenges are bounded by the per-IP limit instead).
    if (session) {
      await WebAuthnChallengeModel.deleteMany({ sessionId: session.sessionId, purpose });
    }
    await WebAuthnChallengeModel.create({
      challenge,
      purpose,
      user: session?.id ?? null,
      sessionId: session?.sessionId ?? null,
      userHandleRequired,
      expiresAt: new Date(this.now() + WEBAUTHN_CHALLENGE_TTL_MS),
    });
  }

  /** Deletes and returns the live challenge the response answers, if it is one for this purpose and session. */
  private consumeChallenge(
    response: { response: { clientDataJSON: string } },
    purpose: WebAuthnPurpose,
    session: CurrentUser | null,
  ): Promise<WebAuthnChallenge | null> {
    const challenge = challengeOf(response);
    if (!challenge) return Promise.resolve(null);
    return WebAuthnChallengeModel.findOneAndDelete({
      challenge,
      purpose,
      expiresAt: trusted({ $gt: new Date(this.now()) }),
      user: session?.id ?? null,
      sessionId: session?.sessionId ?? null,
    })
      .lean<WebAuthnChallenge>()
      .exec();
  }

  private decoyCredentialId(email: string, index: number): string {
    return createHmac('sha256', this.decoySecret)
      .update(`passkey-decoy:${index}:${email}`)
      .digest('base64url');
  }

  private async requireUser(id: Types.ObjectId): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw unauthenticated('Sign in to use this operation');
    return user;
  }

  private async notify(user: User, change: string): Promise<void> {
    await this.outbox.enqueue(securityNotice(user, change));
  }
}
