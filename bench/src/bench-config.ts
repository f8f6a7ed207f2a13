import os from 'node:os';
import path from 'node:path';

/** How long and how hard each figure runs; read from the environment by {@link loadBenchConfig}. */
export interface BenchConfig {
  /** Seconds of each measured throughput run (`BENCH_DURATION`, default 10; quick: 1). */
  duration: number;
  /** Unmeasured warm-up before each throughput run, seconds (a fifth of `duration`, at most 3). */
  warmup: number;
  /** P5's fixed-rate run, seconds (`BENCH_LATENCY_DURATION`, default 60 as the issue says; quick: 3). */
  latencyDuration: number;
  /**
   * Rounds of the server comparison (`BENCH_ROUNDS`, default 3): each round runs every server
   * (the API, its peers and the limits) once for `duration` seconds; figures are medians.
   */
  rounds: number;
  /** Fixed connections for throughput runs (`BENCH_CONNECTIONS`, default 10). */
  connections: number;
  /** Movies seeded (1,000 as the issue says). */
  movies: number;
  /** Users seeded, each with a 50-entry list. */
  users: number;
  /** P8's large collection (`BENCH_P8_DOCS`, default 100,000) and its small one (1,000). */
  p8LargeDocs: number;
  p8SmallDocs: number;
  /** Argon2 verifications timed for the hashing ceiling (P7). */
  hashSamples: number;
  /** Where latest.md and latest.json go (`BENCH_OUT_DIR`, default bench/results). */
  outDir: string;
  /**
   * P11's cold-cache page loads per page (`BENCH_P11_RUNS`, default 5; quick: 1): the figure is
   * their median.
   */
  pageLoadRuns: number;
  /** `BENCH_PROFILE=1`: servers under test run with `--cpu-prof`, profiles written into `outDir`. */
  profile: boolean;
  /** `BENCH_ONLY=P1,P6`: run only these figures (default all), as ids from {@link FIGURE_IDS}. */
  only: Set<string> | null;
  quick: boolean;
}

/** Every figure id a run can produce, in table order (what `BENCH_ONLY` accepts). */
export const FIGURE_IDS = [
  'P1',
  'P1a',
  'P1b',
  'P1m',
  'P1c',
  'P1cm',
  'P2',
  'P3',
  'P4',
  'P5',
  'P6',
  'P7a',
  'P7b',
  'P8',
  'P9',
  'P10a',
  'P10b',
  'P11a',
  'P11b',
  'P11c',
  'P11d',
] as const;

/**
 * `BENCH_ONLY` as figure ids, matched without regard to case; `P7` names both P7a and P7b,
 * `P10` both P10a and P10b, `P11` all of P11a–P11d (a figure group's number without its
 * letter names the group, when no figure has that id itself: `P1` is P1 alone, not the peers
 * P1a–P1cm).
 * An unknown id is an error naming the valid ones: a typo must not silently run nothing.
 */
function onlyIds(raw: string | undefined): Set<string> | null {
  if (raw === undefined || raw.trim() === '') return null;
  const ids = new Set<string>();
  for (const given of raw.split(',').map((id) => id.trim())) {
    if (given === '') continue;
    const upper = given.toUpperCase();
    const exact = FIGURE_IDS.filter((id) => id.toUpperCase() === upper);
    const matches =
      exact.length > 0
        ? exact
        : FIGURE_IDS.filter((id) => id.toUpperCase().replace(/[A-Z]$/, '') === upper);
    if (matches.length === 0) {
      throw new TypeError(
        `BENCH_ONLY: unknown figure "${given}" (valid: ${FIGURE_IDS.join(', ')}, or P7 / P10 / P11 for a whole group)`,
      );
    }
    for (const id of matches) ids.add(id);
  }
  return ids.size > 0 ? ids : null;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new TypeError(`${name} must be a number ≥ ${min} (got "${raw}")`);
  }
  return value;
}

/**
 * `BENCH_QUICK=1` gives a run of about two minutes (one-second figures, 3 s latency run);
 * the default is the full run (10 s figures, 60 s at a fixed rate for P5).
 */
export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const duration = number(env, 'BENCH_DURATION', quick ? 1 : 10, 0.5);
  const only = onlyIds(env.BENCH_ONLY);
  return {
    duration,
    warmup: Math.min(3, Math.max(0.5, duration / 5)),
    latencyDuration: number(env, 'BENCH_LATENCY_DURATION', quick ? 3 : 60, 1),
    rounds: Math.round(number(env, 'BENCH_ROUNDS', 3, 1)),
    connections: number(env, 'BENCH_CONNECTIONS', 10, 1),
    movies: 1000,
    users: 20,
    p8LargeDocs: number(env, 'BENCH_P8_DOCS', 100_000, 1000),
    p8SmallDocs: 1000,
    hashSamples: quick ? 5 : 20,
    pageLoadRuns: number(env, 'BENCH_P11_RUNS', quick ? 1 : 5, 1),
    outDir: env.BENCH_OUT_DIR ? path.resolve(env.BENCH_OUT_DIR) : path.join(benchDir(), 'results'),
    profile: env.BENCH_PROFILE === '1',
    only,
    quick,
  };
}

/** bench/ itself (this file compiles to bench/dist/src/, and runs from bench/src/ under jest). */
export function benchDir(): string {
  const here = __dirname;
  return here.includes(`${path.sep}dist${path.sep}`)
    ? path.resolve(here, '..', '..')
    : path.resolve(here, '..');
}

/** The machine a run happened on: ratios are comparable across machines, absolute numbers not. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryGiB: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}
