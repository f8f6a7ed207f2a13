import * as fs from 'node:fs';
import type { JournalFileHandle, JournalFileSystem } from '../src/storage/journal';

/** What a full disk reports from `write(2)`. */
export function diskFullError(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/**
 * A journal file layer over the real files that fails on demand, for unit tests of the
 * journal's failure paths without mocking the database: `failWrites` makes the next writes
 * throw ENOSPC (after writing `partialBytes` of their data, as a disk filling up mid-write
 * does), `hold()` keeps the next write in flight until released, `freeBytes` fakes a tight disk.
 */
export class FailingFileSystem implements JournalFileSystem {
  /** How many upcoming writes fail. */
  failWrites = 0;
  /** Bytes a failing write still puts in the file before it fails. */
  partialBytes = 0;
  /** How many upcoming truncates fail (a cut-back that fails too). */
  failTruncates = 0;
  /** What `freeBytes` answers. */
  free = Number.POSITIVE_INFINITY;
  /** Sizes of the writes attempted, in order (one per group commit). */
  readonly writes: number[] = [];
  private gate: Promise<void> | undefined;

  async openForAppend(file: string): Promise<JournalFileHandle> {
    const handle = await fs.promises.open(file, 'a');
    return {
      writeFile: async (data) => {
        this.writes.push(data.length);
        // Decided when the write starts, so a held write keeps the fate it started with.
        const fail = this.failWrites > 0;
        if (fail) this.failWrites -= 1;
        const gate = this.gate;
        this.gate = undefined;
        if (gate) await gate;
        if (fail) {
          if (this.partialBytes > 0) await handle.writeFile(data.subarray(0, this.partialBytes));
          throw diskFullError();
        }
        await handle.writeFile(data);
      },
      datasync: () => handle.datasync(),
      truncate: async (length) => {
        if (this.failTruncates > 0) {
          this.failTruncates -= 1;
          throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
        }
        await handle.truncate(length);
      },
      close: () => handle.close(),
    };
  }

  freeBytes(): number {
    return this.free;
  }

  /** Holds the next write (before it succeeds or fails) until the returned function is called. */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  }

  /** Resolves once `count` writes have been attempted. */
  async writesStarted(count: number): Promise<void> {
    while (this.writes.length < count) await new Promise((resolve) => setImmediate(resolve));
  }
}
