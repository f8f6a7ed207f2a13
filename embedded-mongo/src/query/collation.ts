import type { ErrorCodeName } from '../errors';
import { MongoCommandError } from '../errors';
import type { Doc } from './documents';
import { canonicalKey } from '../storage/keys';
import { bsonTypeName, formatObject, isPlainObject } from './documents';

/**
 * MongoDB collations (`{ locale: 'en', strength: 2 }`) on top of `Intl.Collator` (Node's ICU).
 *
 * Parsing follows mongod 7.0 (`Collation` IDL struct, then `CollatorFactoryICU::makeFromBSON`):
 * the same codes and messages for unknown fields, wrong types, bad enum values, strengths out
 * of range and locales ICU does not know. Options `Intl.Collator` cannot express (`backwards`
 * other than the locale's default, `maxVariable: 'space'` with `alternate: 'shifted'`,
 * strength 4, `@collation=search` variants) answer 238 NotImplemented naming the option
 * instead of comparing differently from mongod.
 */

/** The collation document mongod stores and lists for an index or a collection default. */
export interface CollationSpec {
  locale: string;
  caseLevel: boolean;
  caseFirst: 'upper' | 'lower' | 'off';
  strength: number;
  numericOrdering: boolean;
  alternate: 'non-ignorable' | 'shifted';
  maxVariable: 'punct' | 'space';
  normalization: boolean;
  backwards: boolean;
  version: string;
}

/** mongod 7.0 reports the ICU it was built with (its vendored ICU 57.1), not Node's. */
const ICU_VERSION = '57.1';

/**
 * The locales mongod 7.0 accepts (its `collator_factory_icu_locales_test.cpp` and the
 * "Supported Languages and Locales" table), as ICU locale IDs.
 */
const SUPPORTED_LOCALES = new Set(
  (
    'af am ar as az be bg bn bo bs bs_Cyrl ca chr cs cy da de de_AT dsb dz ee el en en_US ' +
    'en_US_POSIX eo es et fa fa_AF fi fil fo fr fr_CA ga gl gu ha haw he hi hr hsb hu hy id ig ' +
    'is it ja ka kk kl km kn ko kok ky lb lkt ln lo lt lv mk ml mn mr ms mt my nb ne nl nn om or ' +
    'pa pl ps pt ro ru se si sk sl smn sq sr sr_Latn sv sw ta te th to tr ug uk ur vi wae yi yo ' +
    'zh zh_Hant zu'
  ).split(' '),
);

/** ICU `@collation=` keywords and their BCP 47 (`-u-co-`) names, as Intl.Collator takes them. */
const VARIANTS: Record<string, string> = {
  big5han: 'big5han',
  compat: 'compat',
  dictionary: 'dict',
  eor: 'eor',
  gb2312han: 'gb2312',
  phonebook: 'phonebk',
  phonetic: 'phonetic',
  pinyin: 'pinyin',
  reformed: 'reformed',
  stroke: 'stroke',
  traditional: 'trad',
  unihan: 'unihan',
  zhuyin: 'zhuyin',
};

/** ICU's `search` variants have no Intl.Collator equivalent (V8 refuses `-u-co-search`). */
const UNSUPPORTED_VARIANTS = new Set(['search', 'standard']);

/** Spellings a letter is folded to for hashing (see Collation.foldChar). */
const FOLD_CANDIDATES: string[] = [
  ...'abcdefghijklmnopqrstuvwxyz',
  'ae',
  'oe',
  'ss',
  'th',
  'ij',
  ...Array.from({ length: 0x250 - 0xc0 }, (_, i) => String.fromCharCode(0xc0 + i)),
];

type FieldKind = 'string' | 'bool' | 'number';

const FIELDS: Record<string, FieldKind> = {
  locale: 'string',
  caseLevel: 'bool',
  caseFirst: 'string',
  strength: 'number',
  numericOrdering: 'bool',
  alternate: 'string',
  maxVariable: 'string',
  normalization: 'bool',
  backwards: 'bool',
  version: 'string',
};

const ENUMS: Record<string, string[]> = {
  caseFirst: ['upper', 'lower', 'off'],
  alternate: ['non-ignorable', 'shifted'],
  maxVariable: ['punct', 'space'],
};

function isNumber(value: unknown): boolean {
  if (typeof value === 'number') return true;
  const tagged = value as { _bsontype?: string } | null;
  return (
    typeof tagged === 'object' &&
    tagged !== null &&
    ['Long', 'Int32', 'Double', 'Decimal128'].includes(tagged._bsontype ?? '')
  );
}

