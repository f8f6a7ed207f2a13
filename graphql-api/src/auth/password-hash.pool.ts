import { Worker } from 'node:worker_threads';
import type { Options as Argon2Options } from '@node-rs/argon2';

/** Options of {@link PasswordHashPool} (`PASSWORD_HASH_THREADS`, `PASSWORD_HASH_NICE`). */
export interface PasswordHashPoolOptions {
  /** Worker threads, i.e. hashes running at once; more wait in line (default: the cores). */
  threads: number;
  /**
   * Nice value (0–19) each worker gives its own thread on Linux, where a thread's priority is
   * its own: hashing then takes only the CPU that request handling and a database on the same
   * machine leave, instead of an equal share. 0 keeps the normal priority; ignored elsewhere
   * (there `setpriority` would lower the whole process).
   */
  niceness: number;
}

/** A password the worker could not judge, e.g. a stored hash that is not a PHC string. */
export class PasswordHashError extends Error {
  override readonly name = 'PasswordHashError';
}

type Job =
  | { op: 'verify'; hash: string; password: string }
  | { op: 'hash'; password: string; options: Argon2Options };

interface Pending {
  job: Job;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

type Reply = { value: string | boolean } | { error: string };

/**
 * The worker's whole program. Kept as source text (run with `eval`) so that the same code runs
 * from `dist/` and under jest, which loads only TypeScript sources; the argon2 module is passed
 * resolved, so nothing depends on the working directory. One job at a time, synchronously: the
 * thread is there to hash. A hash that throws is answered as an error, the thread lives on.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
if (workerData.niceness > 0) {
  try { require('node:os').setPriority(0, workerData.niceness); } catch {}
}
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'verify'
      ? argon2.verifySync(job.hash, job.password)
      : argon2.hashSync(job.password, job.options);
    parentPort.postMessage({ value });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

/**
 * argon2id on a few worker threads of its own instead of libuv's pool: at most `threads`
 * hashes run at once (on a 2-core machine libuv's 4 threads would run 4, each slower, with the
 * event loop a fifth runnable thread among them), libuv's pool stays free for what else uses it
 * (the JWT signature, file and DNS work), and on Linux the workers run at a lower priority, so
 * requests that need no hash are not kept waiting behind the ones that do. Workers start on
 * first use and never keep the process alive while idle; `stop()` ends them.
 */
export class PasswordHashPool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  /** Every worker not yet exited: idle, running or still starting. */
  private readonly workers = new Set<Worker>();
  private readonly argon2Path = require.resolve('@node-rs/argon2');
  private stopped = false;

  constructor(private readonly options: PasswordHashPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError('PasswordHashPool needs at least one thread');
    }
  }

  /** Whether `password` matches the PHC string `hash`; PasswordHashError for a malformed hash. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.run({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  /** A PHC string for `password` with these argon2 options (a fresh random salt). */
  hash(password: string, options: Argon2Options): Promise<string> {
    return this.run({ op: 'hash', password, options }) as Promise<string>;
  }

  /** Ends the workers; queued and running jobs are rejected. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const pending of this.queue.splice(0)) pending.reject(stoppedError());
    this.idle.length = 0;
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private run(job: Job): Promise<string | boolean> {
    if (this.stopped) return Promise.reject(stoppedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Hands queued jobs to idle workers and starts workers, up to `threads`, for the rest. */
  private dispatch(): void {
    for (;;) {
      const worker = this.queue.length > 0 ? this.idle.pop() : undefined;
      const pending = worker ? this.queue.shift() : undefined;
      if (!worker || !pending) break;
      this.assign(worker, pending);
    }
    const starting = this.workers.size - this.idle.length - this.running.size;
    const wanted = Math.min(this.queue.length - starting, this.options.threads - this.workers.size);
    for (let i = 0; i < wanted; i += 1) this.spawn();
  }

  private assign(worker: Worker, pending: Pending): void {
    this.running.set(worker, pending);
    worker.ref();
    worker.postMessage(pending.job);
  }

  private spawn(): void {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        argon2: this.argon2Path,
        niceness: process.platform === 'linux' ? this.options.niceness : 0,
      },
    });
    this.workers.add(worker);
    let online = false;
    let failure: Error | undefined;
    worker.once('online', () => {
      online = true;
      if (this.stopped) return;
      this.becomeIdle(worker);
    });
    worker.on('message', (reply: Reply) => {
      const pending = this.running.get(worker);
      this.running.delete(worker);
      if (pending) {
        if ('error' in reply) pending.reject(new PasswordHashError(reply.error));
        else pending.resolve(reply.value);
      }
      if (!this.stopped) this.becomeIdle(worker);
    });
    // Without a listener the error would crash the API; 'exit' follows and settles the jobs.
    worker.on('error', (error) => {
      failure = error;
    });
    worker.once('exit', (code) => {
      this.workers.delete(worker);
      const reason = (): Error =>
        this.stopped
          ? stoppedError()
          : new Error(`password hashing worker exited (${code})`, { cause: failure });
      if (!online) {
        // It never started (e.g. argon2 could not load). With no other worker up, the waiting
        // jobs fail now rather than start worker after worker (the next job tries again); else
        // the workers that are up take them as they finish.
        if (this.idle.length + this.running.size === 0) {
          for (const pending of this.queue.splice(0)) pending.reject(reason());
        }
        return;
      }
      const idleIndex = this.idle.indexOf(worker);
      if (idleIndex !== -1) this.idle.splice(idleIndex, 1);
      // A worker that dies running a job (a resource limit, terminate()) takes only that job
      // with it (it may be the cause); the rest go to the others or to a replacement.
      this.running.get(worker)?.reject(reason());
      this.running.delete(worker);
      if (!this.stopped) this.dispatch();
    });
  }

  private becomeIdle(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    this.dispatch();
  }
}

function stoppedError(): Error {
  return new Error('password hashing has stopped');
}
