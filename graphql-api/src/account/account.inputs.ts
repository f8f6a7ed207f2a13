import { IsEmail, IsEnum, IsString, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { AcceptablePassword, PASSWORD_RULE_TEXT } from '../auth';
import { AuthProvider } from '../users';

/** A mailed token is 43 characters; anything much longer is not one of ours. */
const TOKEN_MAX_LENGTH = 100;

/** `requestPasswordReset(email)`. */
@ArgsType()
export class RequestPasswordResetArgs {
  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

/** `verifyEmail(token)` and `confirmEmailChange(token)`: the token of a mailed link. */
@ArgsType()
export class AccountTokenArgs {
  @Field({ description: 'The token of the mailed link.' })
  @IsString()
  @Length(1, TOKEN_MAX_LENGTH)
  token!: string;
}

/** `resetPassword(token, newPassword)`. */
@ArgsType()
export class ResetPasswordArgs {
  @Field({ description: 'The token of the mailed reset link.' })
  @IsString()
  @Length(1, TOKEN_MAX_LENGTH)
  token!: string;

  @Field({ description: PASSWORD_RULE_TEXT })
  @IsString()
  @AcceptablePassword()
  newPassword!: string;
}

/** `changePassword(currentPassword, newPassword)`. */
@ArgsType()
export class ChangePasswordArgs {
  @Field()
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;

  @Field({ description: PASSWORD_RULE_TEXT })
  @IsString()
  @AcceptablePassword()
  newPassword!: string;
}

/** `changeEmail(newEmail, currentPassword)`. */
@ArgsType()
export class ChangeEmailArgs {
  @Field()
  @IsEmail()
  @MaxLength(254)
  newEmail!: string;

  @Field()
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;
}

/** `connectProvider(input)`: a provider's ID token for the signed-in account. */
@InputType()
export class ConnectProviderInput {
  @Field(() => AuthProvider)
  @IsEnum(AuthProvider)
  provider!: AuthProvider;

  @Field({ description: 'The id_token of the OpenID Connect token response.' })
  @IsString()
  @Length(1, 8192)
  idToken!: string;
}
