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
  ValidateIf,
} from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
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
    description: 'Case-insensitive match on the title (plain text, never a regex from the caller).',
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
