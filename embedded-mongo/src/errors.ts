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
  ConflictingUpdateOperators: 40,
  UnsupportedOpQueryCommand: 352,
  Location17419: 17419,
  Location40323: 40323,
  Location40324: 40324,
  Location40415: 40415,
  DuplicateKey: 11000,
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
 * The journal could not be written (disk full, I/O error): the write is applied in memory but
 * not durable, so it is not acknowledged. The journal keeps it and retries on the next flush.
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
