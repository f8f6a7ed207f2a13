import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';
import { MongoCommandError } from '../errors';
import { canonicalKey } from '../storage/keys';
import type { Doc } from './documents';
import { isPlainObject } from './documents';

/**
 * MongoDB's `$jsonSchema` (JSON Schema draft 4 plus `bsonType`), written here because mingo
 * evaluates `$jsonSchema` only through a validator it is given. Schemas are checked when they
 * are compiled, with mongod's messages for unknown and unsupported keywords, so a bad
 * validator is refused at `create`/`collMod` rather than failing every later write.
 */

/** One unsatisfied rule, in the shape mongod reports under `errInfo.details`. */
export type SchemaFailure = Doc & { operatorName: string };

/** Checks a value against a compiled schema: the failed rules, none when it matches. */
export type SchemaCheck = (value: unknown) => SchemaFailure[];

const SUPPORTED_KEYWORDS = new Set([
  'additionalItems',
  'additionalProperties',
  'allOf',
  'anyOf',
  'bsonType',
  'dependencies',
  'description',
  'enum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'items',
  'maximum',
  'maxItems',
  'maxLength',
  'maxProperties',
  'minimum',
  'minItems',
  'minLength',
  'minProperties',
  'multipleOf',
  'not',
  'oneOf',
  'pattern',
  'patternProperties',
  'properties',
  'required',
  'title',
  'type',
  'uniqueItems',
]);

/** Keywords mongod knows and refuses ("not currently supported"). */
const UNSUPPORTED_KEYWORDS = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);

/** Client-side field level encryption keywords: mongod accepts them, this server cannot. */
const ENCRYPTION_KEYWORDS = new Set(['encrypt', 'encryptMetadata']);

const BSON_TYPES = new Set([
  'double',
  'string',
  'object',
  'array',
  'binData',
  'undefined',
  'objectId',
  'bool',
  'date',
  'null',
  'regex',
  'dbPointer',
  'javascript',
  'symbol',
  'javascriptWithScope',
  'int',
  'timestamp',
  'long',
  'decimal',
  'minKey',
  'maxKey',
  'number',
]);

const JSON_TYPES = new Set(['object', 'array', 'number', 'boolean', 'string', 'null']);

function parseError(message: string): MongoCommandError {
  return new MongoCommandError('FailedToParse', message);
}

function typeError(message: string): MongoCommandError {
  return new MongoCommandError('TypeMismatch', message);
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  return undefined;
}

/**
 * The BSON types a decoded value may have had. Documents are decoded with promoted values, so
 * an integral JS number was an int32 (or an int64/double that bson promoted): integers in the
 * int32 range count as `int`, larger ones as `long` and `double` both.
 */
function bsonTypesOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (value === undefined) return ['undefined'];
  if (typeof value === 'string') return ['string'];
  if (typeof value === 'boolean') return ['bool'];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return ['double'];
    return value >= -2147483648 && value <= 2147483647 ? ['int'] : ['long', 'double'];
  }
  if (Array.isArray(value)) return ['array'];
  if (value instanceof Date) return ['date'];
  if (value instanceof RegExp || value instanceof BSONRegExp) return ['regex'];
  if (value instanceof ObjectId) return ['objectId'];
  if (value instanceof Long) return ['long'];
  if (value instanceof Int32) return ['int'];
  if (value instanceof Double) return ['double'];
  if (value instanceof Decimal128) return ['decimal'];
  if (value instanceof Binary) return ['binData'];
  if (value instanceof Timestamp) return ['timestamp'];
  if (value instanceof MinKey) return ['minKey'];
  if (value instanceof MaxKey) return ['maxKey'];
  if (value instanceof BSONSymbol) return ['symbol'];
  if (value instanceof Code) return [value.scope ? 'javascriptWithScope' : 'javascript'];
  if (value instanceof DBRef || isPlainObject(value)) return ['object'];
  return ['object'];
}

function isNumber(value: unknown): boolean {
  return toNumber(value) !== undefined;
}

function isObjectValue(value: unknown): value is Doc {
  return isPlainObject(value);
}