function toInt(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value));
  return Number.isFinite(n) ? Math.trunc(n) : n > 0 ? Number.MAX_SAFE_INTEGER : -1;
}

/**
 * A parsed collation: `compare`/`equals` on BSON values (strings by the collator, strings
 * inside arrays and sub-documents too; other values as without collation) and keyers
 * (`keyerFor`, `newKeyer`) for hash maps (equal keys exactly when `compare` says 0).
 */
export class Collation {
  /** The full, default-filled collation document (what listIndexes and listCollections show). */
  readonly spec: CollationSpec;
  /** A stable identity for `sameCollation`. */
  readonly id: string;
  /** The BCP 47 tag handed to Intl.Collator (mingo's `$sort` stage needs it too). */
  readonly intlLocale: string;
  private readonly levels: Intl.Collator[];
  private readonly identical: boolean;
  private readonly normalize: boolean;
  /** Each owner's (index's) own table of equality classes (see keyerFor). */
  private readonly keyers = new WeakMap<object, CollationKeyer>();
  private readonly foldCache = new Map<string, string>();
  private readonly baseCollator: Intl.Collator;

  constructor(spec: CollationSpec, intlLocale: string, intlOptions: Intl.CollatorOptions) {
    this.spec = spec;
    this.id = JSON.stringify(spec);
    this.intlLocale = intlLocale;
    const make = (sensitivity: Intl.CollatorOptions['sensitivity']): Intl.Collator =>
      new Intl.Collator(intlLocale, { ...intlOptions, sensitivity });
    // ICU levels in order: primary, secondary, case level (when on), tertiary. Intl exposes
    // primary+case ('case'), primary+secondary ('accent') and up to tertiary ('variant'); a
    // case level between secondary and tertiary is their composition, compared in turn.
    const { strength, caseLevel } = spec;
    if (strength === 1) this.levels = [make(caseLevel ? 'case' : 'base')];
    else if (strength === 2)
      this.levels = caseLevel ? [make('accent'), make('case')] : [make('accent')];
    else
      this.levels = caseLevel ? [make('accent'), make('case'), make('variant')] : [make('variant')];
    this.identical = strength === 5;
    this.normalize = spec.normalization;
    this.baseCollator = make('base');
  }

  /** Compares two strings under this collation. */
  compareStrings(a: string, b: string): number {
    if (a === b) return 0;
    const x = this.normalize ? a.normalize('NFD') : a;
    const y = this.normalize ? b.normalize('NFD') : b;
    for (const collator of this.levels) {
      const order = collator.compare(x, y);
      if (order !== 0) return order;
    }
    if (this.identical) {
      // ICU's identical level: code point order of the NFD forms.
      const nx = x.normalize('NFD');
      const ny = y.normalize('NFD');
      return nx < ny ? -1 : nx > ny ? 1 : 0;
    }
    return 0;
  }

  /**
   * The table of string equality classes `owner` (an index) keys its strings by, created on
   * first use. Per owner, not per collation: collations are cached and shared by every index
   * with the same spec, and a table only grows; kept in a WeakMap, it goes when the index
   * does (dropIndexes, drop, dropDatabase).
   */
  keyerFor(owner: object): CollationKeyer {
    let keyer = this.keyers.get(owner);
    if (!keyer) {
      keyer = new CollationKeyer(this);
      this.keyers.set(owner, keyer);
    }
    return keyer;
  }

  /** A new, empty keyer: for one command's hash map (distinct), dropped with it. */
  newKeyer(): CollationKeyer {
    return new CollationKeyer(this);
  }

  /**
   * A form that strings equal under this collation share (letters the locale's primary
   * strength equates spelled alike, then compatibility decomposition, no marks, no ignorable
   * characters, case folded). Strings with different forms are never equal; strings with
   * the same form may still differ (accents, case), which the keyer's classes resolve.
   */
  coarseForm(value: string): string {
    return this.coarse(value);
  }

  private coarse(value: string): string {
    // Letters first (precomposed), so locale letters such as Swedish 'ä' = 'æ' meet.
    let out = '';
    for (const ch of value.normalize('NFC')) {
      out += ch.charCodeAt(0) < 0x80 ? ch : this.foldChar(ch);
    }
    out = out.normalize('NFKD').replace(/[\p{M}\p{Cc}\p{Cf}]/gu, '');
    if (this.spec.alternate === 'shifted') out = out.replace(/[\p{P}\p{Z}\s]/gu, '');
    out = out.toUpperCase().toLowerCase();
    if (this.spec.numericOrdering) out = out.replace(/(^|\D)0+(?=\d)/g, '$1');
    return out;
  }

