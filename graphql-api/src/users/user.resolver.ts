import { Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { AuthProvider, User } from './user.model';
import type { UserService } from './user.service';

@Resolver(() => User)
export class UserResolver {
  constructor(private readonly users: UserService) {}

  @Authorized()
  @Query(() => User, {
    nullable: true,
    description: "The caller's user, or null for an API key alone.",
  })
  me(@Ctx() context: Context): Promise<User | null> | null {
    return context.user ? this.users.findById(context.user.id) : null;
  }

  @FieldResolver(() => Boolean, {
    description:
      'Whether the owner of the address proved it (a verification link, a password reset, or a provider that verified it).',
  })
  emailVerified(@Root() user: User): boolean {
    return user.emailVerified === true;
  }

  @FieldResolver(() => [AuthProvider], {
    description: 'Providers linked to this account (GOOGLE, ...). Subjects are never exposed.',
  })
  providers(@Root() user: User): AuthProvider[] {
    return [...new Set((user.providers ?? []).map((linked) => linked.provider))];
  }
}
