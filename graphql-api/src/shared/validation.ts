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

/** Arguments nest objects at most this deep (a WebAuthn response: 3); deeper is refused. */
const MAX_ARGUMENT_DEPTH = 32;

/** A value of an argument that no validator should see: why, and its dotted path. */
interface RefusedValue {
  path: string;
  constraint: 'isWellFormed' | 'maxDepth';
}

/**
 * Every string in `value` that is not well-formed Unicode, and any object nested deeper than
 * {@link MAX_ARGUMENT_DEPTH} (a JSON scalar can carry thousands of levels: walking or
 * stringifying them would exhaust the stack). Iterative, so depth costs no stack.
 */
function refusedValues(value: unknown): RefusedValue[] {
  const refused: RefusedValue[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value, path: '', depth: 0 },
  ];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!next) break;
    if (typeof next.value === 'string') {
      if (LONE_SURROGATE.test(next.value))
        refused.push({ path: next.path, constraint: 'isWellFormed' });
      continue;
    }
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth >= MAX_ARGUMENT_DEPTH) {
      refused.push({ path: next.path, constraint: 'maxDepth' });
      continue;
    }
    for (const [key, child] of Object.entries(next.value)) {
      pending.push({
        value: child,
        path: next.path ? `${next.path}.${key}` : key,
        depth: next.depth + 1,
      });
    }
  }
  return refused;
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

/** Argument values that passed, by type and JSON (see {@link validateArgument}). */
const passed = new Map<string, true>();
/** Bounds of `passed`: entries, and the longest JSON kept (so it stays under ~2 MiB). */
const PASSED_MAX_ENTRIES = 1000;
const PASSED_MAX_JSON = 2048;

/**
 * The key of an argument value in `passed`, or null when its JSON would not show all of it:
 * anything but strings, finite numbers, booleans, null, arrays and objects without `toJSON`
 * (a Date, say) might validate differently with the same JSON.
 */
function passedKey(typeName: string, value: unknown): string | null {
  let plain = true;
  let json: string | undefined;
  try {
    json = JSON.stringify(value, function (this: Record<string, unknown>, key, child: unknown) {
      // The value before `toJSON`: the replacer sees what toJSON made of it.
      const raw = key === '' ? value : this[key];
      if (typeof raw === 'number' && !Number.isFinite(raw)) plain = false;
      else if (typeof raw === 'function' || typeof raw === 'symbol') plain = false;
      else if (
        typeof raw === 'object' &&
        raw !== null &&
        typeof (raw as { toJSON?: unknown }).toJSON === 'function'
      )
        plain = false;
      return child;
    });
  } catch {
    // A BigInt, or a cycle.
    return null;
  }
  if (!plain || json === undefined || json.length > PASSED_MAX_JSON) return null;
  return `${typeName}\u0000${json}`;
}

/**
 * The one place arguments are validated (class-validator), reporting BAD_USER_INPUT with
 * `fields: [{ argument, field, constraints }]`. An input-object argument is named by matching
 * its GraphQL type; for `@Args()` classes each property is its own argument.
 *
 * Validation is a function of the value alone (no validator here reads the request or the
 * database), so a query's argument value that passed is remembered by its type and JSON and not
 * validated again: the catalog's `first: 20` is checked once, not on every read. Failures are
 * never remembered (each gets its full report), nor are values whose JSON would not show all of
 * them, nor a mutation's (they carry passwords and tokens, which are never kept in memory).
 */
export const validateArgument: ValidatorFn = async (argValue, argType, { info }) => {
  if (argValue === null || typeof argValue !== 'object') return;
  const typeName = typeof argType === 'function' ? argType.name : undefined;
  const key =
    typeName === undefined || info.operation.operation !== 'query'
      ? null
      : passedKey(typeName, argValue);
  if (key !== null && passed.has(key)) return;
  await validateNow(argValue, typeName, info);
  if (key === null) return;
  if (passed.size >= PASSED_MAX_ENTRIES) {
    // The oldest first (a Map keeps insertion order).
    const oldest = passed.keys().next();
    if (!oldest.done) passed.delete(oldest.value);
  }
  passed.set(key, true);
};

async function validateNow(
  argValue: object,
  typeName: string | undefined,
  info: Parameters<ValidatorFn>[2]['info'],
): Promise<void> {
  const fieldDef = info.parentType.getFields()[info.fieldName];
  const argument = fieldDef?.args.find((arg) => getNamedType(arg.type).name === typeName)?.name;

  // JSON can carry "\ud800" or thousands of levels: refused as bad input before any validator
  // or hash sees them.
  const refused = refusedValues(argValue);
  if (refused.length > 0) {
    throw badUserInput(
      refused.map(({ path, constraint }) => {
        // For an @Args() class the first path segment is the argument itself.
        const [head = '', ...rest] = path.split('.');
        const named = argument !== undefined;
        return {
          argument: named ? argument : head,
          field: named ? path : rest.join('.'),
          constraints: {
            [constraint]:
              constraint === 'isWellFormed'
                ? `${path} must be valid Unicode text`
                : `${path} is nested too deeply (at most ${MAX_ARGUMENT_DEPTH} levels)`,
          },
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
}