  /**
   * The first of a fixed list of spellings (ASCII letters, common digraphs, then Latin-1 and
   * Latin Extended letters) that the locale's primary strength equates with `ch`, or `ch`.
   * Deterministic, so equal letters always get the same spelling.
   */
  private foldChar(ch: string): string {
    const cached = this.foldCache.get(ch);
    if (cached !== undefined) return cached;
    let folded = ch;
    for (const candidate of FOLD_CANDIDATES) {
      if (this.baseCollator.compare(ch, candidate) === 0) {
        folded = candidate;
        break;
      }
    }
    if (this.foldCache.size < 10000) this.foldCache.set(ch, folded);
    return folded;
  }
}

/** One equality class: its first string and the id its keys carry. */
interface EqualityClass {
  readonly representative: string;
  readonly id: number;
}

/**
 * Hash keys for BSON values under a collation: equal keys exactly when the collation's
 * compare says 0. ICU sort keys are not exposed to JavaScript, so each string is mapped to
 * its collation's coarse form and, within that bucket, to the equality class the collator
 * puts it in. A bucket is kept sorted by the collator's compare (a total order whose
 * equal strings are contiguous), so finding or adding a class is a binary search: O(log n)
 * comparisons, however many strings share a coarse form (accent or case variants).
 *
 * `key` (stored index entries) adds a new class for a string equal to none; `lookupKey`
 * (query values) never adds one: a string no class holds gets a key no stored value has,
 * so queries cannot grow the table, however many distinct strings they send.
 */
export class CollationKeyer {
  private readonly classes = new Map<string, EqualityClass[]>();
  private nextId = 0;

  constructor(private readonly collation: Collation) {}

  /** How many equality classes are kept (for tests of the table's growth). */
  get representativeCount(): number {
    let count = 0;
    for (const bucket of this.classes.values()) count += bucket.length;
    return count;
  }

  /**
   * A hash key for a BSON value: `canonicalKey`, with every string (inside arrays and
   * sub-documents too) replaced by its class key. Field names are never collated. For keys
   * that are stored (index entries); query values use `lookupKey`.
   */
  key(value: unknown): string {
    return this.valueKey(value, true);
  }

  /**
   * The key to look a query value up with: `key(value)` when a stored key's string is equal
   * to it under the collation, otherwise a key no stored value has. Adds nothing.
   */
  lookupKey(value: unknown): string {
    return this.valueKey(value, false);
  }

  private stringKey(value: string, intern: boolean): string {
    const coarse = this.collation.coarseForm(value);
    let bucket = this.classes.get(coarse);
    let low = 0;
    let high = bucket?.length ?? 0;
    if (bucket) {
      while (low < high) {
        const middle = (low + high) >>> 1;
        const entry = bucket[middle];
        const order = this.collation.compareStrings(entry.representative, value);
        if (order === 0) return `${coarse}\u0000${entry.id}`;
        if (order < 0) low = middle + 1;
        else high = middle;
      }
    }
    // A coarse form holds no control characters, so this never equals an interned key.
    if (!intern) return `${coarse}\u0001`;
    if (!bucket) {
      bucket = [];
      this.classes.set(coarse, bucket);
    }
    const id = this.nextId;
    this.nextId += 1;
    bucket.splice(low, 0, { representative: value, id });
    return `${coarse}\u0000${id}`;
  }

  private valueKey(value: unknown, intern: boolean): string {
    if (typeof value === 'string') return `s${JSON.stringify(this.stringKey(value, intern))}`;
    if (Array.isArray(value)) {
      return `[${value.map((item) => this.valueKey(item, intern)).join(',')}]`;
    }
    if (isPlainObject(value)) {
      return `{${Object.keys(value)
        .map((name) => `${JSON.stringify(name)}:${this.valueKey(value[name], intern)}`)
        .join(',')}}`;
    }
    return canonicalKey(value);
  }
}

/** Whether two collations (undefined: simple/binary) compare every string the same way. */
export function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a === b || a.id === b.id;
}

/** Whether a value is, or holds (in arrays and sub-documents), a string. */
export function containsString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(containsString);
  if (isPlainObject(value)) return Object.values(value).some(containsString);
  return false;
}

function bad(codeName: ErrorCodeName, message: string): MongoCommandError {
  return new MongoCommandError(codeName, message);
}

const cache = new Map<string, Collation>();

/**
 * Parses a `collation` argument the way mongod does; `undefined` for `{ locale: 'simple' }`
 * (binary comparison). `field` is the argument's path for type errors (`find.collation`).
 */
