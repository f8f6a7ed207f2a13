import type { Types } from 'mongoose';
import type { AccountService } from '../account';
import type { CurrentUser } from '../context';
import type { IdTokenVerifier } from '../identity';
import { FirstFactor, SecondFactorMethod } from '../mfa';
import type { MfaService } from '../mfa';
import type { PasskeyService } from '../passkeys';
import type { SessionService } from '../sessions';
import { argumentError, INVALID_CREDENTIALS, unauthenticated } from '../shared/errors';
import type { RequestLimiter } from '../shared/request-limiter';
import type { User, UserService, AuthProvider } from '../users';
import { normalizeEmail } from '../users';
import type { AuthPayload } from './auth-payload.type';
import type {
  ReauthenticateInput,
  SignInInput,
  SignProviderInput,
  SignUpInput,
} from './auth.inputs';
import { ReauthenticationMethod } from './sign-in-result.type';
import type { SignInOutcome } from './sign-in-result.type';
import type { PasswordService } from './password.service';
import type { SessionIssuer, SignInMeta } from './session-issuer';
import type { SignInLimiter } from './sign-in.limiter';

/** The limits the sign-in flows count against (all in MongoDB, shared by every process). */
export interface AuthLimiters {
  signIn: SignInLimiter;
  signUpPerIp: RequestLimiter;
}

/** The second factors a sign-in (or re-authentication) may complete with. */
export interface SecondFactors {
  mfa: MfaService;
  passkeys: PasskeyService;
}

/**
 * Sign-up, sign-in (password, a provider's ID token, a passkey) with its second step, refresh,
 * sign-out and re-authentication.
 */
