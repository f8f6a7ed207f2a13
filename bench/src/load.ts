import autocannon from 'autocannon';
import type { Result } from 'autocannon';

/** One HTTP load run: autocannon, no pipelining, a fixed number of connections. */
export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Fixed connection count (default 10). */
  connections?: number;
  /** Seconds (fractions allowed). */
  duration: number;
  /** Requests per second across all connections; unset = as fast as the server answers. */
  overallRate?: number;
  /** When set, every response body must equal it (autocannon counts mismatches). */
  expectBody?: string;
  /** When set, each request's body (instead of `body`): e.g. a new document every time. */
  nextBody?: () => string;
}

/** What the harness keeps from one run. */
export interface LoadResult {
  /** Completed 2xx requests per second over the run. */
  rps: number;
  total: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  /** Non-2xx, socket errors, timeouts and body mismatches; any of them makes the run invalid. */
  failures: number;
  seconds: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: Result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? 10,
    pipelining: 1,
    duration: options.duration,
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    ...(options.expectBody !== undefined ? { expectBody: options.expectBody } : {}),
    ...(options.nextBody
      ? { requests: [{ setupRequest: (req) => ({ ...req, body: options.nextBody?.() }) }] }
      : {}),
  });
  const seconds = Math.max(
    (result.finish.getTime() - result.start.getTime()) / 1000,
    Number.EPSILON,
  );
  const ok = result['2xx'];
  return {
    rps: ok / seconds,
    total: ok,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts + result.mismatches,
    seconds,
  };
}

/** A short unmeasured run first (JIT, caches, connection pools), then the measured one. */
export async function warmThenRun(options: LoadOptions, warmSeconds: number): Promise<LoadResult> {
  if (warmSeconds > 0) await runLoad({ ...options, duration: warmSeconds, expectBody: undefined });
  return runLoad(options);
}

/** Fails loudly when a run had errors: a figure made of failed requests would be meaningless. */
export function assertClean(label: string, result: LoadResult): LoadResult {
  if (result.failures > 0 || result.total === 0) {
    throw new Error(
      `${label}: ${result.failures} failed requests out of ${result.total + result.failures}; ` +
        'the figure would not mean anything',
    );
  }
  return result;
}

/** Runs `work` with `concurrency` loops for `seconds`, returns completed operations per second. */
export async function opsPerSecond(
  seconds: number,
  concurrency: number,
  work: () => Promise<unknown>,
): Promise<{ ops: number; perSecond: number }> {
  const end = performance.now() + seconds * 1000;
  let ops = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await work();
        ops += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { ops, perSecond: ops / elapsed };
}

/** Operations per second of two workloads measured in alternation, and each segment's rate. */
export interface Alternated {
  a: number;
  b: number;
  segments: { a: number[]; b: number[] };
}

/**
 * Measures two in-process workloads in A B B A A B B A order, `seconds / 4` each segment, so
 * both get `seconds` in total and a drift in the machine's load (other processes on a shared
 * machine) falls on both alike. Rates are total operations ÷ total time per side.
 */
export async function alternate(
  seconds: number,
  concurrency: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<Alternated> {
  const segment = seconds / 4;
  const totals = { a: { ops: 0, seconds: 0 }, b: { ops: 0, seconds: 0 } };
  const segments = { a: [] as number[], b: [] as number[] };
  for (const side of ['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a'] as const) {
    const result = await opsPerSecond(segment, concurrency, side === 'a' ? a : b);
    totals[side].ops += result.ops;
    totals[side].seconds += result.ops / result.perSecond;
    segments[side].push(Math.round(result.perSecond));
  }
  return {
    a: totals.a.ops / totals.a.seconds,
    b: totals.b.ops / totals.b.seconds,
    segments,
  };
}