export function parseCollation(raw: unknown, field = 'collation'): Collation | undefined {
  if (!isPlainObject(raw)) {
    throw bad(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${bsonTypeName(raw)}', expected type 'object'`,
    );
  }
  const given: Partial<Record<keyof CollationSpec, unknown>> = {};
  // The IDL parser checks fields in document order: the first bad one is reported.
  for (const [name, value] of Object.entries(raw)) {
    const kind = FIELDS[name];
    if (!kind) throw bad('Location40415', `BSON field 'collation.${name}' is an unknown field.`);
    if (value === null || value === undefined) continue;
    if (kind === 'number') {
      if (!isNumber(value)) {
        throw bad(
          'TypeMismatch',
          `BSON field 'collation.${name}' is the wrong type '${bsonTypeName(value)}', expected types '[long, int, decimal, double']`,
        );
      }
      const n = toInt(value);
      if (n < 0 || n > 5) {
        throw bad(
          'Location51024',
          `BSON field 'collation.${name}' value must be ${n < 0 ? '>= 0' : '<= 5'}, actual value '${n}'`,
        );
      }
      given.strength = n;
      continue;
    }
    const ok = kind === 'bool' ? typeof value === 'boolean' : typeof value === 'string';
    if (!ok) {
      throw bad(
        'TypeMismatch',
        `BSON field 'collation.${name}' is the wrong type '${bsonTypeName(value)}', expected type '${kind}'`,
      );
    }
    const allowed = ENUMS[name];
    if (allowed && !allowed.includes(value as string)) {
      throw bad(
        'BadValue',
        `Enumeration value '${String(value)}' for field 'collation.${name}' is not a valid value.`,
      );
    }
    (given as Record<string, unknown>)[name] = value;
  }
  if (typeof given.locale !== 'string') {
    throw bad('Location40414', "BSON field 'collation.locale' is missing but a required field");
  }
  const locale = given.locale;
  if (locale.includes('\u0000')) {
    throw bad(
      'BadValue',
      `Field 'locale' cannot contain null byte. Collation spec: ${formatObject(raw)}`,
    );
  }
  if (locale === 'simple') return undefined;
  const key = JSON.stringify(raw);
  const cached = cache.get(key);
  if (cached) return cached;
  const collation = build(raw, locale, given);
  if (cache.size > 1000) cache.clear();
  cache.set(key, collation);
  return collation;
}

