import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

/** What can complete a sign-in that asked for a second factor. */
export enum SecondFactorMethod {
  TOTP = 'TOTP',
  RECOVERY_CODE = 'RECOVERY_CODE',
}
registerEnumType(SecondFactorMethod, {
  name: 'SecondFactorMethod',
  valuesConfig: {
    TOTP: { description: 'A 6-digit code from the authenticator app.' },
    RECOVERY_CODE: { description: 'One of the recovery codes (each works once).' },
  },
});

@ObjectType({
  description:
    'The first factor checked out; the sign-in completes with verifySecondFactor (no tokens yet).',
})
export class MfaRequired {
  @Field({ description: 'Opaque, single use, valid for 5 minutes: pass it to verifySecondFactor.' })
  challengeId!: string;

  @Field(() => [SecondFactorMethod])
  methods!: SecondFactorMethod[];

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType({ description: 'A two-factor enrolment to confirm with a first code (15 minutes).' })
export class TotpEnrollment {
  @Field({ description: 'The secret in base32, for typing into an authenticator app.' })
  secret!: string;

  @Field({ description: 'The otpauth:// URI the QR code holds.' })
  otpauthUri!: string;

  @Field({ description: 'The QR code of otpauthUri, an SVG document rendered by the API.' })
  qrCodeSvg!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType({ description: 'New recovery codes: shown once, each works once, stored hashed.' })
export class RecoveryCodes {
  @Field(() => [String])
  codes!: string[];
}

@ObjectType({ description: "The caller's two-factor (authenticator app) settings." })
export class TwoFactorStatus {
  @Field()
  enabled!: boolean;

  @Field(() => Date, { nullable: true })
  enabledAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a code was last accepted.' })
  lastUsedAt!: Date | null;

  @Field(() => Int)
  recoveryCodesLeft!: number;

  @Field(() => Date, { nullable: true })
  recoveryCodeLastUsedAt!: Date | null;

  @Field({ description: 'Also ask for a code after a Google sign-in (off by default).' })
  requiredForProviders!: boolean;
}
