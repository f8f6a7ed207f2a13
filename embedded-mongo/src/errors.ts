/**
 * MongoDB server error codes the embedded server answers with. The names are MongoDB's
 * own `codeName`s, so drivers and mongoose classify the errors exactly as with a mongod.
 */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  ProtocolError: 17,
  IllegalOperation: 20,
  InvalidBSON: 22,
  BSONObjectTooLarge: 10334,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  // Collections: validators, views, collMod, _id storage rules.
  GraphContainsCycle: 11,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  ExceededMemoryLimit: 146,
  OptionNotSupportedOnView: 167,
  ViewDepthLimitExceeded: 210,
  ConflictingUpdateOperators: 40,
  UnsupportedOpQueryCommand: 352,
  Location17419: 17419,
  Location40323: 40323,
  Location40324: 40324,
  Location40415: 40415,
  DuplicateKey: 11000,
  // Compound index keys over two arrays of one document (mongod refuses them).
  CannotIndexParallelArrays: 171,
  // Collation parsing (mongod's IDL validator and ICU factory codes).
  IncompatibleCollationVersion: 190,
  Location51024: 51024,
  // Aggregation variables, $out/$merge and database-level aggregate (mongod's own codes).
  MergeStageNoMatchingDocument: 13113,
  CommandNotSupportedOnView: 166,
  Location16866: 16866,
  Location16867: 16867,
  Location16868: 16868,
  Location16990: 16990,
  Location17152: 17152,
  Location17276: 17276,
  Location17385: 17385,
  Location31319: 31319,
  Location31320: 31320,
  Location31321: 31321,
  Location31441: 31441,
  Location31465: 31465,
  Location40228: 40228,
  Location40414: 40414,
  Location40600: 40600,
  Location40601: 40601,
  Location51047: 51047,
  Location51132: 51132,
  Location51144: 51144,
  Location51181: 51181,
  Location51183: 51183,
  Location51185: 51185,
  Location51198: 51198,
  Location51199: 51199,
  Location51273: 51273,
  Location4738901: 4738901,
  Location4890500: 4890500,
  Location5897900: 5897900,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** An error answered to the client as `{ ok: 0, errmsg, code, codeName, ...extra }`. */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra top-level reply fields, e.g. `keyPattern` and `keyValue` for duplicate keys. */
  readonly extra: Record<string, unknown>;

  constructor(codeName: ErrorCodeName, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = ErrorCodes[codeName];
    this.codeName = codeName;
    this.extra = extra;
  }

  /** The reply document a mongod sends for this error. */
  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** Raised while reading a frame that cannot be parsed; the connection answers with code 17. */
export class ProtocolError extends MongoCommandError {
  constructor(message: string) {
    super('ProtocolError', message);
    this.name = 'ProtocolError';
  }
}

/**
 * The journal could not be written (disk full, I/O error): the write is not durable, so it is
 * not acknowledged, and it has been rolled back in memory (never retried): "not done".
 */
export class JournalWriteError extends MongoCommandError {
  constructor(message: string) {
    super('InternalError', message);
    this.name = 'JournalWriteError';
  }
}

/** Thrown at start-up when the journal is damaged in a way that would lose acknowledged writes. */
export class JournalCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalCorruptError';
  }
}

/** Turns anything thrown while executing a command into a MongoDB error reply. */
export function toErrorReply(error: unknown): Record<string, unknown> {
  if (error instanceof MongoCommandError) return error.toReply();
  const message = error instanceof Error ? error.message : String(error);
  // mingo reports malformed queries/pipelines by throwing plain errors: to a client these
  // are bad input, which MongoDB answers with BadValue rather than an internal error.
  return { ok: 0, errmsg: message, code: ErrorCodes.BadValue, codeName: 'BadValue' };
}
