import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { getPath, isOperatorObject, isPlainObject } from '../query/documents';
import { compileFilter } from '../query/filter';
import type { SchemaCheck } from '../query/json-schema';
import { compileJsonSchema } from '../query/json-schema';
import { withoutVariables } from '../query/mingo-options';
import { findUndefinedVariableInFilter } from '../query/variables';
import type { Collection } from '../storage/collection';
import type { CommandContext } from './context';

/**
 * Document validation (`validator`, `validationLevel`, `validationAction`), as mongod applies
 * it: every insert and every update's result is matched against the collection's validator
 * before it is stored; a failure answers 121 DocumentValidationFailure with mongod's `errInfo`
 * (`failingDocumentId` and `details`, the unsatisfied rules).
 */

export const VALIDATION_LEVELS = ['off', 'strict', 'moderate'];
export const VALIDATION_ACTIONS = ['error', 'warn'];

/** Query features mongod refuses in a validator (they need an index, a sort or JavaScript). */
const FORBIDDEN_IN_VALIDATORS: Record<string, string> = {
  $where: '$where is not allowed in this context',
  $text: '$text is not allowed in this context',
  $near: '$geoNear, $near, and $nearSphere are not allowed in this context',
  $nearSphere: '$geoNear, $near, and $nearSphere are not allowed in this context',
  $geoNear: '$geoNear, $near, and $nearSphere are not allowed in this context',
};

function findForbidden(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findForbidden(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    // A $jsonSchema or $expr body is not a query: its keys are not operators of this kind.
    if (key === '$jsonSchema' || key === '$expr') continue;
    if (Object.hasOwn(FORBIDDEN_IN_VALIDATORS, key)) return FORBIDDEN_IN_VALIDATORS[key];
    const found = findForbidden(item);
    if (found) return found;
  }
  return undefined;
}

/** Returns the failure details for an invalid document, undefined for a valid one. */
type CompiledValidator = (doc: Doc) => Doc | undefined;

const compiled = new WeakMap<Doc, CompiledValidator>();

/**
 * Checks `validator`, `validationLevel` and `validationAction` of a create or collMod command
 * like mongod does (a bad validator is refused then, not at the next write), and compiles
 * the validator.
 */
export function checkValidationOptions(command: Doc, commandName: string): void {
  const { validator, validationLevel, validationAction } = command;
  if (validator !== undefined) {
    if (!isPlainObject(validator)) {
      throw new MongoCommandError(
        'TypeMismatch',
        `BSON field '${commandName}.validator' is the wrong type '${typeof validator}', expected type 'object'`,
      );
    }
    const undefinedVariable = findUndefinedVariableInFilter(validator);
    if (undefinedVariable) {
      throw new MongoCommandError(
        'Location17276',
        `Use of undefined variable: ${undefinedVariable}`,
      );
    }
    validatorFor(validator);
  }
  for (const [field, value, allowed] of [
    ['validationLevel', validationLevel, VALIDATION_LEVELS],
    ['validationAction', validationAction, VALIDATION_ACTIONS],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new MongoCommandError(
        'TypeMismatch',
        `BSON field '${commandName}.${field}' is the wrong type '${typeof value}', expected type 'string'`,
      );
    }
    if (!allowed.includes(value)) {
      throw new MongoCommandError(
        'BadValue',
        `Enumeration value '${value}' for field '${commandName}.${field}' is not a valid value.`,
      );
    }
  }
}

function validatorFor(validator: Doc): CompiledValidator {
  let check = compiled.get(validator);
  if (!check) {
    const forbidden = findForbidden(validator);
    if (forbidden) throw new MongoCommandError('BadValue', forbidden);
    // Compiled once and kept: without the `let` variables of the command that happens to
    // compile it (mingo binds variables at compile time), as mongod's validators never see them.
    const compiledCheck = withoutVariables(() => compileValidator(validator));
    check = (doc) => withoutVariables(() => compiledCheck(doc));
    compiled.set(validator, check);
  }
  return check;
}

/**
 * Refuses (or, with `validationAction: 'warn'`, logs) a document that fails the collection's
 * validator. `before` is the stored version an update replaces: with `validationLevel:
 * 'moderate'`, updates of documents that were already invalid are let through, as mongod does.
 */
export function checkDocumentValidation(
  context: CommandContext,
  coll: Collection,
  doc: Doc,
  before: Doc | undefined,
  bypass: boolean,
): void {
  const { validator, validationLevel, validationAction } = coll.options;
  if (bypass || !isPlainObject(validator) || Object.keys(validator).length === 0) return;
  if (validationLevel === 'off') return;
  const check = validatorFor(validator);
  const details = check(doc);
  if (!details) return;
  if (validationLevel === 'moderate' && before && check(before)) return;
  const errInfo = { failingDocumentId: doc._id, details };
  if (validationAction === 'warn') {
    context.logger.warn(
      `Document would fail validation: namespace ${coll.namespace}, _id ${JSON.stringify(doc._id)}, errInfo ${JSON.stringify(details)}`,
    );
    return;
  }
  throw new MongoCommandError('DocumentValidationFailure', 'Document failed validation', {
    errInfo,
  });
}

