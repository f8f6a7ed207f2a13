/** One index entry: the key's values (one per index field) and the record it points to. */
export interface IndexKey {
  readonly values: unknown[];
  /** The document's canonical `_id` (the record id; it breaks ties between equal keys). */
  readonly id: string;
}

/** A place between two entries: chunk number and offset in that chunk. */
export interface KeyPosition {
  chunk: number;
  offset: number;
}

/**
 * Chunks are split when they pass this size. An insert or removal moves at most this many
 * entries (a memmove of a few KiB) plus, on a split, a pointer array of n / 512 chunks, so both
 * stay cheap at any size, while lookups are two binary searches.
 */
const MAX_CHUNK = 1024;

/**
 * Index entries kept in key order: a list of sorted chunks (a two-level B+tree). Seeks take a
 * monotone predicate (false for every entry before the target, true from it on) so the caller
 * decides what a bound means (inclusive, exclusive, a key prefix).
 */
export class SortedKeys {
  private chunks: IndexKey[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: IndexKey, b: IndexKey) => number) {}

  get size(): number {
    return this.count;
  }

  insert(key: IndexKey): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return;
    }
    const { chunk, offset } = this.seek((entry) => this.compare(entry, key) >= 0);
    const c = Math.min(chunk, this.chunks.length - 1);
    const target = this.chunks[c];
    target.splice(chunk === c ? offset : target.length, 0, key);
    this.count += 1;
    if (target.length > MAX_CHUNK) {
      const half = target.length >> 1;
      this.chunks.splice(c, 1, target.slice(0, half), target.slice(half));
    }
  }

  /** Removes the entry equal to `key` (same values and id); false when there is none. */
  delete(key: IndexKey): boolean {
    const { chunk, offset } = this.seek((entry) => this.compare(entry, key) >= 0);
    const target = this.chunks[chunk];
    if (!target || this.compare(target[offset], key) !== 0) return false;
    target.splice(offset, 1);
    this.count -= 1;
    if (target.length === 0) this.chunks.splice(chunk, 1);
    return true;
  }

  /** The first position whose entry satisfies `reached` (monotone), or the end. */
  seek(reached: (entry: IndexKey) => boolean): KeyPosition {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = chunks[mid];
      if (reached(chunk[chunk.length - 1])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === chunks.length) return { chunk: lo, offset: 0 };
    const chunk = chunks[lo];
    let a = 0;
    let b = chunk.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (reached(chunk[mid])) b = mid;
      else a = mid + 1;
    }
    return { chunk: lo, offset: a };
  }

  /** Entries from `from` (inclusive) to `to` (exclusive). */
  countBetween(from: KeyPosition, to: KeyPosition): number {
    if (!before(from, to)) return 0;
    if (from.chunk === to.chunk) return to.offset - from.offset;
    let total = this.chunks[from.chunk].length - from.offset;
    for (let c = from.chunk + 1; c < to.chunk; c += 1) total += this.chunks[c].length;
    return total + to.offset;
  }

  /** Entries from `from` up to `to` (exclusive), in key order or, with `backward`, reversed. */
  *range(from: KeyPosition, to: KeyPosition, backward = false): Generator<IndexKey> {
    if (!before(from, to)) return;
    const chunks = this.chunks;
    if (!backward) {
      let { chunk, offset } = from;
      while (chunk < to.chunk || (chunk === to.chunk && offset < to.offset)) {
        const entries = chunks[chunk];
        const end = chunk === to.chunk ? to.offset : entries.length;
        for (; offset < end; offset += 1) yield entries[offset];
        chunk += 1;
        offset = 0;
      }
      return;
    }
    let chunk = to.offset === 0 ? to.chunk - 1 : to.chunk;
    let offset = to.offset === 0 ? (chunks[chunk]?.length ?? 0) - 1 : to.offset - 1;
    while (chunk > from.chunk || (chunk === from.chunk && offset >= from.offset)) {
      const entries = chunks[chunk];
      const stop = chunk === from.chunk ? from.offset : 0;
      for (; offset >= stop; offset -= 1) yield entries[offset];
      chunk -= 1;
      offset = (chunks[chunk]?.length ?? 0) - 1;
    }
  }

  /** The position after the last entry. */
  end(): KeyPosition {
    return { chunk: this.chunks.length, offset: 0 };
  }
}

function before(a: KeyPosition, b: KeyPosition): boolean {
  return a.chunk < b.chunk || (a.chunk === b.chunk && a.offset < b.offset);
}