function matchesBsonType(value: unknown, alias: string): boolean {
  if (alias === 'number') return isNumber(value);
  return bsonTypesOf(value).includes(alias);
}

function matchesJsonType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObjectValue(value) || value instanceof DBRef;
    case 'array':
      return Array.isArray(value);
    case 'number':
      return isNumber(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

function typeNames(keyword: string, value: unknown, allowed: Set<string>): string[] {
  const names = Array.isArray(value) ? value : [value];
  if (names.length === 0) {
    throw parseError(`$jsonSchema keyword '${keyword}' must name at least one type`);
  }
  for (const name of names) {
    if (typeof name !== 'string') {
      throw typeError(`$jsonSchema keyword '${keyword}' must be a string or an array of strings`);
    }
    if (keyword === 'type' && name === 'integer') {
      throw new MongoCommandError(
        'BadValue',
        "$jsonSchema type 'integer' is not currently supported.",
      );
    }
    if (!allowed.has(name)) {
      throw new MongoCommandError(
        'BadValue',
        keyword === 'bsonType'
          ? `Unknown type name alias: ${name}`
          : `Unknown $jsonSchema type: ${name}`,
      );
    }
  }
  return names as string[];
}

function requireNumber(keyword: string, value: unknown): number {
  const n = toNumber(value);
  if (n === undefined) throw typeError(`$jsonSchema keyword '${keyword}' must be a number`);
  return n;
}

function requireCount(keyword: string, value: unknown): number {
  const n = toNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    throw typeError(
      `$jsonSchema keyword '${keyword}' must be a representable as a non-negative long integer`,
    );
  }
  return n;
}

function requireSchemaObject(keyword: string, value: unknown): Doc {
  if (!isPlainObject(value)) throw typeError(`$jsonSchema keyword '${keyword}' must be an object`);
  return value;
}

function requireSchemaArray(keyword: string, value: unknown): Doc[] {
  if (!Array.isArray(value)) throw typeError(`$jsonSchema keyword '${keyword}' must be an array`);
  if (value.length === 0)
    throw parseError(`$jsonSchema keyword '${keyword}' must be a non-empty array`);
  for (const item of value) {
    if (!isPlainObject(item)) {
      throw typeError(`$jsonSchema keyword '${keyword}' must be an array of objects`);
    }
  }
  return value as Doc[];
}

function failure(operatorName: string, specifiedAs: Doc, extra: Doc = {}): SchemaFailure {
  return { operatorName, specifiedAs, ...extra };
}

