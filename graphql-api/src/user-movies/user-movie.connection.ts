import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../shared/connection';
import { UserMovie } from './user-movie.model';

@ObjectType()
export class UserMovieEdge {
  @Field()
  cursor!: string;

  @Field(() => UserMovie)
  node!: UserMovie;
}

/** A page of the caller's list; `totalCount` runs its count query only when it is selected. */
@ObjectType()
export class UserMovieConnection {
  @Field(() => [UserMovieEdge])
  edges: UserMovieEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  constructor(
    edges: UserMovieEdge[],
    pageInfo: PageInfo,
    private readonly countTotal: () => Promise<number>,
  ) {
    this.edges = edges;
    this.pageInfo = pageInfo;
  }

  @Field(() => Int)
  totalCount(): Promise<number> {
    return this.countTotal();
  }
}
