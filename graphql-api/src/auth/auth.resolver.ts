import { Arg, Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { VerifySecondFactorInput } from '../mfa';
import { SignInWithPasskeyArgs } from '../passkeys';
import { requireUser } from '../shared/auth-checker';
import { Scope } from '../shared/scopes';
import { User } from '../users';
import { AuthPayload } from './auth-payload.type';
import { ReauthenticateInput, SignInInput, SignProviderInput, SignUpInput } from './auth.inputs';
import type { AuthService } from './auth.service';
import type { SignInMeta } from './session-issuer';
import { SignInResult } from './sign-in-result.type';
import type { SignInOutcome } from './sign-in-result.type';

function meta(context: Context): SignInMeta {
  return {
    ip: context.ip,
    userAgent: context.userAgent,
    // Sign-ins need a key (KEY_ONLY_SCOPES), so the new session's scopes are always a key's.
    keyScopes: context.apiKey?.scopes ?? [],
  };
}

/**
 * Records that this request authenticated `user` (a sign-up, a sign-in or a refresh), so its
 * answer may show what only that person may see (see `Context.provenUserIds`).
 */
function proven(context: Context, user: User): void {
  context.provenUserIds.add(user._id.toHexString());
}

/** {@link proven} for a sign-in's outcome: only tokens prove who the caller is. */
function provenBy(context: Context, outcome: SignInOutcome): SignInOutcome {
  if ('user' in outcome) proven(context, outcome.user);
  return outcome;
}

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Authorized([Scope.SignUpAuth])
  @Mutation(() => User)
  async signUp(
    @Arg('input', () => SignUpInput) input: SignUpInput,
    @Ctx() context: Context,
  ): Promise<User> {
    const user = await this.auth.signUp(input, meta(context));
    proven(context, user);
    return user;
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => SignInResult, {
    description: 'Password sign-in: tokens, or MfaRequired when two-factor is on.',
  })
  async signIn(
    @Arg('input', () => SignInInput) input: SignInInput,
    @Ctx() context: Context,
  ): Promise<SignInOutcome> {
    return provenBy(context, await this.auth.signIn(input, meta(context)));
  }

  @Authorized([Scope.SignInProvider])
  @Mutation(() => SignInResult, {
    description:
      "Sign-in with a provider's ID token, which the API verifies itself; links only between proven owners of the e-mail. MfaRequired when the user asked for a code after Google sign-ins.",
  })
  async signProvider(
    @Arg('input', () => SignProviderInput) input: SignProviderInput,
    @Ctx() context: Context,
  ): Promise<SignInOutcome> {
    return provenBy(context, await this.auth.signProvider(input, meta(context)));
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => SignInResult, {
    description:
      "Sign-in with a passkey, answering passkeySignInOptions' challenge. MfaRequired only when the authenticator did not verify the person and two-factor is on.",
  })
  async signInWithPasskey(
    @Args(() => SignInWithPasskeyArgs) { response, rememberMe }: SignInWithPasskeyArgs,
    @Ctx() context: Context,
  ): Promise<SignInOutcome> {
    return provenBy(
      context,
      await this.auth.signInWithPasskey(response, rememberMe, meta(context)),
    );
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => AuthPayload, {
    description:
      "A sign-in's second step: MfaRequired.challengeId with a code from the app or a recovery code. At most 5 tries per challenge, and wrong codes lock the account's second step for a while.",
  })
  async verifySecondFactor(
    @Arg('input', () => VerifySecondFactorInput) input: VerifySecondFactorInput,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    const payload = await this.auth.verifySecondFactor(input, meta(context));
    proven(context, payload.user);
    return payload;
  }

  @Authorized()
  @Mutation(() => Date, {
    description:
      'A new sign-in event for this session (password, two-factor code, recovery code or passkey): sensitive changes are allowed until the time returned (5 minutes).',
  })
  reauthenticate(
    @Arg('input', () => ReauthenticateInput) input: ReauthenticateInput,
    @Ctx() context: Context,
  ): Promise<Date> {
    return this.auth.reauthenticate(requireUser(context), input, context.ip);
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => AuthPayload)
  async refreshSession(
    @Arg('refreshToken', () => String) refreshToken: string,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    const payload = await this.auth.refreshSession(refreshToken, meta(context));
    proven(context, payload.user);
    return payload;
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => Boolean)
  signOut(@Arg('refreshToken', () => String) refreshToken: string): Promise<boolean> {
    return this.auth.signOut(refreshToken);
  }
}
