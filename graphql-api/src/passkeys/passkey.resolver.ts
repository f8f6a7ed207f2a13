import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../shared/auth-checker';
import { Scope } from '../shared/scopes';
import { PasskeySignInOptionsArgs, RegisterPasskeyArgs, RenamePasskeyArgs } from './passkey.inputs';
import { Passkey } from './passkey.model';
import type { PasskeyService } from './passkey.service';

/** Passkeys: the ceremonies' options, registration and the caller's list (sign-in is AuthResolver's). */
@Resolver(() => Passkey)
export class PasskeyResolver {
  constructor(private readonly service: PasskeyService) {}

  @Authorized()
  @Query(() => [Passkey], { description: "The caller's passkeys, newest first." })
  passkeys(@Ctx() context: Context): Promise<Passkey[]> {
    return this.service.list(requireUser(context).id);
  }

  @Authorized()
  @Mutation(() => GraphQLJSON, {
    description:
      'Options for startRegistration() (PublicKeyCredentialCreationOptionsJSON); its challenge works once, in this session, for 5 minutes. Needs a recent sign-in.',
  })
  passkeyRegistrationOptions(@Ctx() context: Context): Promise<unknown> {
    return this.service.registrationOptions(requireUser(context));
  }

  @Authorized()
  @Mutation(() => Passkey, { description: 'Adds the passkey startRegistration() made.' })
  registerPasskey(
    @Args(() => RegisterPasskeyArgs) { response, name }: RegisterPasskeyArgs,
    @Ctx() context: Context,
  ): Promise<Passkey> {
    return this.service.register(requireUser(context), response, name);
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => GraphQLJSON, {
    description:
      'Options for startAuthentication() (PublicKeyCredentialRequestOptionsJSON), for signInWithPasskey; its challenge works once, for 5 minutes.',
  })
  passkeySignInOptions(
    @Args(() => PasskeySignInOptionsArgs) { email }: PasskeySignInOptionsArgs,
    @Ctx() context: Context,
  ): Promise<unknown> {
    return this.service.signInOptions(email, context.ip);
  }

  @Authorized()
  @Mutation(() => GraphQLJSON, {
    description:
      "Options for startAuthentication() with the caller's passkeys, for reauthenticate(input: { passkeyResponse }).",
  })
  passkeyReauthenticationOptions(@Ctx() context: Context): Promise<unknown> {
    return this.service.reauthenticationOptions(requireUser(context));
  }

  @Authorized()
  @Mutation(() => Passkey)
  renamePasskey(
    @Args(() => RenamePasskeyArgs) { id, name }: RenamePasskeyArgs,
    @Ctx() context: Context,
  ): Promise<Passkey> {
    return this.service.rename(requireUser(context), id, name);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Removes one of the caller's passkeys; refused when it is the last way to sign in. Needs a recent sign-in.",
  })
  removePasskey(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<boolean> {
    return this.service.remove(requireUser(context), id);
  }
}
