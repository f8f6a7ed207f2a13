import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AuthPayload } from '../auth';
import type { Context } from '../context';
import { requireUser } from '../shared/auth-checker';
import { Scope } from '../shared/scopes';
import { AuthProvider, User } from '../users';
import {
  AccountTokenArgs,
  ChangeEmailArgs,
  ChangePasswordArgs,
  ConnectProviderInput,
  RequestPasswordResetArgs,
  ResetPasswordArgs,
} from './account.inputs';
import { AccountSecurity } from './account-security.type';
import type { AccountService } from './account.service';

/**
 * E-mail verification, recovery and the signed-in person's account. The link operations need
 * `signin:auth` (a key's: they start or restore access); the others need a signed-in user.
 */
@Resolver()
export class AccountResolver {
  constructor(private readonly account: AccountService) {}

  @Authorized()
  @Query(() => AccountSecurity, {
    description:
      "The caller's sign-in methods (password, Google, passkeys, two-factor) with their last use.",
  })
  accountSecurity(@Ctx() context: Context): Promise<AccountSecurity> {
    return this.account.security(requireUser(context));
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Mails a new verification link to the signed-in user; false when the address is verified already.',
  })
  requestEmailVerification(@Ctx() context: Context): Promise<boolean> {
    return this.account.requestEmailVerification(requireUser(context), context.ip);
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => User, { description: 'Uses a verification link (single use, 24 hours).' })
  verifyEmail(@Args(() => AccountTokenArgs) { token }: AccountTokenArgs): Promise<User> {
    return this.account.verifyEmail(token);
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => Boolean, {
    description:
      'Mails a reset link (30 minutes) if the address has an account. Always true, in the same time, so it tells nothing about accounts.',
  })
  requestPasswordReset(
    @Args(() => RequestPasswordResetArgs) { email }: RequestPasswordResetArgs,
    @Ctx() context: Context,
  ): Promise<boolean> {
    return this.account.requestPasswordReset(email, context.ip);
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => Boolean, {
    description:
      'Uses a reset link: sets the password, marks the e-mail verified and ends every session of the user.',
  })
  resetPassword(
    @Args(() => ResetPasswordArgs) { token, newPassword }: ResetPasswordArgs,
  ): Promise<boolean> {
    return this.account.resetPassword(token, newPassword);
  }

  @Authorized()
  @Mutation(() => AuthPayload, {
    description:
      'Changes the password (the current one is checked). Every session ends; the new tokens returned replace this one.',
  })
  changePassword(
    @Args(() => ChangePasswordArgs) { currentPassword, newPassword }: ChangePasswordArgs,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    return this.account.changePassword(requireUser(context), currentPassword, newPassword, {
      ip: context.ip,
      userAgent: context.userAgent,
      keyScopes: context.apiKey?.scopes ?? [],
    });
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Mails a confirmation link (1 hour) to the new address and a notice to the current one; the address changes when the link is used.',
  })
  changeEmail(
    @Args(() => ChangeEmailArgs) { newEmail, currentPassword }: ChangeEmailArgs,
    @Ctx() context: Context,
  ): Promise<boolean> {
    return this.account.changeEmail(requireUser(context), newEmail, currentPassword, context.ip);
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => User, {
    description: 'Uses an e-mail change link: the account moves to the new address.',
  })
  confirmEmailChange(@Args(() => AccountTokenArgs) { token }: AccountTokenArgs): Promise<User> {
    return this.account.confirmEmailChange(token);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      'Connects a provider account to the signed-in user, proven by its ID token (whatever its e-mail). Needs a recent sign-in.',
  })
  connectProvider(
    @Arg('input', () => ConnectProviderInput) input: ConnectProviderInput,
    @Ctx() context: Context,
  ): Promise<User> {
    return this.account.connectProvider(requireUser(context), input.provider, input.idToken);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      'Disconnects a provider; refused when it is the last way to sign in. Needs a recent sign-in.',
  })
  disconnectProvider(
    @Arg('provider', () => AuthProvider) provider: AuthProvider,
    @Ctx() context: Context,
  ): Promise<User> {
    return this.account.disconnectProvider(requireUser(context), provider);
  }
}
