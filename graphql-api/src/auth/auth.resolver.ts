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

/**
 * Records that this request authenticated `user` (a sign-up, a sign-in or a refresh), so its
 * answer may show what only that person may see (see `Context.provenUserIds`).
 */
function proven(context: Context, user: User): void {
  context.provenUserIds.add(user._id.toHexString());
}

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Authorized([Scope.SignUpAuth])
  @Mutation(() => User)
  async signUp(
    @Arg('input', () => SignUpInput) input: SignUpInput,
    @Ctx() context: Context,
  ): Promise<User> {
    const user = await this.auth.signUp(input, meta(context));
    proven(context, user);
    return user;
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => AuthPayload)
  async signIn(
    @Arg('input', () => SignInInput) input: SignInInput,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    const payload = await this.auth.signIn(input, meta(context));
    proven(context, payload.user);
    return payload;
  }

  @Authorized([Scope.SignInProvider])
  @Mutation(() => AuthPayload, {
    description:
      "Sign-in with a provider's ID token, which the API verifies itself; links only between proven owners of the e-mail.",
  })
  async signProvider(
    @Arg('input', () => SignProviderInput) input: SignProviderInput,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    const payload = await this.auth.signProvider(input, meta(context));
    proven(context, payload.user);
    return payload;
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => AuthPayload)
  async refreshSession(
    @Arg('refreshToken', () => String) refreshToken: string,
    @Ctx() context: Context,
  ): Promise<AuthPayload> {
    const payload = await this.auth.refreshSession(refreshToken, meta(context));
    proven(context, payload.user);
    return payload;
  }

  @Authorized([Scope.SignInAuth])
  @Mutation(() => Boolean)
  signOut(@Arg('refreshToken', () => String) refreshToken: string): Promise<boolean> {
    return this.auth.signOut(refreshToken);
  }
}