function build(
  raw: Doc,
  locale: string,
  given: Partial<Record<keyof CollationSpec, unknown>>,
): Collation {
  if (locale === '') {
    throw bad('BadValue', `Field 'locale' cannot be the empty string in: ${formatObject(raw)}`);
  }
  const [base, keywords] = locale.split('@', 2) as [string, string | undefined];
  let variant: string | undefined;
  let validVariant = true;
  if (keywords !== undefined) {
    const match = /^collation=([a-z0-9]+)$/.exec(keywords);
    variant = match?.[1];
    validVariant =
      variant !== undefined && (variant in VARIANTS || UNSUPPORTED_VARIANTS.has(variant));
  }
  if (!SUPPORTED_LOCALES.has(base) || !validVariant) {
    // ICU falls back to the nearest locale it has data for and mongod suggests it.
    const segments = base.split(/[-_]/);
    let fallback: string | undefined = SUPPORTED_LOCALES.has(segments.join('_'))
      ? segments.join('_')
      : undefined;
    for (let n = segments.length - 1; n > 0 && !fallback; n -= 1) {
      const prefix = segments.slice(0, n).join('_');
      if (SUPPORTED_LOCALES.has(prefix)) fallback = prefix;
    }
    if (SUPPORTED_LOCALES.has(base) && !validVariant) fallback = base;
    throw bad(
      'BadValue',
      `Field 'locale' is invalid in: ${formatObject(raw)}${fallback ? `. Did you mean '${fallback}'?` : ''}`,
    );
  }
  if (variant && UNSUPPORTED_VARIANTS.has(variant)) {
    throw bad(
      'NotImplemented',
      `collation locale '${locale}' (the '${variant}' variant) is not supported by the embedded server`,
    );
  }
  const strength = (given.strength as number | undefined) ?? 3;
  if (strength === 0) {
    throw bad(
      'BadValue',
      "Enumeration value '0' for field 'collation.strength' is not a valid value.",
    );
  }
  let intlLocale = base === 'en_US_POSIX' ? 'en-US-u-va-posix' : base.replace(/_/g, '-');
  if (variant) intlLocale += `${intlLocale.includes('-u-') ? '' : '-u'}-co-${VARIANTS[variant]}`;
  const defaults = new Intl.Collator(intlLocale).resolvedOptions();
  const language = base.split('_')[0];
  if (!defaults.locale.startsWith(language)) {
    throw bad(
      'NotImplemented',
      `collation locale '${locale}' is not available in the embedded server's ICU`,
    );
  }
  const localeBackwards = base === 'fr_CA';
  const spec: CollationSpec = {
    locale,
    caseLevel: (given.caseLevel as boolean | undefined) ?? false,
    caseFirst:
      (given.caseFirst as CollationSpec['caseFirst'] | undefined) ??
      (defaults.caseFirst === 'upper' || defaults.caseFirst === 'lower'
        ? defaults.caseFirst
        : 'off'),
    strength,
    numericOrdering: (given.numericOrdering as boolean | undefined) ?? false,
    alternate:
      (given.alternate as CollationSpec['alternate'] | undefined) ??
      (defaults.ignorePunctuation ? 'shifted' : 'non-ignorable'),
    maxVariable: (given.maxVariable as CollationSpec['maxVariable'] | undefined) ?? 'punct',
    normalization: (given.normalization as boolean | undefined) ?? false,
    backwards: (given.backwards as boolean | undefined) ?? localeBackwards,
    version: ICU_VERSION,
  };
  if (given.version !== undefined && given.version !== ICU_VERSION) {
    throw bad(
      'IncompatibleCollationVersion',
      `Requested collation version ${String(given.version)} but the only available collator version was ${ICU_VERSION}. Requested collation spec: ${formatObject(raw)}`,
    );
  }
  if (spec.backwards && strength === 1) {
    throw bad('BadValue', `'backwards' is invalid with 'strength' of 1 in: ${formatObject(raw)}`);
  }
  if (spec.caseFirst !== 'off' && !spec.caseLevel && strength < 3) {
    throw bad(
      'BadValue',
      `'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: ${formatObject(raw)}`,
    );
  }
  // What Intl.Collator cannot do is refused rather than compared differently from mongod.
  if (spec.backwards !== localeBackwards) {
    throw bad(
      'NotImplemented',
      `collation option 'backwards: ${String(spec.backwards)}' is not supported by the embedded server for locale '${locale}'`,
    );
  }
  if (strength === 4) {
    throw bad(
      'NotImplemented',
      "collation 'strength: 4' (quaternary) is not supported by the embedded server",
    );
  }
  if (spec.alternate === 'shifted' && (spec.maxVariable === 'space' || strength === 5)) {
    throw bad(
      'NotImplemented',
      spec.maxVariable === 'space'
        ? "collation option 'maxVariable: space' with 'alternate: shifted' is not supported by the embedded server"
        : "collation 'strength: 5' with 'alternate: shifted' is not supported by the embedded server",
    );
  }
  const options: Intl.CollatorOptions = {
    usage: 'sort',
    numeric: spec.numericOrdering,
    ignorePunctuation: spec.alternate === 'shifted',
  };
  // Left to the locale's default unless given, as ICU does (da and mt sort upper case first).
  if (given.caseFirst !== undefined) {
    options.caseFirst = spec.caseFirst === 'off' ? 'false' : spec.caseFirst;
  }
  return new Collation(spec, intlLocale, options);
}

/**
 * The collation a command runs with: its own `collation` argument when given (`simple`
 * meaning binary), otherwise the collection's default collation, otherwise none.
 */
export function resolveCollation(
  argument: unknown,
  collectionOptions: Doc | undefined,
  field = 'collation',
): Collation | undefined {
  if (argument !== undefined && argument !== null) return parseCollation(argument, field);
  const fallback = collectionOptions?.collation;
  return isPlainObject(fallback) ? parseCollation(fallback) : undefined;
}

/**
 * Fills in an index spec's `collation` as mongod stores it: the full document when one is
 * given, none for `simple`, and the collection's default collation when the spec has none.
 */
export function applyIndexCollation(spec: Doc, collectionOptions: Doc | undefined): void {
  const collation =
    spec.collation !== undefined
      ? parseCollation(spec.collation)
      : resolveCollation(undefined, collectionOptions);
  if (collation) spec.collation = { ...collation.spec };
  else delete spec.collation;
}

/**
 * The `collation` option of `create`, as mongod stores it: the full document, or none for
 * `simple`. Returns the options to store.
 */
export function applyCollectionCollation(options: Doc): Doc {
  if (options.collation === undefined) return options;
  const collation = parseCollation(options.collation);
  const out: Doc = { ...options };
  if (collation) out.collation = { ...collation.spec };
  else delete out.collation;
  return out;
}
