import { validate } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { getNamedType } from 'graphql';
import type { ValidatorFn } from 'type-graphql';
import type { FieldError } from './errors';
import { badUserInput } from './errors';

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

  const typeName = typeof argType === 'function' ? argType.name : undefined;
  const fieldDef = info.parentType.getFields()[info.fieldName];
  const argument = fieldDef?.args.find((arg) => getNamedType(arg.type).name === typeName)?.name;
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
