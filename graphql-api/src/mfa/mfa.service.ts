import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { trusted } from 'mongoose';
import type { Types } from 'mongoose';
import type { CurrentUser } from '../context';
import type { OutboxService } from '../mail';
import { securityNotice } from '../mail';
import type { SessionService } from '../sessions';
import { GraphQLError } from 'graphql';
import { argumentError, conflict, ErrorCode, unauthenticated } from '../shared/errors';
import type { SecretCipher, SealedSecret } from '../shared/secret-cipher';
import { hashToken, randomToken } from '../shared/tokens';
import type { User, UserService } from '../users';
import { FirstFactor, MfaChallengeModel } from './mfa-challenge.model';
import type { MfaChallenge } from './mfa-challenge.model';
import { MfaRequired, SecondFactorMethod } from './mfa.types';
import type { RecoveryCodes, TotpEnrollment, TwoFactorStatus } from './mfa.types';
import type { SecondFactorLimiter } from './second-factor.limiter';
import { TotpFactorModel } from './totp-factor.model';
import type { TotpFactor } from './totp-factor.model';

/** RFC 6238 with what every authenticator app supports: SHA-1, 6 digits, 30 seconds. */
const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** Codes of the previous and the next step are accepted too (clocks drift). */
const TOTP_WINDOW = 1;
/** How long a sign-in waits for its second factor, and how many codes it may try. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MFA_CHALLENGE_ATTEMPTS = 5;
/** How long one request holds a challenge while it checks a code (longer only if it hangs). */
const MFA_CHALLENGE_CLAIM_MS = 10_000;
/** How long an enrolment waits for its confirming code. */
export const TOTP_ENROLLMENT_TTL_MS = 15 * 60 * 1000;
export const RECOVERY_CODE_COUNT = 10;
/** Wrong codes in a row after which the account's codes are refused for {@link LOCKOUT_MS}. */
export const CONSECUTIVE_FAILURES_MAX = 100;
export const LOCKOUT_MS = 24 * 3600 * 1000;
/** 32 letters and digits without look-alikes (0/o, 1/l): 12 of them carry 60 bits. */
const RECOVERY_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz';

const EXPIRED = 'This sign-in has expired; sign in again';
const WRONG_CODE = 'That code is not right; check the time on your device and try again';
const REUSED_CODE = 'This code was already used; wait for the next one';
const WRONG_RECOVERY_CODE = 'That recovery code is not right or was already used';

/** The issuer name authenticator apps show next to the account. */
export const TOTP_ISSUER = 'Movie catalog';

/** A sign-in's first step, as the second one needs it to start the session. */
export interface CompletedChallenge {
  userId: Types.ObjectId;
  rememberMe: boolean;
  keyScopes: string[];
  firstFactor: FirstFactor;
}

/** Which code the person typed: exactly one of them. */
export interface SecondFactorCode {
  code?: string | null;
  recoveryCode?: string | null;
}

function normalizeRecoveryCode(code: string): string {
  return code.replace(/[-\s]/g, '').toLowerCase();
}

function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 12; i += 1) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/**
 * Two-factor sign-in with an authenticator app (TOTP) and recovery codes: enrolment, the second
 * step of a sign-in (MfaChallenge), and codes for re-authentication. Every code is accepted at
 * most once: TOTP codes by remembering the last accepted time step, recovery codes by pulling
 * their hash out, both in one conditional update, so concurrent requests in any number of
 * processes cannot both use one.
 */
