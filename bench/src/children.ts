import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ReadyMessage } from './servers/ready';
import { READY_PREFIX } from './servers/ready';

/** A server under test running in its own Node process. */
export interface ChildServer {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Options of {@link startChild}. */
export interface StartChildOptions {
  /** Extra environment for the child (merged over the harness's own). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof` (BENCH_PROFILE adds it to the servers under test). */
  nodeArgs?: string[];
  /** How long to wait for the ready line; default 60 s. */
  timeoutMs?: number;
}

/** Where the compiled server scripts are (this file compiles to bench/dist/src/children.js). */
const SERVERS_DIR = path.join(__dirname, 'servers');

/**
 * Spawns `node bench/dist/src/servers/<name>.server.js` and resolves with the URL it announces.
 * Each server under test gets its own process so the load generator never shares its event loop.
 */
export function startChild(name: string, options: StartChildOptions = {}): Promise<ChildServer> {
  const script = path.join(SERVERS_DIR, `${name}.server.js`);
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${name} server did not start within ${options.timeoutMs ?? 60000} ms\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(
        new Error(`${name} server exited with code ${String(code)} before it was ready\n${stderr}`),
      );
    };
    child.once('exit', onExit);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      const message = JSON.parse(line.slice(READY_PREFIX.length)) as ReadyMessage;
      resolve({
        name,
        url: message.url,
        pid: child.pid ?? -1,
        stop: () => stopChild(child),
      });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
