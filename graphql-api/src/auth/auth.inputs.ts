import {
  IsBoolean,
  IsEmail,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, InputType } from 'type-graphql';
import { RECOVERY_CODE, TOTP_CODE } from '../mfa';
import { IsWebAuthnResponse } from '../passkeys';
import { NotBlank } from '../shared/validation';
import { AuthProvider, USER_LIMITS } from '../users';
import { AcceptablePassword, PASSWORD_RULE_TEXT } from './password-policy';

@InputType()
export class SignUpInput {
  @Field()
  @IsString()
  @Length(USER_LIMITS.nameMin, USER_LIMITS.nameMax)
  @NotBlank('name')
  name!: string;

  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field({ description: PASSWORD_RULE_TEXT })
  @IsString()
  @AcceptablePassword()
  password!: string;
}

@InputType()
export class SignInInput {
  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field()
  @IsString()
  @MaxLength(1024)
  password!: string;

  @Field({ defaultValue: false })
  @IsBoolean()
  rememberMe!: boolean;
}

/** An OpenID Connect ID token (a JWS), as the provider's token endpoint returned it. */
export const ID_TOKEN_MAX_LENGTH = 8192;

@InputType({
  description:
    "A provider's proof of identity: the API verifies the ID token itself (signature, issuer, audience, expiry) and reads the identity only from it.",
})
export class SignProviderInput {
  @Field(() => AuthProvider)
  @IsEnum(AuthProvider)
  provider!: AuthProvider;

  @Field({ description: 'The id_token of the OpenID Connect token response.' })
  @IsString()
  @Length(1, ID_TOKEN_MAX_LENGTH)
  idToken!: string;

  @Field({ defaultValue: false })
  @IsBoolean()
  rememberMe!: boolean;
}

const PASSWORD_MAX = 1024;

@InputType({
  description:
    'Proof for reauthenticate: exactly one of the password, a two-factor code, a recovery code or a passkey response (to passkeyReauthenticationOptions).',
})
export class ReauthenticateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  password?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(TOTP_CODE, { message: 'Enter the 6-digit code from your authenticator app' })
  code?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(RECOVERY_CODE, { message: 'Enter one of your recovery codes, like k7m2-x9qp-4hdt' })
  recoveryCode?: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  @IsOptional()
  @IsWebAuthnResponse()
  passkeyResponse?: unknown;
}
