import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Scope } from '../shared/scopes';
import { User } from '../users';
import { AuthPayload } from './auth-payload.type';
import { SignInInput, SignProviderInput, SignUpInput } from './auth.inputs';
import type { AuthService } from './auth.service';
import type { SignInMeta } from './session-issuer';

function meta(context: Context): SignInMeta {
  return {
    ip: context.ip,
    userAgent: context.userAgent,
    // Sign-ins need a key (KEY_ONLY_SCOPES), so the new session's scopes are always a key's.
    keyScopes: context.apiKey?.scopes ?? [],
  };
}

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Authorized([Scope.SignUpAuth])
  @Mutation(() => User)
  signUp(
    @Arg('input', () => SignUpInput) input: SignUpInput,
    @Ctx() context: Context,
  ): Promise<User> {
    return this.auth.signUp(input, meta(context));
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => AuthPayload)
  signIn(
    @Arg('input', () => SignInInput) input: SignInInput,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    return this.auth.signIn(input, meta(context));
  }

  @Authorized([Scope.SignInProvider])
  @Mutation(() => AuthPayload, {
    description:
      "Sign-in with a provider's ID token, which the API verifies itself; links only between proven owners of the e-mail.",
  })
  signProvider(
    @Arg('input', () => SignProviderInput) input: SignProviderInput,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    return this.auth.signProvider(input, meta(context));
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => AuthPayload)
  refreshSession(
    @Arg('refreshToken', () => String) refreshToken: string,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    return this.auth.refreshSession(refreshToken, meta(context));
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => Boolean)
  signOut(@Arg('refreshToken', () => String) refreshToken: string): Promise<boolean> {
    return this.auth.signOut(refreshToken);
  }
}
