import { MongoCommandError } from '../errors';
import type { Doc } from './documents';
import { bsonTypeName, isPlainObject } from './documents';
import { checkValueSize } from './expression-limits';
import { translateMingoError } from './filter';
import { compileAggregator, queryOptions } from './mingo-options';

/** System variables only mongod itself may set (a client's `let` gets 4738901). */
const INTERNAL_CONSTANTS = new Set(['NOW', 'CLUSTER_TIME', 'JS_SCOPE', 'IS_MR', 'USER_ROLES']);

/**
 * Checks a user variable name like mongod's `validateNameForUserWrite`: a lowercase ASCII
 * letter or a non-ASCII character first, then letters, digits, `_` or non-ASCII. Names
 * starting with an uppercase letter are reserved for system variables (`ROOT`, `NOW`).
 */
export function checkVariableName(name: string): void {
  if (name === 'CURRENT') return; // the one system variable users may rebind
  if (name.length === 0) {
    throw new MongoCommandError('Location16866', 'empty variable names are not allowed');
  }
  const first = name.charCodeAt(0);
  if (!((first >= 0x61 && first <= 0x7a) || first > 0x7f)) {
    throw new MongoCommandError(
      'Location16867',
      `'${name}' starts with an invalid character for a user variable name`,
    );
  }
  for (const char of name.slice(1)) {
    if (!/^[a-zA-Z0-9_]$/.test(char) && char.charCodeAt(0) <= 0x7f) {
      throw new MongoCommandError(
        'Location16868',
        `'${name}' contains an invalid character for a variable name: '${char}'`,
      );
    }
  }
}

/**
 * True when an expression reads the current document (`'$field'`, `$$ROOT`, `$$CURRENT`),
 * which a command-level `let` cannot: it is evaluated before any document is examined.
 */
function readsDocument(expression: unknown): boolean {
  if (typeof expression === 'string') {
    if (!expression.startsWith('$')) return false;
    if (!expression.startsWith('$$')) return true;
    const name = expression.slice(2).split('.')[0];
    return name === 'ROOT' || name === 'CURRENT';
  }
  if (Array.isArray(expression)) return expression.some(readsDocument);
  if (!isPlainObject(expression)) return false;
  return Object.entries(expression).some(
    ([key, value]) => key !== '$literal' && readsDocument(value),
  );
}

/**
 * Evaluates expressions against `doc` (`{}` when there is no current document), with the
 * variables in scope plus `scope`. Done through a one-stage pipeline: mingo's operators are
 * registered in the context its Aggregator builds.
 */
export function evaluateExpressions(expressions: Doc, doc: Doc, scope: Doc = {}): Doc {
  try {
    const base = queryOptions();
    const [values] = compileAggregator([{ $replaceWith: expressions }], {
      ...base,
      variables: { ...base.variables, ...scope },
    }).run([doc]) as Doc[];
    return values ?? {};
  } catch (error) {
    throw translateMingoError(error);
  }
}

/**
 * Parses a command's `let` (find, aggregate, update, delete, findAndModify): an object of
 * variable names and expressions, each evaluated once, in order (later ones may use earlier
 * ones), before the command reads any document. Returns the values, or undefined without `let`.
 */
export function parseLet(command: Doc, commandName: string): Doc | undefined {
  const spec = command.let;
  if (spec === undefined) return undefined;
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${commandName}.let' is the wrong type '${bsonTypeName(spec)}', expected type 'object'`,
    );
  }
  const values: Doc = {};
  for (const [name, expression] of Object.entries(spec)) {
    if (INTERNAL_CONSTANTS.has(name)) {
      throw new MongoCommandError('Location4738901', `Attempt to set internal constant: ${name}`);
    }
    checkVariableName(name);
    if (readsDocument(expression)) {
      // mongod's message, missing space ("becauseCommand") included.
      throw new MongoCommandError(
        'Location4890500',
        'Command let Expression tried to access a field, but this is not allowed because' +
          'Command let Expressions run before the query examines any documents.',
      );
    }
    values[name] = evaluateExpressions({ value: expression }, {}, values).value;
    // A later variable may repeat earlier ones (`b: ['$$a', '$$a']`): sizes can double.
    checkValueSize('let', values[name]);
  }
  return values;
}

/** Variables every expression may read (mongod's builtins; `$$CLUSTER_TIME` fails later). */
const SYSTEM_VARIABLES = new Set([
  'ROOT',
  'CURRENT',
  'REMOVE',
  'NOW',
  'CLUSTER_TIME',
  'DESCEND',
  'PRUNE',
  'KEEP',
  'SEARCH_META',
  'USER_ROLES',
]);

/** The variable names an operator binds for its sub-expressions (`$let`, `$map` …). */
function boundBy(operator: string, spec: unknown): { inner: string[]; scoped: string[] } | null {
  if (!isPlainObject(spec)) return null;
  if (operator === '$let') {
    return { inner: isPlainObject(spec.vars) ? Object.keys(spec.vars) : [], scoped: ['in'] };
  }
  if (operator === '$map' || operator === '$filter') {
    const name = typeof spec.as === 'string' ? spec.as : 'this';
    return { inner: [name], scoped: operator === '$map' ? ['in'] : ['cond'] };
  }
  if (operator === '$reduce') return { inner: ['value', 'this'], scoped: ['in'] };
  return null;
}

/**
 * The first `$$name` an aggregation expression reads that nothing defines (no enclosing
 * `$let`/`$map`/`$filter`/`$reduce`, not a system variable), or undefined. mongod refuses
 * such an expression when it parses it (17276), so a validator using one is refused at
 * create/collMod instead of depending on the variables of whichever command runs it.
 */
export function findUndefinedVariable(
  expression: unknown,
  bound: ReadonlySet<string> = new Set(),
): string | undefined {
  if (typeof expression === 'string') {
    if (!expression.startsWith('$$')) return undefined;
    const name = expression.slice(2).split('.')[0];
    return bound.has(name) || SYSTEM_VARIABLES.has(name) ? undefined : name;
  }
  if (Array.isArray(expression)) {
    for (const item of expression) {
      const found = findUndefinedVariable(item, bound);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(expression)) return undefined;
  for (const [key, value] of Object.entries(expression)) {
    if (key === '$literal') continue;
    const binding = boundBy(key, value);
    if (!binding || !isPlainObject(value)) {
      const found = findUndefinedVariable(value, bound);
      if (found) return found;
      continue;
    }
    const inner = new Set([...bound, ...binding.inner]);
    for (const [field, item] of Object.entries(value)) {
      const found = findUndefinedVariable(item, binding.scoped.includes(field) ? inner : bound);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first undefined variable of any `$expr` in a query filter (top level or inside
 * `$and`/`$or`/`$nor`), or undefined.
 */
export function findUndefinedVariableInFilter(filter: unknown): string | undefined {
  if (Array.isArray(filter)) {
    for (const item of filter) {
      const found = findUndefinedVariableInFilter(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(filter)) return undefined;
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$jsonSchema') continue;
    const found =
      key === '$expr' ? findUndefinedVariable(value) : findUndefinedVariableInFilter(value);
    if (found) return found;
  }
  return undefined;
}
