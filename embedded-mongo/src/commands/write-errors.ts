import { MongoCommandError, toErrorReply } from '../errors';
import type { Doc } from '../query/documents';

/** A per-document failure inside insert/update/delete, reported in `writeErrors`. */
export function writeError(index: number, error: unknown): Doc {
  if (!(error instanceof MongoCommandError)) {
    const reply = toErrorReply(error);
    return { index, code: reply.code, errmsg: reply.errmsg };
  }
  return { index, code: error.code, errmsg: error.message, ...error.extra };
}
