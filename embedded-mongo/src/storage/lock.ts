import * as fs from 'node:fs';
import * as path from 'node:path';

export const LOCK_FILE = 'embedded-mongo.lock';

/** Thrown when another live process already serves the data directory. */
export class DataDirLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds, so its own pid in a lock file can be told apart. */
const heldByThisProcess = new Set<string>();

/** Whether the lock names a live server: another running process, or a server in this one. */
function isHeld(file: string, pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // Our own pid in a lock we did not take is a previous run's: a container restarted after a
  // crash or a kill usually gives the server the very same pid again.
  if (pid === process.pid) return heldByThisProcess.has(file);
  return isAlive(pid);
}

/**
 * How long to wait for another live process to let go of the lock: a server stopped with
 * Ctrl-C flushes and releases it within moments, and the developer has often already typed
 * the command again (or a file watcher restarted the API) by then.
 */
const LOCK_WAIT_MS = 3000;
const LOCK_POLL_MS = 100;

/**
 * Takes the data directory's lock: two servers appending to one journal would interleave
 * records. A lock left by a process that no longer runs (a crash, a kill -9) is taken over;
 * one held by another process that is still stopping is waited for, up to a few seconds.
 * Resolves to the function that releases it.
 */
export async function lockDataDir(dir: string): Promise<() => void> {
  const file = path.join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldByThisProcess.add(file);
      return () => {
        heldByThisProcess.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = readPid(file);
    if (pid === undefined || !isHeld(file, pid)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (pid === process.pid || Date.now() >= deadline) {
      throw new DataDirLockedError(
        `data directory ${dir} is in use by process ${pid} (${file}); stop that server or use ` +
          `another --data-dir (if process ${pid} is not an embedded-mongo, delete ${file})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** The pid in a lock file; undefined when it is unreadable or was removed meanwhile. */
function readPid(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
