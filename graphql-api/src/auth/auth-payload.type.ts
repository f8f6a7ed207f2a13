import { Field, ObjectType } from 'type-graphql';
import { User } from '../users';

/** What a sign-in returns: a 15-minute access token and a refresh token for its session. */
@ObjectType()
export class AuthPayload {
  @Field()
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field()
  refreshToken!: string;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => User)
  user!: User;
}
