import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import { Field, ID, ObjectType } from 'type-graphql';
import { Movie } from '../movies';
import { User } from '../users';

/** A movie in a user's list. `movie` is resolved through the per-request DataLoader. */
@ObjectType()
@modelOptions({
  schemaOptions: { timestamps: true, collection: 'usermovies' },
})
@index({ user: 1, movie: 1 }, { unique: true })
// The list is read newest first, per user.
@index({ user: 1, createdAt: -1, _id: -1 })
export class UserMovie {
  @Field(() => ID, { name: 'id' })
  readonly _id!: Types.ObjectId;

  @prop({ ref: () => User, required: true })
  user!: Ref<User>;

  @prop({ ref: () => Movie, required: true, index: true })
  movie!: Ref<Movie>;

  @Field(() => Date)
  readonly createdAt!: Date;

  /** Moves when the same movie is added again (an idempotent add); not exposed. */
  readonly updatedAt!: Date;
}

export const UserMovieModel = getModelForClass(UserMovie);
