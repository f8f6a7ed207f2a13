import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../shared/auth-checker';
import { Session } from './session.model';
import type { SessionService } from './session.service';

/** The caller's own sessions: list them, end one, end all the others. */
@Resolver(() => Session)
export class SessionResolver {
  constructor(private readonly sessionService: SessionService) {}

  @Authorized()
  @Query(() => [Session], {
    description: "The caller's live sessions (signed-in devices), most recently used first.",
  })
  sessions(@Ctx() context: Context): Promise<Session[]> {
    return this.sessionService.listActive(requireUser(context).id);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Ends one of the caller's sessions (its access token fails on the next request); false when the caller has no live session with this id. Another session than this one needs a sign-in of the last 5 minutes.",
  })
  revokeSession(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<boolean> {
    return this.sessionService.revokeOne(requireUser(context), id);
  }

  @Authorized()
  @Mutation(() => Int, {
    description:
      'Ends every session of the caller except this one; how many were ended. Needs a sign-in of the last 5 minutes (REAUTHENTICATION_REQUIRED).',
  })
  revokeOtherSessions(@Ctx() context: Context): Promise<number> {
    return this.sessionService.revokeOthers(requireUser(context));
  }

  @FieldResolver(() => Date, { description: 'Sign-in, then each refresh of its tokens.' })
  lastUsedAt(@Root() session: Session): Date {
    return session.lastUsedAt ?? session.createdAt;
  }

  @FieldResolver(() => Boolean, { description: 'The session this request is made with.' })
  current(@Root() session: Session, @Ctx() context: Context): boolean {
    return context.user?.sessionId === session._id.toHexString();
  }
}
