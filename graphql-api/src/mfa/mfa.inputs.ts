import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';

/** A challenge id is 43 base64url characters (32 random bytes). */
const CHALLENGE_ID = /^[A-Za-z0-9_-]{43}$/;
/** Six digits; spaces (as apps show them, "123 456") are ignored. */
export const TOTP_CODE = /^\s*\d{3}\s?\d{3}\s*$/;
/** Twelve letters or digits in groups ("k7m2-x9qp-4hdt"); dashes, spaces and case are ignored. */
export const RECOVERY_CODE = /^\s*[A-Za-z0-9]{4}(?:[-\s]?[A-Za-z0-9]{4}){2}\s*$/;

const CODE_MESSAGE = 'Enter the 6-digit code from your authenticator app';
const RECOVERY_MESSAGE = 'Enter one of your recovery codes, like k7m2-x9qp-4hdt';

@InputType({
  description:
    'The second step of a sign-in: a code from the app, or a recovery code (one of them).',
})
export class VerifySecondFactorInput {
  @Field({ description: 'MfaRequired.challengeId.' })
  @IsString()
  @Matches(CHALLENGE_ID, { message: 'This sign-in has expired; sign in again' })
  challengeId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(TOTP_CODE, { message: CODE_MESSAGE })
  code?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(RECOVERY_CODE, { message: RECOVERY_MESSAGE })
  recoveryCode?: string | null;
}

/** `confirmTotpEnrollment(code)`. */
@ArgsType()
export class TotpCodeArgs {
  @Field({ description: 'The code the app shows for the new secret.' })
  @IsString()
  @Length(1, 20)
  @Matches(TOTP_CODE, { message: CODE_MESSAGE })
  code!: string;
}

/** `setTwoFactorForProviders(required)`. */
@ArgsType()
export class RequiredForProvidersArgs {
  @Field()
  @IsBoolean()
  required!: boolean;
}