/** Compiles a `$jsonSchema` document, refusing bad schemas like mongod's parser. */
export function compileJsonSchema(schema: unknown, depth = 0): SchemaCheck {
  if (!isPlainObject(schema)) throw typeError('$jsonSchema must be an object');
  if (depth > 100) throw parseError('$jsonSchema is nested too deeply');
  for (const keyword of Object.keys(schema)) {
    if (SUPPORTED_KEYWORDS.has(keyword)) continue;
    if (UNSUPPORTED_KEYWORDS.has(keyword)) {
      throw parseError(`$jsonSchema keyword '${keyword}' is not currently supported`);
    }
    if (ENCRYPTION_KEYWORDS.has(keyword)) {
      throw new MongoCommandError(
        'NotImplemented',
        `$jsonSchema keyword '${keyword}' (client-side field level encryption) is not supported by the embedded server`,
      );
    }
    throw parseError(`Unknown $jsonSchema keyword: ${keyword}`);
  }
  if (schema.type !== undefined && schema.bsonType !== undefined) {
    throw parseError("Cannot specify both $jsonSchema keywords 'type' and 'bsonType'");
  }
  for (const keyword of ['title', 'description']) {
    if (schema[keyword] !== undefined && typeof schema[keyword] !== 'string') {
      throw typeError(`$jsonSchema keyword '${keyword}' must be a string`);
    }
  }
  const checks: SchemaCheck[] = [];
  const add = (check: SchemaCheck): void => {
    checks.push(check);
  };
  const sub = (value: unknown): SchemaCheck => compileJsonSchema(value, depth + 1);

  if (schema.bsonType !== undefined || schema.type !== undefined) {
    const keyword = schema.bsonType !== undefined ? 'bsonType' : 'type';
    const spec = schema[keyword];
    const names = typeNames(keyword, spec, keyword === 'bsonType' ? BSON_TYPES : JSON_TYPES);
    const test = keyword === 'bsonType' ? matchesBsonType : matchesJsonType;
    add((value) =>
      names.some((name) => test(value, name))
        ? []
        : [
            failure(
              keyword,
              { [keyword]: spec },
              {
                reason: 'type did not match',
                consideredValue: value,
                consideredType: bsonTypesOf(value)[0],
              },
            ),
          ],
    );
  }

  for (const [keyword, exclusiveKeyword, passes] of [
    [
      'minimum',
      'exclusiveMinimum',
      (n: number, bound: number, ex: boolean) => (ex ? n > bound : n >= bound),
    ],
    [
      'maximum',
      'exclusiveMaximum',
      (n: number, bound: number, ex: boolean) => (ex ? n < bound : n <= bound),
    ],
  ] as const) {
    const exclusiveSpec = schema[exclusiveKeyword];
    if (exclusiveSpec !== undefined) {
      if (typeof exclusiveSpec !== 'boolean') {
        throw typeError(`$jsonSchema keyword '${exclusiveKeyword}' must be a boolean`);
      }
      if (schema[keyword] === undefined) {
        throw parseError(
          `$jsonSchema keyword '${keyword}' must be a present if ${exclusiveKeyword} is present`,
        );
      }
    }
    if (schema[keyword] === undefined) continue;
    const bound = requireNumber(keyword, schema[keyword]);
    const exclusive = exclusiveSpec === true;
    const specifiedAs: Doc = { [keyword]: schema[keyword] };
    if (exclusiveSpec !== undefined) specifiedAs[exclusiveKeyword] = exclusiveSpec;
    add((value) => {
      const n = toNumber(value);
      if (n === undefined || passes(n, bound, exclusive)) return [];
      return [
        failure(keyword, specifiedAs, { reason: 'comparison failed', consideredValue: value }),
      ];
    });
  }

  if (schema.multipleOf !== undefined) {
    const divisor = requireNumber('multipleOf', schema.multipleOf);
    if (!(divisor > 0))
      throw parseError("$jsonSchema keyword 'multipleOf' must have a positive value");
    add((value) => {
      const n = toNumber(value);
      if (n === undefined || n % divisor === 0) return [];
      return [
        failure(
          'multipleOf',
          { multipleOf: schema.multipleOf },
          {
            reason: 'considered value is not a multiple of the specified value',
            consideredValue: value,
          },
        ),
      ];
    });
  }

  for (const [keyword, passes] of [
    ['minLength', (length: number, bound: number) => length >= bound],
    ['maxLength', (length: number, bound: number) => length <= bound],
  ] as const) {
    if (schema[keyword] === undefined) continue;
    const bound = requireCount(keyword, schema[keyword]);
    add((value) => {
      // mongod counts code points, not UTF-16 units.
      if (typeof value !== 'string' || passes([...value].length, bound)) return [];
      return [
        failure(
          keyword,
          { [keyword]: schema[keyword] },
          {
            reason: 'specified string length was not satisfied',
            consideredValue: value,
          },
        ),
      ];
    });
  }

  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string') {
      throw typeError("$jsonSchema keyword 'pattern' must be a string");
    }
    let regex: RegExp;
    try {
      regex = new RegExp(schema.pattern, 'u');
    } catch {
      throw parseError(
        `$jsonSchema keyword 'pattern' is not a valid regular expression: ${schema.pattern}`,
      );
    }
    add((value) =>
      typeof value !== 'string' || regex.test(value)
        ? []
        : [
            failure(
              'pattern',
              { pattern: schema.pattern },
              {
                reason: 'regular expression did not match',
                consideredValue: value,
              },
            ),
          ],
    );
  }

  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum)) throw typeError("$jsonSchema keyword 'enum' must be an array");
    if (schema.enum.length === 0) {
      throw parseError("$jsonSchema keyword 'enum' cannot be an empty array");
    }
    const allowed = new Set(schema.enum.map(canonicalKey));
    add((value) =>
      allowed.has(canonicalKey(value))
        ? []
        : [
            failure(
              'enum',
              { enum: schema.enum },
              {
                reason: 'value was not found in enum',
                consideredValue: value,
              },
            ),
          ],
    );
  }

  // Object keywords: they only constrain objects.
  if (schema.required !== undefined) {
    const required = schema.required;
    if (!Array.isArray(required))
      throw typeError("$jsonSchema keyword 'required' must be an array");
    if (required.length === 0) {
      throw parseError("$jsonSchema keyword 'required' cannot be an empty array");
    }
    if (!required.every((name) => typeof name === 'string')) {
      throw typeError("$jsonSchema keyword 'required' must contain only strings");
    }
    if (new Set(required).size !== required.length) {
      throw parseError("$jsonSchema keyword 'required' array cannot contain duplicate values");
    }
    add((value) => {
      if (!isObjectValue(value)) return [];
      const missing = (required as string[]).filter((name) => !Object.hasOwn(value, name));
      return missing.length === 0
        ? []
        : [failure('required', { required }, { missingProperties: missing })];
    });
  }

  for (const [keyword, passes] of [
    ['minProperties', (count: number, bound: number) => count >= bound],
    ['maxProperties', (count: number, bound: number) => count <= bound],
  ] as const) {
    if (schema[keyword] === undefined) continue;
    const bound = requireCount(keyword, schema[keyword]);
    add((value) => {
      if (!isObjectValue(value)) return [];
      const count = Object.keys(value).length;
      return passes(count, bound)
        ? []
        : [
            failure(
              keyword,
              { [keyword]: schema[keyword] },
              {
                reason: 'specified number of properties was not satisfied',
                numberOfProperties: count,
              },
            ),
          ];
    });
  }

  const properties = new Map<string, SchemaCheck>();
  // mongod names a failing property's `title`/`description` beside its details.
  const annotations = new Map<string, Doc>();
  if (schema.properties !== undefined) {
    for (const [name, propertySchema] of Object.entries(
      requireSchemaObject('properties', schema.properties),
    )) {
      if (!isPlainObject(propertySchema)) {
        throw typeError(`Nested schema for $jsonSchema property '${name}' must be an object`);
      }
      properties.set(name, sub(propertySchema));
      const annotation: Doc = {};
      for (const key of ['title', 'description']) {
        if (typeof propertySchema[key] === 'string') annotation[key] = propertySchema[key];
      }
      annotations.set(name, annotation);
    }
    add((value) => {
      if (!isObjectValue(value)) return [];
      const unsatisfied: Doc[] = [];
      for (const [name, check] of properties) {
        if (!Object.hasOwn(value, name)) continue;
        const details = check(value[name]);
        if (details.length > 0) {
          unsatisfied.push({ propertyName: name, ...annotations.get(name), details });
        }
      }
      return unsatisfied.length === 0
        ? []
        : [{ operatorName: 'properties', propertiesNotSatisfied: unsatisfied }];
    });
  }

  const patternProperties: Array<{ regex: RegExp; source: string; check: SchemaCheck }> = [];
  if (schema.patternProperties !== undefined) {
    for (const [source, propertySchema] of Object.entries(
      requireSchemaObject('patternProperties', schema.patternProperties),
    )) {
      let regex: RegExp;
      try {
        regex = new RegExp(source, 'u');
      } catch {
        throw parseError(`Invalid regular expression in 'patternProperties': ${source}`);
      }
      patternProperties.push({
        regex,
        source,
        check: sub(requireSchemaObject(source, propertySchema)),
      });
    }
    add((value) => {
      if (!isObjectValue(value)) return [];
      const unsatisfied: Doc[] = [];
      for (const name of Object.keys(value)) {
        for (const pattern of patternProperties) {
          if (!pattern.regex.test(name)) continue;
          const details = pattern.check(value[name]);
          if (details.length > 0) {
            unsatisfied.push({ propertyName: name, regexMatched: pattern.source, details });
          }
        }
      }
      return unsatisfied.length === 0
        ? []
        : [{ operatorName: 'patternProperties', propertiesNotSatisfied: unsatisfied }];
    });
  }

  if (schema.additionalProperties !== undefined) {
    const spec = schema.additionalProperties;
    if (typeof spec !== 'boolean' && !isPlainObject(spec)) {
      throw typeError(
        "$jsonSchema keyword 'additionalProperties' must be either an object or a boolean",
      );
    }
    const check = typeof spec === 'boolean' ? undefined : sub(spec);
    add((value) => {
      if (!isObjectValue(value)) return [];
      const extra = Object.keys(value).filter(
        (name) => !properties.has(name) && !patternProperties.some((p) => p.regex.test(name)),
      );
      if (spec === true || extra.length === 0) return [];
      if (spec === false) {
        return [
          failure(
            'additionalProperties',
            { additionalProperties: false },
            {
              additionalProperties: extra,
            },
          ),
        ];
      }
      const unsatisfied = extra.flatMap((name) => {
        const details = check?.(value[name]) ?? [];
        return details.length > 0 ? [{ propertyName: name, details }] : [];
      });
      return unsatisfied.length === 0
        ? []
        : [{ operatorName: 'additionalProperties', propertiesNotSatisfied: unsatisfied }];
    });
  }

  if (schema.dependencies !== undefined) {
    const deps = requireSchemaObject('dependencies', schema.dependencies);
    const compiled = Object.entries(deps).map(([name, dep]) => {
      if (Array.isArray(dep)) {
        if (dep.length === 0 || !dep.every((item) => typeof item === 'string')) {
          throw parseError(
            `property '${name}' in $jsonSchema keyword 'dependencies' must be a non-empty array of strings`,
          );
        }
        return { name, fields: dep as string[] };
      }
      if (!isPlainObject(dep)) {
        throw typeError(
          `property '${name}' in $jsonSchema keyword 'dependencies' must be either an object or an array`,
        );
      }
      return { name, check: sub(dep) };
    });
    add((value) => {
      if (!isObjectValue(value)) return [];
      const unsatisfied: Doc[] = [];
      for (const dep of compiled) {
        if (!Object.hasOwn(value, dep.name)) continue;
        if (dep.fields) {
          const missing = dep.fields.filter((field) => !Object.hasOwn(value, field));
          if (missing.length > 0) {
            unsatisfied.push({ conditionalProperty: dep.name, missingProperties: missing });
          }
        } else if (dep.check) {
          const details = dep.check(value);
          if (details.length > 0) unsatisfied.push({ conditionalProperty: dep.name, details });
        }
      }
      return unsatisfied.length === 0
        ? []
        : [{ operatorName: 'dependencies', failingDependencies: unsatisfied }];
    });
  }

  // Array keywords: they only constrain arrays.
  for (const [keyword, passes] of [
    ['minItems', (count: number, bound: number) => count >= bound],
    ['maxItems', (count: number, bound: number) => count <= bound],
  ] as const) {
    if (schema[keyword] === undefined) continue;
    const bound = requireCount(keyword, schema[keyword]);
    add((value) =>
      !Array.isArray(value) || passes(value.length, bound)
        ? []
        : [
            failure(
              keyword,
              { [keyword]: schema[keyword] },
              {
                reason: 'array did not match specified length',
                consideredValue: value,
              },
            ),
          ],
    );
  }

  if (schema.uniqueItems !== undefined) {
    if (typeof schema.uniqueItems !== 'boolean') {
      throw typeError("$jsonSchema keyword 'uniqueItems' must be a boolean");
    }
    if (schema.uniqueItems) {
      add((value) => {
        if (!Array.isArray(value)) return [];
        const seen = new Set<string>();
        for (const item of value) {
          const key = canonicalKey(item);
          if (seen.has(key)) {
            return [
              failure(
                'uniqueItems',
                { uniqueItems: true },
                {
                  reason: 'found a duplicate item',
                  consideredValue: value,
                  duplicatedValue: item,
                },
              ),
            ];
          }
          seen.add(key);
        }
        return [];
      });
    }
  }

  let tupleLength: number | undefined;
  if (schema.items !== undefined) {
    const items = schema.items;
    if (isPlainObject(items)) {
      const check = sub(items);
      add((value) => {
        if (!Array.isArray(value)) return [];
        for (let i = 0; i < value.length; i += 1) {
          const details = check(value[i]);
          if (details.length > 0) {
            return [
              {
                operatorName: 'items',
                reason: 'At least one item did not match the sub-schema',
                itemIndex: i,
                details,
              },
            ];
          }
        }
        return [];
      });
    } else if (Array.isArray(items)) {
      const checks = items.map((item) => sub(requireSchemaObject('items', item)));
      tupleLength = checks.length;
      add((value) => {
        if (!Array.isArray(value)) return [];
        const unsatisfied: Doc[] = [];
        checks.forEach((check, i) => {
          if (i >= value.length) return;
          const details = check(value[i]);
          if (details.length > 0) unsatisfied.push({ itemIndex: i, details });
        });
        return unsatisfied.length === 0 ? [] : [{ operatorName: 'items', details: unsatisfied }];
      });
    } else {
      throw typeError("$jsonSchema keyword 'items' must be an array or an object");
    }
  }

  if (schema.additionalItems !== undefined) {
    const spec = schema.additionalItems;
    if (typeof spec !== 'boolean' && !isPlainObject(spec)) {
      throw typeError(
        "$jsonSchema keyword 'additionalItems' must be either an object or a boolean",
      );
    }
    // Only meaningful after a tuple `items`, as in draft 4.
    if (tupleLength !== undefined && spec !== true) {
      const length = tupleLength;
      const check = typeof spec === 'boolean' ? undefined : sub(spec);
      add((value) => {
        if (!Array.isArray(value) || value.length <= length) return [];
        if (spec === false) {
          return [
            failure(
              'additionalItems',
              { additionalItems: false },
              {
                reason: 'found additional items',
                additionalItems: value.slice(length),
              },
            ),
          ];
        }
        for (let i = length; i < value.length; i += 1) {
          const details = check?.(value[i]) ?? [];
          if (details.length > 0) {
            return [
              {
                operatorName: 'additionalItems',
                reason: 'At least one additional item did not match the sub-schema',
                itemIndex: i,
                details,
              },
            ];
          }
        }
        return [];
      });
    }
  }

  // Logical keywords.
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (schema[keyword] === undefined) continue;
    const subs = requireSchemaArray(keyword, schema[keyword]).map(sub);
    add((value) => {
      const results = subs.map((check) => check(value));
      const passed = results.filter((details) => details.length === 0).length;
      const ok =
        keyword === 'allOf'
          ? passed === subs.length
          : keyword === 'anyOf'
            ? passed > 0
            : passed === 1;
      if (ok) return [];
      if (keyword === 'oneOf' && passed > 1) {
        return [
          {
            operatorName: 'oneOf',
            reason: 'more than one subschema matched',
            matchingSchemaIndexes: results.flatMap((details, i) =>
              details.length === 0 ? [i] : [],
            ),
          },
        ];
      }
      return [
        {
          operatorName: keyword,
          schemasNotSatisfied: results.flatMap((details, index) =>
            details.length > 0 ? [{ index, details }] : [],
          ),
        },
      ];
    });
  }

  if (schema.not !== undefined) {
    const check = sub(requireSchemaObject('not', schema.not));
    add((value) =>
      check(value).length > 0 ? [] : [{ operatorName: 'not', reason: 'child expression matched' }],
    );
  }

  return (value) => checks.flatMap((check) => check(value));
}

/** A `$jsonSchema` validator for mingo's `jsonSchemaValidator` option (a boolean predicate). */
export function jsonSchemaPredicate(schema: Doc): (doc: Doc) => boolean {
  const check = compileJsonSchema(schema);
  return (doc) => check(doc).length === 0;
}