export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly issuer: SessionIssuer,
    private readonly passwords: PasswordService,
    private readonly limiters: AuthLimiters,
    private readonly identityVerifiers: Readonly<Record<AuthProvider, IdTokenVerifier>>,
    private readonly account: AccountService,
    private readonly factors: SecondFactors,
  ) {}

  /** A new password account with an unverified e-mail; the verification mail is queued. */
  async signUp(input: SignUpInput, meta: Pick<SignInMeta, 'ip'>): Promise<User> {
    await this.limiters.signUpPerIp.consume(meta.ip);
    const passwordHash = await this.passwords.hash(input.password);
    const user = await this.users.createWithPassword({
      name: input.name.trim(),
      email: input.email,
      passwordHash,
    });
    await this.account.sendVerification(user);
    return user;
  }

  /**
   * Same error for an unknown e-mail and a wrong password; failures are rate-limited. With
   * two-factor on, a right password answers MfaRequired: no session until the code.
   */
  async signIn(input: SignInInput, meta: SignInMeta): Promise<SignInOutcome> {
    const email = normalizeEmail(input.email);
    // The attempt is counted (or refused) before any password is checked; reading the user at
    // the same time only saves a round trip: a refused attempt's read is simply dropped.
    const [, user] = await Promise.all([
      this.limiters.signIn.begin(email, meta.ip),
      this.users.findByEmailWithPassword(email),
    ]);
    // Whether a code is needed is read while the password is hashed (one round trip fewer); a
    // wrong password drops the answer (its failure is handled here, and awaited below otherwise).
    const mfaRequired = user
      ? this.factors.mfa.required(user._id, FirstFactor.Password)
      : Promise.resolve(false);
    mfaRequired.catch(() => undefined);
    const valid = await this.passwords.verify(user?.passwordHash, input.password);
    if (!user?.passwordHash || !valid) throw unauthenticated(INVALID_CREDENTIALS);
    const { passwordHash, ...publicUser } = user;
    const outcome = (await mfaRequired)
      ? await this.factors.mfa.challenge(user._id, FirstFactor.Password, {
          rememberMe: input.rememberMe,
          keyScopes: meta.keyScopes,
        })
      : await this.issuer.start(publicUser, input.rememberMe, meta);
    // A reset, a password change or a Google recovery may have replaced this password while it
    // was being checked: they end every session and pending second step *after* changing it, so
    // what this sign-in started with the old password is ended here, after its insert. Either
    // way it cannot outlive them.
    const [, stillValid] = await Promise.all([
      this.limiters.signIn.succeeded(email, meta.ip),
      this.users.hasPasswordHash(user._id, passwordHash),
      this.users.recordSignIn(user._id, 'password'),
    ]);
    if (!stillValid) {
      if ('refreshToken' in outcome) await this.sessions.revokeByRefreshToken(outcome.refreshToken);
      else await this.factors.mfa.cancelChallenges(user._id);
      throw unauthenticated(INVALID_CREDENTIALS);
    }
    return outcome;
  }

  /**
   * Sign-in with a passkey (discoverable or listed for an e-mail). A passkey whose authenticator
   * verified the person (PIN, biometrics) is two factors on its own; one that did not, on an
   * account with two-factor on, still needs a code.
   */
  async signInWithPasskey(
    response: unknown,
    rememberMe: boolean,
    meta: SignInMeta,
  ): Promise<SignInOutcome> {
    const verified = await this.factors.passkeys.verifySignIn(response);
    const user = await this.users.findById(verified.userId);
    if (!user) throw unauthenticated('This passkey could not sign you in');
    if (
      !verified.userVerified &&
      (await this.factors.mfa.required(user._id, FirstFactor.Passkey))
    ) {
      return this.factors.mfa.challenge(user._id, FirstFactor.Passkey, {
        rememberMe,
        keyScopes: meta.keyScopes,
      });
    }
    return this.issuer.start(user, rememberMe, meta);
  }

  /**
   * A sign-in's second step: the challenge's code checks out (once), and its session starts
   * with the first step's choices. The session's scopes are those both keys (the one that began
   * the sign-in and this one) have, so finishing through another key gains nothing.
   */
  async verifySecondFactor(
    input: { challengeId: string; code?: string | null; recoveryCode?: string | null },
    meta: SignInMeta,
  ): Promise<AuthPayload> {
    const completed = await this.factors.mfa.completeChallenge(input.challengeId, input);
    const user = await this.users.findById(completed.userId);
    if (!user) throw unauthenticated('This sign-in has expired; sign in again');
    return this.issuer.start(user, completed.rememberMe, {
      ...meta,
      keyScopes: completed.keyScopes.filter((scope) => meta.keyScopes.includes(scope)),
    });
  }

  /**
   * A sign-in event for the caller's session (password, a code, a recovery code or a passkey):
   * sensitive changes are allowed for the next 5 minutes. Returns when that ends.
   */
  async reauthenticate(
    current: CurrentUser,
    input: ReauthenticateInput,
    ip: string,
  ): Promise<Date> {
    const given = (['password', 'code', 'recoveryCode', 'passkeyResponse'] as const).filter(
      (key) => input[key] !== undefined && input[key] !== null,
    );
    if (given.length !== 1) {
      throw argumentError(
        'input',
        'exactlyOne',
        'Confirm with exactly one of: your password, a two-factor code, a recovery code or a passkey',
      );
    }
    if (input.password !== undefined && input.password !== null) {
      await this.checkPassword(current.id, input.password, ip);
    } else if (input.passkeyResponse !== undefined && input.passkeyResponse !== null) {
      await this.factors.passkeys.verifyReauthentication(current, input.passkeyResponse);
    } else {
      await this.factors.mfa.verifyForUser(current.id, input);
    }
    return this.sessions.markAuthenticated(current.id, current.sessionId);
  }

  /** What `reauthenticate` accepts for this user (REAUTHENTICATION_REQUIRED's `methods`). */
  async reauthenticationMethods(userId: Types.ObjectId): Promise<ReauthenticationMethod[]> {
    const [user, passkeys, codes] = await Promise.all([
      this.users.findById(userId),
      this.factors.passkeys.count(userId),
      this.factors.mfa.methods(userId),
    ]);
    const methods: ReauthenticationMethod[] = [];
    if (user?.hasPassword) methods.push(ReauthenticationMethod.PASSWORD);
    if (passkeys > 0) methods.push(ReauthenticationMethod.PASSKEY);
    if (codes.includes(SecondFactorMethod.TOTP)) methods.push(ReauthenticationMethod.TOTP);
    if (codes.includes(SecondFactorMethod.RECOVERY_CODE)) {
      methods.push(ReauthenticationMethod.RECOVERY_CODE);
    }
    if ((user?.providers?.length ?? 0) > 0) methods.push(ReauthenticationMethod.GOOGLE);
    return methods;
  }

  /** The password of a signed-in person, counted like a sign-in attempt. */
  private async checkPassword(userId: Types.ObjectId, password: string, ip: string): Promise<void> {
    const user = await this.users.findByIdWithPassword(userId);
    if (!user) throw unauthenticated('Sign in to use this operation');
    await this.limiters.signIn.begin(user.email, ip);
    if (!(await this.passwords.verify(user.passwordHash, password)) || !user.passwordHash) {
      throw argumentError('input', 'password', 'The password is not correct', 'password');
    }
    await this.limiters.signIn.succeeded(user.email, ip);
  }

  /**
   * Sign-in with a provider's ID token, verified here (signature, issuer, audience, expiry):
   * the identity comes only from the token. See UserService.signInWithProvider for linking.
   */
  async signProvider(input: SignProviderInput, meta: SignInMeta): Promise<SignInOutcome> {
    const identity = await this.identityVerifiers[input.provider].verify(input.idToken);
    const { user, outcome } = await this.users.signInWithProvider({
      provider: input.provider,
      ...identity,
    });
    // The unverified password setter loses the account: their sessions end before the
    // provider's owner gets one.
    if (outcome === 'recovered') await this.account.recoveredByProvider(user);
    await this.users.recordSignIn(user._id, input.provider);
    // A first sign-in that links Google to an existing account is not yet a way in the person
    // chose: with two-factor on it asks for the code whatever `requiredForProviders` says.
    const required = await this.factors.mfa.required(user._id, FirstFactor.Provider, {
      newlyLinked: outcome === 'linked',
    });
    if (required) {
      return this.factors.mfa.challenge(user._id, FirstFactor.Provider, {
        rememberMe: input.rememberMe,
        keyScopes: meta.keyScopes,
      });
    }
    return this.issuer.start(user, input.rememberMe, meta);
  }

  /** New access and refresh tokens; the scopes follow the user's current admin flag. */
  async refreshSession(
    refreshToken: string,
    meta: Pick<SignInMeta, 'ip' | 'userAgent'>,
  ): Promise<AuthPayload> {
    const session = await this.sessions.rotate(refreshToken, {
      ipAddress: meta.ip,
      userAgent: meta.userAgent,
    });
    const user = await this.users.findById(String(session.session.user));
    if (!user) throw unauthenticated('Invalid or expired refresh token');
    return this.issuer.issue(user, session);
  }

  signOut(refreshToken: string): Promise<boolean> {
    return this.sessions.revokeByRefreshToken(refreshToken);
  }
}
