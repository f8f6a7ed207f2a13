import {
  ArrayMaxSize,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { ConnectionArgs } from '../shared/connection';
import { NotBlank } from '../shared/validation';
import { MOVIE_LIMITS } from './movie.model';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true };

/** Applies the validators when the field is present: an explicit null is still refused by them. */
const WhenPresent = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

@InputType()
export class MovieFilter {
  @Field(() => [String], {
    nullable: true,
    description: 'Movies carrying every one of these tags.',
  })
  @IsOptional()
  @ArrayMaxSize(MOVIE_LIMITS.tagsMax)
  @IsString({ each: true })
  @MaxLength(MOVIE_LIMITS.tagMax, { each: true })
  tags?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Titles containing this text, ignoring case and accents (`amelie` finds Amélie, `strasse` Straße); plain text, never a regex from the caller. Blank (or only accents) filters nothing.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MOVIE_LIMITS.titleMax)
  search?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(MOVIE_LIMITS.yearMin)
  @Max(MOVIE_LIMITS.yearMax)
  year?: number | null;
}

/** The largest `offset` of `movies`: deeper pages are reached with `after` (an index seek). */
export const MAX_MOVIES_OFFSET = 10_000;

/** Refuses the property when `other` is given too (both are optional; null counts as absent). */
const NotTogetherWith = (other: string, message: string): PropertyDecorator =>
  ValidateBy({
    name: 'notTogetherWith',
    constraints: [other],
    validator: {
      validate: (value: unknown, args) =>
        value === null ||
        value === undefined ||
        (args?.object as Record<string, unknown> | undefined)?.[other] == null,
      defaultMessage: () => message,
    },
  });

/**
 * `movies`' arguments: a connection's `first` / `after`, plus `offset` for numbered pages
 * ("page N of M": `offset: (N - 1) * first`). `offset` and `after` are two ways to say where the
 * page starts, so only one may be given.
 */
@ArgsType()
export class MovieListArgs extends ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Skips this many matching movies (0 to ${MAX_MOVIES_OFFSET}) in the same order, for numbered pages: page N is \`offset: (N - 1) * first\`. Not together with \`after\`.`,
  })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'offset must not be negative' })
  @Max(MAX_MOVIES_OFFSET, {
    message: `offset must be at most ${MAX_MOVIES_OFFSET}; page further with after`,
  })
  @NotTogetherWith('after', 'offset cannot be used together with after; send one of them')
  offset?: number | null;
}

@InputType()
export class CreateMovieInput {
  @Field()
  @IsString()
  @Length(1, MOVIE_LIMITS.titleMax)
  @NotBlank('title')
  title!: string;

  @Field(() => Int)
  @IsInt()
  @Min(MOVIE_LIMITS.yearMin)
  @Max(MOVIE_LIMITS.yearMax)
  year!: number;

  @Field()
  @IsUrl(URL_OPTIONS)
  cover!: string;

  @Field()
  @IsString()
  @MaxLength(MOVIE_LIMITS.descriptionMax)
  description!: string;

  @Field(() => Int)
  @IsInt()
  @Min(MOVIE_LIMITS.durationMin)
  @Max(MOVIE_LIMITS.durationMax)
  duration!: number;

  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(MOVIE_LIMITS.contentRatingMax)
  contentRating!: string;

  @Field()
  @IsUrl(URL_OPTIONS)
  source!: string;

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(MOVIE_LIMITS.tagsMax)
  @IsString({ each: true })
  @Length(1, MOVIE_LIMITS.tagMax, { each: true })
  tags!: string[];
}

/** Only the fields given change; null is refused (every movie field is required). */
@InputType()
export class UpdateMovieInput {
  @Field(() => String, { nullable: true })
  @WhenPresent()
  @IsString()
  @Length(1, MOVIE_LIMITS.titleMax)
  @NotBlank('title')
  title?: string;

  @Field(() => Int, { nullable: true })
  @WhenPresent()
  @IsInt()
  @Min(MOVIE_LIMITS.yearMin)
  @Max(MOVIE_LIMITS.yearMax)
  year?: number;

  @Field(() => String, { nullable: true })
  @WhenPresent()
  @IsUrl(URL_OPTIONS)
  cover?: string;

  @Field(() => String, { nullable: true })
  @WhenPresent()
  @IsString()
  @MaxLength(MOVIE_LIMITS.descriptionMax)
  description?: string;

  @Field(() => Int, { nullable: true })
  @WhenPresent()
  @IsInt()
  @Min(MOVIE_LIMITS.durationMin)
  @Max(MOVIE_LIMITS.durationMax)
  duration?: number;

  @Field(() => String, { nullable: true })
  @WhenPresent()
  @IsString()
  @MinLength(1)
  @MaxLength(MOVIE_LIMITS.contentRatingMax)
  contentRating?: string;

  @Field(() => String, { nullable: true })
  @WhenPresent()
  @IsUrl(URL_OPTIONS)
  source?: string;

  @Field(() => [String], { nullable: true })
  @WhenPresent()
  @ArrayMaxSize(MOVIE_LIMITS.tagsMax)
  @IsString({ each: true })
  @Length(1, MOVIE_LIMITS.tagMax, { each: true })
  tags?: string[];
}
