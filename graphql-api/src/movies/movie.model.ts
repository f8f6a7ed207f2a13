import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import { isURL } from 'class-validator';
import type { Types } from 'mongoose';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { INHERIT_MAX_AGE } from '../shared/cache';

/** Limits shared by the model (last line of defence) and the inputs (the error the caller sees). */
export const MOVIE_LIMITS = {
  titleMax: 80,
  yearMin: 1888,
  yearMax: 2077,
  descriptionMax: 300,
  durationMin: 1,
  durationMax: 300,
  contentRatingMax: 5,
  tagMax: 50,
  tagsMax: 20,
} as const;

/** http(s) URLs only, as the inputs require: a `javascript:` cover must never reach a page. */
const HTTP_URL = {
  validator: (value: string) =>
    isURL(value, { protocols: ['http', 'https'], require_protocol: true }),
  message: '{PATH} must be an http(s) URL',
};

/** A catalog entry: the GraphQL type and the Typegoose model in one class. */
// The catalog's hot type: plain property fields resolve with graphql-js's default resolver
// (no type-graphql wrapper per field; nothing here needs middleware or auth). `id` keeps
// type-graphql's resolver, which reads `_id`.
@ObjectType({ simpleResolvers: true })
@Directive(INHERIT_MAX_AGE)
@modelOptions({ schemaOptions: { timestamps: true, collection: 'movies' } })
// The catalog is listed by title; the id breaks ties so cursors are stable.
@index({ title: 1, _id: 1 })
// A page filtered by a tag walks that tag's titles in order from the cursor (the `$all` tag
// is an equality on this prefix), instead of sorting every movie with the tag; it also
// serves tag-only lookups and `distinct('tags')`, as `{ tags: 1 }` did.
@index({ tags: 1, title: 1, _id: 1 })
export class Movie {
  @Field(() => ID, { name: 'id', simple: false })
  readonly _id!: Types.ObjectId;

  @Field()
  @prop({ required: true, trim: true, maxlength: MOVIE_LIMITS.titleMax })
  title!: string;

  /**
   * The title folded for search (`foldForSearch` of shared/text.ts: no case, no accents), kept by
   * `MovieService` on every create and title change and backfilled at start-up for movies
   * stored before it existed. Never exposed in GraphQL.
   */
  @prop({ type: String })
  titleSearch?: string;

  @Field(() => Int)
  @prop({ required: true, min: MOVIE_LIMITS.yearMin, max: MOVIE_LIMITS.yearMax })
  year!: number;

  @Field()
  @prop({ required: true, validate: HTTP_URL })
  cover!: string;

  @Field()
  @prop({ required: true, maxlength: MOVIE_LIMITS.descriptionMax })
  description!: string;

  @Field(() => Int, { description: 'Minutes, 1–300.' })
  @prop({ required: true, min: MOVIE_LIMITS.durationMin, max: MOVIE_LIMITS.durationMax })
  duration!: number;

  @Field()
  @prop({ required: true, maxlength: MOVIE_LIMITS.contentRatingMax })
  contentRating!: string;

  @Field()
  @prop({ required: true, validate: HTTP_URL })
  source!: string;

  @Field(() => [String])
  // maxlength applies to each tag (Typegoose puts it on the array's items).
  @prop({ type: () => [String], default: [], maxlength: MOVIE_LIMITS.tagMax })
  tags!: string[];

  @Field(() => Date)
  readonly createdAt!: Date;

  @Field(() => Date)
  readonly updatedAt!: Date;
}

export const MovieModel = getModelForClass(Movie);
