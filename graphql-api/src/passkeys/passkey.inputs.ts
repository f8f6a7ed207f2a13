import { IsBoolean, IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { registerDecorator } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { ArgsType, Field, ID } from 'type-graphql';
import { NotBlank } from '../shared/validation';
import { PASSKEY_LIMITS } from './passkey.model';

/** An authenticator's response is a few hundred bytes to a few KiB (attestation certificates). */
export const WEBAUTHN_RESPONSE_MAX_BYTES = 16 * 1024;

/**
 * The JSON `@simplewebauthn/browser` returns (RegistrationResponseJSON or
 * AuthenticationResponseJSON): an object with string `id`, `rawId`, `type: "public-key"` and a
 * `response` object, at most {@link WEBAUTHN_RESPONSE_MAX_BYTES} as JSON. The library checks
 * every byte of it; this only keeps what is plainly not one away from it.
 */
export function IsWebAuthnResponse(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isWebAuthnResponse',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `response must be a WebAuthn credential response (JSON, at most ${WEBAUTHN_RESPONSE_MAX_BYTES} bytes)`,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const record = value as Record<string, unknown>;
          const response = record.response;
          if (
            typeof record.id !== 'string' ||
            typeof record.rawId !== 'string' ||
            record.type !== 'public-key' ||
            typeof response !== 'object' ||
            response === null ||
            typeof (response as Record<string, unknown>).clientDataJSON !== 'string'
          ) {
            return false;
          }
          try {
            return Buffer.byteLength(JSON.stringify(value)) <= WEBAUTHN_RESPONSE_MAX_BYTES;
          } catch {
            // Nested deeper than the stack (a hostile value): not a response.
            return false;
          }
        },
      },
    });
  };
}

/** `registerPasskey(response, name)`. */
@ArgsType()
export class RegisterPasskeyArgs {
  @Field(() => GraphQLJSON, {
    description: "startRegistration()'s result (RegistrationResponseJSON).",
  })
  @IsWebAuthnResponse()
  response!: unknown;

  @Field(() => String, { nullable: true, description: 'Defaults to the kind of device.' })
  @IsOptional()
  @IsString()
  @Length(1, PASSKEY_LIMITS.nameMax)
  @NotBlank('name')
  name?: string | null;
}

/** `signInWithPasskey(response, rememberMe)`. */
@ArgsType()
export class SignInWithPasskeyArgs {
  @Field(() => GraphQLJSON, {
    description: "startAuthentication()'s result (AuthenticationResponseJSON).",
  })
  @IsWebAuthnResponse()
  response!: unknown;

  @Field({ defaultValue: false })
  @IsBoolean()
  rememberMe!: boolean;
}

/** `passkeySignInOptions(email)`. */
@ArgsType()
export class PasskeySignInOptionsArgs {
  @Field(() => String, {
    nullable: true,
    description:
      'Without it, any passkey of this site may answer (discoverable credentials); with it, the options list that account’s passkeys.',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;
}

/** `renamePasskey(id, name)`. */
@ArgsType()
export class RenamePasskeyArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  id!: string;

  @Field()
  @IsString()
  @Length(1, PASSKEY_LIMITS.nameMax)
  @NotBlank('name')
  name!: string;
}
