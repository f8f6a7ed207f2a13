import {
  IsBoolean,
  IsByteLength,
  IsEmail,
  IsEnum,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { NotBlank } from '../shared/validation';
import { AuthProvider, USER_LIMITS } from '../users';

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

  /** Bytes, not characters: argon2 and the old bcrypt limit count bytes. */
  @Field()
  @IsString()
  @IsByteLength(USER_LIMITS.passwordMinBytes, USER_LIMITS.passwordMaxBytes, {
    message: 'password must be 8 to 72 bytes long',
  })
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

@InputType()
export class SignProviderInput {
  @Field(() => AuthProvider)
  @IsEnum(AuthProvider)
  provider!: AuthProvider;

  @Field()
  @IsString()
  @Length(1, 255)
  subject!: string;

  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field()
  @IsBoolean()
  emailVerified!: boolean;

  @Field()
  @IsString()
  @Length(USER_LIMITS.nameMin, USER_LIMITS.nameMax)
  @NotBlank('name')
  name!: string;

  @Field({ defaultValue: false })
  @IsBoolean()
  rememberMe!: boolean;
}
