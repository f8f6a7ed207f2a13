import { BSON, Long } from 'bson';
import { MongoCommandError } from '../errors';
import type { Doc } from '../query/documents';
import { MAX_BSON_OBJECT_SIZE } from '../wire/frames';

/** Results beyond the first batch, kept until drained, killed or idle for too long. */
interface OpenCursor {
  ns: string;
  docs: Doc[];
  position: number;
  lastUsed: number;
  /** `noCursorTimeout`: never closed for being idle. */
  noTimeout: boolean;
}

/** How a cursor's first batch is cut and how long the rest is kept. */
export interface CursorOptions {
  /** Documents in the first batch: default 101; 0 answers none and keeps the cursor open. */
  batchSize?: number;
  /** Answer one batch and close the cursor (`singleBatch`, a negative `limit`). */
  singleBatch?: boolean;
  noTimeout?: boolean;
}

const DEFAULT_FIRST_BATCH = 101;
// Leave room for the reply envelope around the batch.
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;

export type CursorReply = Doc & {
  cursor: { id: Long; ns: string; firstBatch?: Doc[]; nextBatch?: Doc[] };
  ok: 1;
};

/**
 * Server-side cursors. Results are materialised when the cursor opens (a snapshot), so
 * getMore is cheap and later writes do not shift batches.
 */
export class CursorManager {
  private readonly open = new Map<string, OpenCursor>();
  private nextId = 1n;

  /** Opens a cursor over `docs`, answering the first batch (id 0 when nothing is left). */
  create(ns: string, docs: Doc[], options: CursorOptions = {}): CursorReply {
    const { batchSize } = options;
    // batchSize 0 asks for an open cursor and an empty first batch (takeBatch reads 0 as "all").
    const first = batchSize === 0 ? [] : takeBatch(docs, 0, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = Long.ZERO;
    if (options.singleBatch !== true && first.length < docs.length) {
      const key = this.nextId;
      this.nextId += 1n;
      this.open.set(key.toString(), {
        ns,
        docs,
        position: first.length,
        lastUsed: Date.now(),
        noTimeout: options.noTimeout === true,
      });
      id = Long.fromBigInt(key);
    }
    return { cursor: { id, ns, firstBatch: first }, ok: 1 };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): CursorReply {
    const key = id.toString();
    const cursor = this.open.get(key);
    if (!cursor) {
      throw new MongoCommandError('CursorNotFound', `cursor id ${key} not found`);
    }
    if (cursor.ns !== ns) {
      throw new MongoCommandError(
        'Unauthorized',
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
      );
    }
    const batch = takeBatch(cursor.docs, cursor.position, batchSize ?? 0);
    cursor.position += batch.length;
    cursor.lastUsed = Date.now();
    let replyId = id;
    if (cursor.position >= cursor.docs.length) {
      this.open.delete(key);
      replyId = Long.ZERO;
    }
    return { cursor: { id: replyId, ns, nextBatch: batch }, ok: 1 };
  }

  kill(ids: Long[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      if (this.open.delete(id.toString())) killed.push(id);
      else notFound.push(id);
    }
    return { killed, notFound };
  }

  /** Closes cursors idle for longer than `timeoutMs` (mongod's default is 10 minutes). */
  sweep(timeoutMs: number, now = Date.now()): number {
    let closed = 0;
    for (const [key, cursor] of this.open) {
      if (!cursor.noTimeout && now - cursor.lastUsed > timeoutMs) {
        this.open.delete(key);
        closed += 1;
      }
    }
    return closed;
  }

  clear(): void {
    this.open.clear();
  }
}

/** Up to `count` documents (0 = as many as fit) and never more than one reply's worth of bytes. */
function takeBatch(docs: Doc[], start: number, count: number): Doc[] {
  const end = count > 0 ? Math.min(docs.length, start + count) : docs.length;
  const batch: Doc[] = [];
  let bytes = 0;
  for (let i = start; i < end; i += 1) {
    const size = BSON.calculateObjectSize(docs[i]);
    if (batch.length > 0 && bytes + size > BATCH_BYTES) break;
    batch.push(docs[i]);
    bytes += size;
  }
  return batch;
}
