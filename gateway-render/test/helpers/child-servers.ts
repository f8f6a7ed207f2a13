import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ReadyMessage } from '../scale-out/child-lifecycle';
import { READY_PREFIX } from '../scale-out/child-lifecycle';

/** A server running in its own Node process. */
export interface ChildServer {
  name: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  pid: number;
  /** The last few KiB of its stderr (for failure messages). */
  stderr(): string;
}

/** The compiled scale-out scripts: `tsc -b` builds `test/` into `gateway-render/dist/test/`. */
export const SCALE_OUT_DIST_DIR = path.resolve(__dirname, '..', '..', 'dist', 'test', 'scale-out');

const STOP_GRACE_MS = 5000;

/**
 * Starts compiled servers as child processes and stops every one of them, whatever happened
 * in between: `stopAll()` in `afterAll` also covers a test (or a `beforeAll`) that failed
 * half-way. Each child also exits by itself when its stdin pipe closes, i.e. when this
 * process dies without reaching `afterAll`.
 */
export class ChildServers {
  private readonly running = new Set<ChildProcess>();

  /** Spawns `node <SCALE_OUT_DIST_DIR>/<script>.js` and resolves when it prints its ready line. */
  start(
    name: string,
    script: string,
    env: Record<string, string>,
    timeoutMs = 30_000,
  ): Promise<ChildServer> {
    const file = path.join(SCALE_OUT_DIST_DIR, `${script}.js`);
    if (!existsSync(file)) {
      return Promise.reject(new Error(`${file} does not exist: build first (npx tsc -b)`));
    }
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    return new Promise<ChildServer>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      const onExit = (code: number | null, signal: string | null): void => {
        clearTimeout(timer);
        reject(
          new Error(`${name} exited (${String(code ?? signal)}) before it was ready\n${stderr}`),
        );
      };
      child.once('exit', onExit);
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        if (!line.startsWith(READY_PREFIX)) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        const { origin } = JSON.parse(line.slice(READY_PREFIX.length)) as ReadyMessage;
        resolve({ name, origin, pid: child.pid ?? -1, stderr: () => stderr });
      });
    });
  }

  /** How many children are still running (0 after {@link stopAll}). */
  get size(): number {
    return this.running.size;
  }

  /** SIGTERM to every child still running, SIGKILL after a grace period; resolves when all exited. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((child) => stop(child)));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
