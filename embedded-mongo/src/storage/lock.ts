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
 * Takes the data directory's lock: two servers appending to one journal would interleave
 * records. A lock left by a process that no longer runs (a crash, a kill -9) is taken over.
 * Returns the function that releases it.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldByThisProcess.add(file);
      return () => {
        heldByThisProcess.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (isHeld(file, pid)) {
        throw new DataDirLockedError(
          `data directory ${dir} is in use by process ${pid} (${file}); stop that server or use ` +
            `another --data-dir (if process ${pid} is not an embedded-mongo, delete ${file})`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`could not take the lock ${file}`);
}
