import { Matches, validate } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { getNamedType } from 'graphql';
import type { ValidatorFn } from 'type-graphql';
import type { FieldError } from './errors';
import { badUserInput } from './errors';

/**
 * Refuses text that is only whitespace, for fields the model trims and requires: without it,
 * "   " passes a length check, is trimmed to "" and fails in the model as an unexpected error.
 */
export const NotBlank = (field: string): PropertyDecorator =>
  Matches(/\S/, { message: `${field} must not be blank` });

/** A lone UTF-16 surrogate: not text, and validators that encode to UTF-8 (isByteLength) throw on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Dotted paths of every string in `value` that is not well-formed Unicode. */
function illFormedStrings(value: unknown, prefix: string): string[] {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? [prefix] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    illFormedStrings(child, prefix ? `${prefix}.${key}` : key),
  );
}

function flatten(errors: ValidationError[], argument: string, prefix: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints
      ? [{ argument, field, constraints: error.constraints }]
      : [];
    return [...own, ...flatten(error.children ?? [], argument, field)];
  });
}

/**
 * The one place arguments are validated (class-validator), reporting BAD_USER_INPUT with
 * `fields: [{ argument, field, constraints }]`. An input-object argument is named by matching
 * its GraphQL type; for `@Args()` classes each property is its own argument.
 */
export const validateArgument: ValidatorFn = async (argValue, argType, { info }) => {
  if (argValue === null || typeof argValue !== 'object') return;
  const typeName = typeof argType === 'function' ? argType.name : undefined;
  const fieldDef = info.parentType.getFields()[info.fieldName];
  const argument = fieldDef?.args.find((arg) => getNamedType(arg.type).name === typeName)?.name;

  // JSON can carry "\ud800": refuse it as bad input before any validator or hash sees it.
  const illFormed = illFormedStrings(argValue, '');
  if (illFormed.length > 0) {
    throw badUserInput(
      illFormed.map((path) => {
        // For an @Args() class the first path segment is the argument itself.
        const [head = '', ...rest] = path.split('.');
        const named = argument !== undefined;
        return {
          argument: named ? argument : head,
          field: named ? path : rest.join('.'),
          constraints: { isWellFormed: `${path} must be valid Unicode text` },
        };
      }),
    );
  }

  const values: object[] = Array.isArray(argValue) ? argValue : [argValue];
  const errors = (
    await Promise.all(
      values.map((value) =>
        validate(value, {
          forbidUnknownValues: false,
          validationError: { target: false, value: false },
        }),
      ),
    )
  ).flat();
  if (errors.length === 0) return;
  const fields =
    argument !== undefined
      ? flatten(errors, argument, '')
      : errors.flatMap((error) =>
          flatten(error.children ?? [], error.property, '').concat(
            error.constraints
              ? [{ argument: error.property, field: '', constraints: error.constraints }]
              : [],
          ),
        );
  throw badUserInput(fields);
};
