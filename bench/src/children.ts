import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { benchDir } from './bench-config';
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

/** The compiled server scripts (also when the harness itself runs from sources under jest). */
const SERVERS_DIR = path.join(benchDir(), 'dist', 'src', 'servers');

/**
 * Spawns `node bench/dist/src/servers/<name>.server.js` and resolves with the URL it announces.
 * Each server under test gets its own process so the load generator never shares its event loop.
 */
export function startChild(name: string, options: StartChildOptions = {}): Promise<ChildServer> {
  const script = path.join(SERVERS_DIR, `${name}.server.js`);
  if (!existsSync(script)) {
    return Promise.reject(new Error(`${script} does not exist: build first (npx tsc -b bench)`));
  }
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    // Production mode as deployed: React, graphql-js and express skip their development checks.
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
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
