import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { INHERIT_MAX_AGE } from '../shared/cache';
import { PageInfo } from '../shared/connection';
import { Movie } from './movie.model';

@ObjectType()
@Directive(INHERIT_MAX_AGE)
export class MovieEdge {
  @Field()
  cursor!: string;

  @Field(() => Movie)
  node!: Movie;
}

/** A page of movies; `totalCount` runs its count query only when it is selected. */
@ObjectType()
@Directive(INHERIT_MAX_AGE)
export class MovieConnection {
  @Field(() => [MovieEdge])
  edges: MovieEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  constructor(
    edges: MovieEdge[],
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
