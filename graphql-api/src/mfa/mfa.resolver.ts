import { Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../shared/auth-checker';
import { RequiredForProvidersArgs, TotpCodeArgs } from './mfa.inputs';
import type { MfaService } from './mfa.service';
import { RecoveryCodes, TotpEnrollment, TwoFactorStatus } from './mfa.types';

/** The signed-in person's two-factor settings (the sign-in's second step is AuthResolver's). */
@Resolver()
export class MfaResolver {
  constructor(private readonly mfa: MfaService) {}

  @Authorized()
  @Mutation(() => TotpEnrollment, {
    description:
      'Starts turning on two-factor: a new secret and its QR code, confirmed by confirmTotpEnrollment within 15 minutes. Needs a recent sign-in.',
  })
  startTotpEnrollment(@Ctx() context: Context): Promise<TotpEnrollment> {
    return this.mfa.startEnrollment(requireUser(context));
  }

  @Authorized()
  @Mutation(() => RecoveryCodes, {
    description:
      'Turns two-factor on with the first code of the new secret; returns the 10 recovery codes, shown only this once.',
  })
  confirmTotpEnrollment(
    @Args(() => TotpCodeArgs) { code }: TotpCodeArgs,
    @Ctx() context: Context,
  ): Promise<RecoveryCodes> {
    return this.mfa.confirmEnrollment(requireUser(context), code);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Turns two-factor off; false when it was off. Needs a recent sign-in.',
  })
  disableTotp(@Ctx() context: Context): Promise<boolean> {
    return this.mfa.disable(requireUser(context));
  }

  @Authorized()
  @Mutation(() => RecoveryCodes, {
    description:
      'Replaces the recovery codes (the earlier ones stop working); shown only this once. Needs a recent sign-in.',
  })
  regenerateRecoveryCodes(@Ctx() context: Context): Promise<RecoveryCodes> {
    return this.mfa.regenerateRecoveryCodes(requireUser(context));
  }

  @Authorized()
  @Mutation(() => TwoFactorStatus, {
    description: 'Whether a Google sign-in also asks for a code. Needs a recent sign-in.',
  })
  setTwoFactorForProviders(
    @Args(() => RequiredForProvidersArgs) { required }: RequiredForProvidersArgs,
    @Ctx() context: Context,
  ): Promise<TwoFactorStatus> {
    return this.mfa.setRequiredForProviders(requireUser(context), required);
  }
}