/** `bypassDocumentValidation` of insert, update, findAndModify (a boolean; mongod also takes numbers). */
export function bypassesValidation(command: Doc): boolean {
  const value = command.bypassDocumentValidation;
  return value === true || (typeof value === 'number' && value !== 0);
}

interface Clause {
  key: string;
  value: unknown;
  test: (doc: Doc) => boolean;
  schema?: SchemaCheck;
}

function compileValidator(validator: Doc): CompiledValidator {
  const test = compileFilter(validator);
  const clauses: Clause[] = Object.entries(validator).map(([key, value]) => ({
    key,
    value,
    test: compileFilter({ [key]: value }),
    schema: key === '$jsonSchema' ? compileJsonSchema(value) : undefined,
  }));
  return (doc) => {
    if (test(doc)) return undefined;
    const failing = clauses
      .map((clause, index) => ({ clause, index }))
      .filter(({ clause }) => !clause.test(doc));
    if (clauses.length === 1) return clauseDetails(failing[0]?.clause ?? clauses[0], doc);
    return {
      operatorName: '$and',
      clausesNotSatisfied: failing.map(({ clause, index }) => ({
        index,
        details: clauseDetails(clause, doc),
      })),
    };
  };
}

/** What mongod reports for one unsatisfied top-level clause of a validator. */
function clauseDetails(clause: Clause, doc: Doc): Doc {
  const { key, value } = clause;
  if (key === '$jsonSchema') {
    return { operatorName: '$jsonSchema', schemaRulesNotSatisfied: clause.schema?.(doc) ?? [] };
  }
  if (key === '$expr') {
    return {
      operatorName: '$expr',
      specifiedAs: { $expr: value },
      reason: 'expression did not match',
      expressionResult: false,
    };
  }
  if (key === '$and' || key === '$or' || key === '$nor') {
    const items = Array.isArray(value) ? value.filter(isPlainObject) : [];
    const unsatisfied: Doc[] = [];
    items.forEach((item, index) => {
      const matches = compileFilter(item)(doc);
      if (key === '$nor' ? matches : !matches) {
        unsatisfied.push({ index, details: filterDetails(item, doc) });
      }
    });
    return { operatorName: key, clausesNotSatisfied: unsatisfied };
  }
  if (key.startsWith('$')) return { operatorName: key, specifiedAs: { [key]: value } };
  return fieldDetails(key, value, doc);
}

/** The details of a nested filter (inside `$and`/`$or`/`$nor`). */
function filterDetails(filter: Doc, doc: Doc): Doc {
  const entries = Object.entries(filter);
  const clauses: Clause[] = entries.map(([key, value]) => ({
    key,
    value,
    test: compileFilter({ [key]: value }),
    schema: key === '$jsonSchema' ? compileJsonSchema(value) : undefined,
  }));
  if (clauses.length === 1) return clauseDetails(clauses[0], doc);
  return {
    operatorName: '$and',
    clausesNotSatisfied: clauses.flatMap((clause, index) =>
      clause.test(doc) ? [] : [{ index, details: clauseDetails(clause, doc) }],
    ),
  };
}

const REASONS: Record<string, string> = {
  $eq: 'comparison failed',
  $ne: 'comparison succeeded',
  $gt: 'comparison failed',
  $gte: 'comparison failed',
  $lt: 'comparison failed',
  $lte: 'comparison failed',
  $in: 'no matching value found in array',
  $nin: 'matching value found in array',
  $type: 'type did not match',
  $regex: 'regular expression did not match',
  $size: 'array length was not equal to given size',
  $all: 'array did not contain all specified values',
  $elemMatch: 'array did not satisfy the child predicate',
  $mod: 'considered value is not a multiple of the specified value',
};

function fieldDetails(path: string, predicate: unknown, doc: Doc): Doc {
  const considered = getPath(doc, path);
  const operators = isOperatorObject(predicate) ? Object.entries(predicate) : [['$eq', predicate]];
  const one = (operator: string, argument: unknown): Doc => {
    const specifiedAs = {
      [path]: isOperatorObject(predicate) ? { [operator]: argument } : argument,
    };
    if (operator === '$exists') {
      return {
        operatorName: '$exists',
        specifiedAs,
        reason: argument ? 'path does not exist' : 'path does exist',
      };
    }
    if (considered === undefined) {
      return { operatorName: operator, specifiedAs, reason: 'field was missing' };
    }
    return {
      operatorName: operator,
      specifiedAs,
      reason: REASONS[operator] ?? 'expression did not match',
      consideredValue: considered,
    };
  };
  if (operators.length === 1) return one(operators[0][0] as string, operators[0][1]);
  return {
    operatorName: '$and',
    clausesNotSatisfied: operators.flatMap(([operator, argument], index) =>
      compileFilter({ [path]: { [operator as string]: argument } })(doc)
        ? []
        : [{ index, details: one(operator as string, argument) }],
    ),
  };
}
