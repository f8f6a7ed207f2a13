import { Field, ObjectType } from 'type-graphql';
import { ReauthenticationMethod } from '../auth';
import { TwoFactorStatus } from '../mfa';
import { Passkey } from '../passkeys';

@ObjectType({
  description:
    "The caller's sign-in methods, each with its last use, and this session's step-up window.",
})
export class AccountSecurity {
  @Field(() => Date, { nullable: true, description: 'Null without a password, or never used.' })
  passwordLastUsedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Null when Google is not connected or never used.',
  })
  googleLastUsedAt!: Date | null;

  @Field(() => [Passkey])
  passkeys!: Passkey[];

  @Field(() => TwoFactorStatus)
  twoFactor!: TwoFactorStatus;

  @Field(() => Date, {
    nullable: true,
    description:
      'Until when this session may make sensitive changes without reauthenticate (null: it must first).',
  })
  reauthenticatedUntil!: Date | null;

  @Field(() => [ReauthenticationMethod], {
    description: 'What reauthenticate accepts for this account.',
  })
  reauthenticationMethods!: ReauthenticationMethod[];
}