export class MfaService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly outbox: OutboxService,
    private readonly cipher: SecretCipher,
    private readonly limiter: SecondFactorLimiter,
    /** The clock (tests move it to check drift and expiry). */
    private readonly now: () => number = Date.now,
  ) {}

  /** The caller's settings, for the account page. */
  async status(userId: Types.ObjectId): Promise<TwoFactorStatus> {
    const factor = await TotpFactorModel.findOne({ user: userId }).lean<TotpFactor>();
    const enabled = Boolean(factor?.secret);
    return {
      enabled,
      enabledAt: enabled ? (factor?.enabledAt ?? null) : null,
      lastUsedAt: enabled ? (factor?.lastUsedAt ?? null) : null,
      recoveryCodesLeft: enabled ? (factor?.recoveryCodeHashes.length ?? 0) : 0,
      recoveryCodeLastUsedAt: enabled ? (factor?.recoveryCodeLastUsedAt ?? null) : null,
      requiredForProviders: enabled && factor?.requiredForProviders === true,
    };
  }

  /**
   * Whether a sign-in that passed `firstFactor` must still give a code. A provider sign-in asks
   * only when the user chose so, except the one that links the provider to the account
   * (`newlyLinked`): that is not yet a way in the person chose.
   */
  async required(
    userId: Types.ObjectId,
    firstFactor: FirstFactor,
    options: { newlyLinked?: boolean } = {},
  ): Promise<boolean> {
    const factor = await TotpFactorModel.findOne({ user: userId, secret: trusted({ $ne: null }) })
      .select({ requiredForProviders: 1 })
      .lean<Pick<TotpFactor, 'requiredForProviders'>>();
    if (!factor) return false;
    if (firstFactor !== FirstFactor.Provider || options.newlyLinked === true) return true;
    return factor.requiredForProviders;
  }

  /** The methods a sign-in's second step (or a re-authentication) may use for this user. */
  async methods(userId: Types.ObjectId): Promise<SecondFactorMethod[]> {
    const factor = await TotpFactorModel.findOne({ user: userId, secret: trusted({ $ne: null }) })
      .select({ recoveryCodeHashes: 1 })
      .lean<Pick<TotpFactor, 'recoveryCodeHashes'>>();
    if (!factor) return [];
    return factor.recoveryCodeHashes.length > 0
      ? [SecondFactorMethod.TOTP, SecondFactorMethod.RECOVERY_CODE]
      : [SecondFactorMethod.TOTP];
  }

  /** Starts the second step of a sign-in: no tokens yet, only a challenge id for the client. */
  async challenge(
    userId: Types.ObjectId,
    firstFactor: FirstFactor,
    session: { rememberMe: boolean; keyScopes: readonly string[] },
  ): Promise<MfaRequired> {
    const challengeId = randomToken();
    const expiresAt = new Date(this.now() + MFA_CHALLENGE_TTL_MS);
    await MfaChallengeModel.create({
      tokenHash: hashToken(challengeId),
      user: userId,
      firstFactor,
      rememberMe: session.rememberMe,
      keyScopes: [...session.keyScopes],
      expiresAt,
    });
    return Object.assign(new MfaRequired(), {
      challengeId,
      methods: await this.methods(userId),
      expiresAt,
    });
  }

  /**
   * Ends every pending second step of the user (a password reset or change, a recovery). A reset
   * (`unlock`) also lifts a lockout of wrong codes: it proved the mailbox.
   */
  async cancelChallenges(
    userId: Types.ObjectId,
    options: { unlock?: boolean } = {},
  ): Promise<void> {
    await Promise.all([
      MfaChallengeModel.deleteMany({ user: userId }),
      options.unlock
        ? TotpFactorModel.updateOne(
            { user: userId },
            { $set: { consecutiveFailures: 0, lastFailureAt: null } },
          )
        : null,
    ]);
  }

  /**
   * Deletes the user's two-factor factor and pending sign-ins, without a notice: the account
   * changed hands (a provider's owner recovered it), so what the previous holder set up goes.
   */
  async removeAll(userId: Types.ObjectId): Promise<void> {
    await Promise.all([
      TotpFactorModel.deleteOne({ user: userId }),
      MfaChallengeModel.deleteMany({ user: userId }),
    ]);
  }

  /**
   * Completes a sign-in's second step. Each call counts one attempt on the challenge (at most
   * {@link MFA_CHALLENGE_ATTEMPTS}) and, once the code is checked, on the user's lockout; the
   * challenge is consumed by the call whose code was right, so it starts one session only.
   */
  async completeChallenge(
    challengeId: string,
    given: SecondFactorCode,
  ): Promise<CompletedChallenge> {
    const entered = exactlyOneCode(given);
    const now = new Date(this.now());
    const tokenHash = hashToken(challengeId);
    const live = {
      tokenHash,
      consumedAt: null,
      expiresAt: trusted({ $gt: now }),
      attempts: trusted({ $lt: MFA_CHALLENGE_ATTEMPTS }),
    };
    // One request at a time holds the challenge (a short claim), so codes sent together on one
    // sign-in are checked one after the other: a second right one is never spent for nothing.
    const challenge = await MfaChallengeModel.findOneAndUpdate(
      {
        ...live,
        $or: [{ claimedUntil: null }, { claimedUntil: trusted({ $lte: now }) }],
      },
      {
        $inc: { attempts: 1 },
        $set: { claimedUntil: new Date(now.getTime() + MFA_CHALLENGE_CLAIM_MS) },
      },
      { returnDocument: 'after' },
    ).lean<MfaChallenge>();
    if (!challenge) {
      if (await MfaChallengeModel.exists(live)) {
        throw conflict('This sign-in is being completed by another request; try again in a moment');
      }
      throw unauthenticated(EXPIRED);
    }
    const userId = challenge.user as Types.ObjectId;
    try {
      await this.checkCode(userId, entered);
    } catch (error) {
      await MfaChallengeModel.updateOne({ _id: challenge._id }, { $set: { claimedUntil: null } });
      throw error;
    }
    const consumed = await MfaChallengeModel.updateOne(
      { _id: challenge._id, consumedAt: null },
      { $set: { consumedAt: now, claimedUntil: null } },
    );
    if (consumed.modifiedCount === 0) throw unauthenticated(EXPIRED);
    return {
      userId,
      rememberMe: challenge.rememberMe,
      keyScopes: challenge.keyScopes,
      firstFactor: challenge.firstFactor,
    };
  }

  /**
   * Checks a code for a signed-in person's re-authentication, counted against the same lockout.
   * BAD_USER_INPUT (on `input.code` or `input.recoveryCode`) when wrong or reused.
   */
  async verifyForUser(userId: Types.ObjectId, given: SecondFactorCode): Promise<void> {
    await this.checkCode(userId, exactlyOneCode(given));
  }

  /**
   * A new secret to confirm with a first code within {@link TOTP_ENROLLMENT_TTL_MS}; nothing
   * changes until then. CONFLICT when two-factor is on already (turn it off first).
   */
  async startEnrollment(current: CurrentUser): Promise<TotpEnrollment> {
    await this.sessions.requireRecentAuthentication(current);
    const user = await this.requireUser(current.id);
    const enabled = await TotpFactorModel.exists({
      user: user._id,
      secret: trusted({ $ne: null }),
    });
    if (enabled)
      throw conflict('Two-factor sign-in is on already; turn it off first to use another app');
    const secret = new Secret({ size: 20 });
    const expiresAt = new Date(this.now() + TOTP_ENROLLMENT_TTL_MS);
    await TotpFactorModel.updateOne(
      { user: user._id },
      {
        $set: {
          pendingSecret: this.seal(user._id, secret),
          pendingExpiresAt: expiresAt,
        },
        $setOnInsert: { user: user._id },
      },
      { upsert: true },
    );
    const totp = new TOTP({ ...TOTP_PARAMS, issuer: TOTP_ISSUER, label: user.email, secret });
    const otpauthUri = totp.toString();
    const qrCodeSvg = await QRCode.toString(otpauthUri, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return { secret: secret.base32, otpauthUri, qrCodeSvg, expiresAt };
  }

  /**
   * Turns two-factor on once the app shows the right code for the pending secret, and returns
   * the recovery codes: the only time they are shown (only their hashes are kept).
   */
  async confirmEnrollment(current: CurrentUser, code: string): Promise<RecoveryCodes> {
    const user = await this.requireUser(current.id);
    const now = this.now();
    const factor = await TotpFactorModel.findOne({
      user: user._id,
      pendingSecret: trusted({ $ne: null }),
      pendingExpiresAt: trusted({ $gt: new Date(now) }),
    }).lean<TotpFactor>();
    if (!factor?.pendingSecret) {
      throw argumentError(
        'code',
        'enrollment',
        'This set-up has expired; start turning on two-factor again',
      );
    }
    await this.limiter.begin(user._id.toHexString());
    const step = this.acceptedStep(this.unseal(user._id, factor.pendingSecret), code, now);
    if (step === null) throw argumentError('code', 'totpCode', WRONG_CODE);
    await this.limiter.succeeded(user._id.toHexString());
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const confirmed = await TotpFactorModel.updateOne(
      { _id: factor._id, 'pendingSecret.ciphertext': factor.pendingSecret.ciphertext },
      {
        $set: {
          secret: factor.pendingSecret,
          enabledAt: new Date(now),
          lastUsedStep: step,
          lastUsedAt: new Date(now),
          pendingSecret: null,
          pendingExpiresAt: null,
          recoveryCodeHashes: codes.map((c) => hashToken(normalizeRecoveryCode(c))),
          recoveryCodeLastUsedAt: null,
          requiredForProviders: false,
        },
      },
    );
    if (confirmed.modifiedCount === 0) {
      throw argumentError('code', 'enrollment', 'This set-up has changed; start again');
    }
    await this.notify(user, 'Two-factor sign-in with an authenticator app was turned on.');
    return { codes };
  }

  /** Turns two-factor off (its secret and recovery codes are deleted); false when it was off. */
  async disable(current: CurrentUser): Promise<boolean> {
    await this.sessions.requireRecentAuthentication(current);
    const user = await this.requireUser(current.id);
    const result = await TotpFactorModel.updateOne(
      { user: user._id, secret: trusted({ $ne: null }) },
      {
        $set: {
          secret: null,
          enabledAt: null,
          recoveryCodeHashes: [],
          requiredForProviders: false,
          pendingSecret: null,
          pendingExpiresAt: null,
        },
      },
    );
    if (result.modifiedCount === 0) return false;
    await this.notify(user, 'Two-factor sign-in was turned off.');
    return true;
  }

  /** Replaces every recovery code (the old ones stop working); shown once. */
  async regenerateRecoveryCodes(current: CurrentUser): Promise<RecoveryCodes> {
    await this.sessions.requireRecentAuthentication(current);
    const user = await this.requireUser(current.id);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const result = await TotpFactorModel.updateOne(
      { user: user._id, secret: trusted({ $ne: null }) },
      { $set: { recoveryCodeHashes: codes.map((c) => hashToken(normalizeRecoveryCode(c))) } },
    );
    if (result.matchedCount === 0) throw conflict('Turn on two-factor sign-in first');
    await this.notify(user, 'New recovery codes were made; the earlier ones no longer work.');
    return { codes };
  }

  /** Whether a Google sign-in also asks for a code. */
  async setRequiredForProviders(current: CurrentUser, required: boolean): Promise<TwoFactorStatus> {
    await this.sessions.requireRecentAuthentication(current);
    const result = await TotpFactorModel.updateOne(
      { user: current.id, secret: trusted({ $ne: null }) },
      { $set: { requiredForProviders: required } },
    );
    if (result.matchedCount === 0) throw conflict('Turn on two-factor sign-in first');
    if (result.modifiedCount > 0) {
      const user = await this.requireUser(current.id);
      await this.notify(
        user,
        required
          ? 'Signing in with Google now also asks for a two-factor code.'
          : 'Signing in with Google no longer asks for a two-factor code.',
      );
    }
    return this.status(current.id);
  }

  /**
   * Checks one code (after counting it against the user's lockout). A TOTP code is accepted for
   * a time step later than the last accepted one; a recovery code is pulled out of the list.
   */
  private async checkCode(
    userId: Types.ObjectId,
    entered: { kind: 'code' | 'recoveryCode'; value: string },
  ): Promise<void> {
    // Both inputs (VerifySecondFactorInput, ReauthenticateInput) are an `input` argument.
    const field = entered.kind;
    const where = 'input';
    const factor = await TotpFactorModel.findOne({ user: userId, secret: trusted({ $ne: null }) })
      .select({ secret: 1, lastUsedStep: 1, consecutiveFailures: 1, lastFailureAt: 1 })
      .lean<
        Pick<
          TotpFactor,
          '_id' | 'secret' | 'lastUsedStep' | 'consecutiveFailures' | 'lastFailureAt'
        >
      >();
    if (!factor?.secret) throw argumentError(where, 'totpCode', WRONG_CODE, field);
    const now = this.now();
    refuseWhenLockedOut(factor, now);
    await this.limiter.begin(userId.toHexString());
    // A wrong (or reused) code counts against the account until a right one, whatever the
    // windows of the limiter: past CONSECUTIVE_FAILURES_MAX, one try per lockout period.
    const failed = async (error: GraphQLError): Promise<never> => {
      await TotpFactorModel.updateOne(
        { _id: factor._id },
        { $inc: { consecutiveFailures: 1 }, $set: { lastFailureAt: new Date(now) } },
      );
      throw error;
    };
    const succeeded = { consecutiveFailures: 0, lastFailureAt: null };
    if (entered.kind === 'code') {
      const step = this.acceptedStep(this.unseal(userId, factor.secret), entered.value, now);
      if (step === null) return failed(argumentError(where, 'totpCode', WRONG_CODE, field));
      const used = await TotpFactorModel.updateOne(
        { _id: factor._id, secret: trusted({ $ne: null }), lastUsedStep: trusted({ $lt: step }) },
        { $set: { lastUsedStep: step, lastUsedAt: new Date(now), ...succeeded } },
      );
      if (used.modifiedCount === 0) {
        return failed(argumentError(where, 'totpCodeUsed', REUSED_CODE, field));
      }
    } else {
      const hash = hashToken(normalizeRecoveryCode(entered.value));
      const used = await TotpFactorModel.findOneAndUpdate(
        { _id: factor._id, secret: trusted({ $ne: null }), recoveryCodeHashes: hash },
        {
          $pull: { recoveryCodeHashes: hash },
          $set: { recoveryCodeLastUsedAt: new Date(now), ...succeeded },
        },
        { returnDocument: 'after' },
      ).lean<TotpFactor>();
      if (!used) return failed(argumentError(where, 'recoveryCode', WRONG_RECOVERY_CODE, field));
      const user = await this.users.findById(userId);
      if (user) {
        const left = used.recoveryCodeHashes.length;
        await this.notify(
          user,
          `One of your recovery codes was used; ${left} recovery code${left === 1 ? '' : 's'} left.`,
        );
      }
    }
    await this.limiter.succeeded(userId.toHexString());
  }

  /** The time step the code is right for (within the drift window), or null. */
  private acceptedStep(secret: Secret, code: string, now: number): number | null {
    const totp = new TOTP({ ...TOTP_PARAMS, secret });
    const delta = totp.validate({
      token: code.replace(/\s/g, ''),
      timestamp: now,
      window: TOTP_WINDOW,
    });
    return delta === null ? null : totp.counter({ timestamp: now }) + delta;
  }

  private seal(userId: Types.ObjectId, secret: Secret): SealedSecret {
    return this.cipher.encrypt(Buffer.from(secret.bytes), userId.toHexString());
  }

  private unseal(userId: Types.ObjectId, sealed: SealedSecret): Secret {
    const bytes = this.cipher.decrypt(sealed, userId.toHexString());
    return new Secret({ buffer: new Uint8Array(bytes).buffer });
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

/**
 * RATE_LIMITED while the account has had {@link CONSECUTIVE_FAILURES_MAX} wrong codes in a row
 * and the last was within {@link LOCKOUT_MS}: the per-window limiter alone would allow ~1,000
 * guesses a day (NIST SP 800-63B 5.2.2 allows at most 100 consecutive failures).
 */
function refuseWhenLockedOut(
  factor: Pick<TotpFactor, 'consecutiveFailures' | 'lastFailureAt'>,
  now: number,
): void {
  if ((factor.consecutiveFailures ?? 0) < CONSECUTIVE_FAILURES_MAX) return;
  const until = (factor.lastFailureAt?.getTime() ?? 0) + LOCKOUT_MS;
  if (until <= now) return;
  const retryAfter = Math.ceil((until - now) / 1000);
  throw new GraphQLError(
    `Too many wrong codes for this account: try again in ${Math.ceil(retryAfter / 3600)} hours, or reset your password (Forgot password?) to unlock it`,
    { extensions: { code: ErrorCode.RateLimited, retryAfter } },
  );
}

/** The one code given (BAD_USER_INPUT when none or both). */
function exactlyOneCode(given: SecondFactorCode): { kind: 'code' | 'recoveryCode'; value: string } {
  const code = given.code ?? undefined;
  const recoveryCode = given.recoveryCode ?? undefined;
  if ((code === undefined) === (recoveryCode === undefined)) {
    throw argumentError(
      'input',
      'exactlyOne',
      'Give either the code from your authenticator app or a recovery code',
      'code',
    );
  }
  return code !== undefined
    ? { kind: 'code', value: code }
    : { kind: 'recoveryCode', value: recoveryCode ?? '' };
}
