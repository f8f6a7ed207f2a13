import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import type { BenchEnv } from '../bench-env';
import { BENCH_PASSWORD, postGraphql } from '../bench-env';
import { startChild } from '../children';
import type { ChildServer } from '../children';
import { machineBusySince, machineCpuTicks, measureCores } from '../cpu';
import type { CoresUsed } from '../cpu';
import type { Figure } from '../figure';
import { formatNumber, ratioFigure } from '../figure';
import { assertClean, runLoad } from '../load';
import type { LoadOptions, LoadResult } from '../load';
import { graphqlBody, MOVIES_QUERY, SIGN_IN_MUTATION } from '../queries';
import { NO_GOAL } from '../report';

/** Sign-in connections, as P7a: enough to keep every core hashing (the same on both sides). */
const SIGN_IN_CONNECTIONS = 8;

/** One side of P10 (behind the proxy to one API, or to two), over its alternated segments. */
interface Side {
  rps: number;
  total: number;
  seconds: number;
  /** Each segment's rate, p50 and p99 (ms) and the whole machine's busy cores, in run order. */
  segments: { rps: number; p50ms: number; p99ms: number; machineBusyCores: number | null }[];
  /** Cores each process used on average over the side's segments (time-weighted), or null off Linux. */
  cores: CoresUsed | null;
  /**
   * Cores the whole machine kept busy meanwhile (every process, from /proc/stat), or null off
   * Linux: on a shared machine, what others took is not idle even when this run left it.
   */
  machineBusyCores: number | null;
}

interface Pair {
  one: Side;
  two: Side;
}

/**
 * P10: the same load through the same round-robin proxy (its own process) in front of one API
 * process ÷ in front of two, all on the one bench database. (a) catalog reads (P1's
 * `MOVIES_QUERY`), (b) sign-ins (P7a's load). Both API processes run during both sides; only
 * the proxy's upstream list differs, so the proxy's cost is the same on both.
 */
export async function scaleOutFigures(env: BenchEnv): Promise<Figure[]> {
  const cores = os.availableParallelism();
  const started: ChildServer[] = [];
  try {
    // One after the other: each start makes sure the API keys exist (an upsert).
    const first = await env.startApi();
    started.push(first);
    const second = await env.startApi();
    started.push(second);
    const proxy = (name: string, upstreams: ChildServer[]) =>
      startChild('round-robin', {
        env: { BENCH_UPSTREAMS: JSON.stringify(upstreams.map((api) => api.url)) },
        nodeArgs: env.nodeArgs(name),
      });
    const toOne = await proxy('proxy-one', [first]);
    started.push(toOne);
    const toTwo = await proxy('proxy-two', [first, second]);
    started.push(toTwo);
    const pids = (through: ChildServer) => ({
      api1: first.pid,
      api2: second.pid,
      proxy: through.pid,
      database: env.mongo.pid,
    });

    // Both API processes must answer the same bytes, or spreading would change the work.
    const readBody = await postGraphql(
      `${first.url}/graphql`,
      env.publicApiKey,
      graphqlBody(MOVIES_QUERY),
    );
    const secondBody = await postGraphql(
      `${second.url}/graphql`,
      env.publicApiKey,
      graphqlBody(MOVIES_QUERY),
    );
    if (secondBody !== readBody) throw new Error('P10: the two API processes answer differently');
    const reads = (through: ChildServer, duration: number): LoadOptions => ({
      url: `${through.url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': env.publicApiKey },
      body: graphqlBody(MOVIES_QUERY),
      connections: env.config.connections,
      duration,
      expectBody: readBody,
    });
    const readPair = await alternate(env, toOne, toTwo, reads, pids, 'catalog reads');

    // Sign-ins: one seeded user again and again (successes never reach the rate limiter).
    const signInBody = graphqlBody(SIGN_IN_MUTATION, {
      input: {
        email: env.users[4 % env.users.length]?.email ?? '',
        password: BENCH_PASSWORD,
        rememberMe: false,
      },
    });
    await postGraphql(`${toTwo.url}/graphql`, env.publicApiKey, signInBody);
    const signIns = (through: ChildServer, duration: number): LoadOptions => ({
      url: `${through.url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': env.publicApiKey },
      body: signInBody,
      connections: SIGN_IN_CONNECTIONS,
      duration,
    });
    const signInPair = await alternate(env, toOne, toTwo, signIns, pids, 'sign-ins');
    const hashMs = await timeOneHash(env);

    return [
      ratioFigure({
        id: 'P10a',
        title: `catalog reads per second, 2 API processes ÷ 1, behind the same round-robin proxy (${cores} cores)`,
        measured: { label: '2 APIs', value: readPair.two.rps, unit: 'req/s' },
        baseline: { label: '1 API', value: readPair.one.rps, unit: 'req/s' },
        goal: NO_GOAL,
        details: { cores, connections: env.config.connections, ...sideDetails(readPair) },
        analysis: readsAnalysis(cores, readPair),
      }),
      ratioFigure({
        id: 'P10b',
        title: `sign-ins per second, 2 API processes ÷ 1, behind the same round-robin proxy (${cores} cores)`,
        measured: { label: '2 APIs', value: signInPair.two.rps, unit: '/s' },
        baseline: { label: '1 API', value: signInPair.one.rps, unit: '/s' },
        goal: NO_GOAL,
        details: {
          cores,
          connections: SIGN_IN_CONNECTIONS,
          hashMs: Math.round(hashMs * 100) / 100,
          ...sideDetails(signInPair),
        },
        analysis: signInsAnalysis(cores, hashMs, signInPair),
      }),
    ];
  } finally {
    // Proxies first, so nothing is sent to an API that is stopping.
    for (const child of started.reverse()) await child.stop();
  }
}

/**
 * Warms both paths, then measures one API, two, two, one (each `duration / 2`): both sides get
 * `duration` in total, and a change in the machine's load during the run falls on both alike.
 */
async function alternate(
  env: BenchEnv,
  toOne: ChildServer,
  toTwo: ChildServer,
  load: (through: ChildServer, duration: number) => LoadOptions,
  pids: (through: ChildServer) => Record<string, number>,
  label: string,
): Promise<Pair> {
  for (const through of [toTwo, toOne]) {
    await runLoad({ ...load(through, env.config.warmup), expectBody: undefined });
  }
  const segment = env.config.duration / 2;
  const runs: { one: Measured[]; two: Measured[] } = { one: [], two: [] };
  for (const side of ['one', 'two', 'two', 'one'] as const) {
    const through = side === 'one' ? toOne : toTwo;
    const machineBefore = machineCpuTicks();
    const measured: Measured = await measureCores(pids(through), () =>
      runLoad(load(through, segment)),
    );
    measured.machineBusyCores = machineBusySince(machineBefore);
    assertClean(
      `${label} through the proxy to ${side === 'one' ? 'one API' : 'two APIs'}`,
      measured.result,
    );
    runs[side].push(measured);
  }
  return { one: combine(runs.one), two: combine(runs.two) };
}

type Measured = { result: LoadResult; cores: CoresUsed | null; machineBusyCores?: number | null };

function combine(runs: Measured[]): Side {
  const total = runs.reduce((sum, run) => sum + run.result.total, 0);
  const seconds = runs.reduce((sum, run) => sum + run.result.seconds, 0);
  let cores: CoresUsed | null = {};
  for (const run of runs) {
    if (!run.cores || !cores) {
      cores = null;
      break;
    }
    for (const [name, used] of Object.entries(run.cores)) {
      cores[name] = (cores[name] ?? 0) + (used * run.result.seconds) / seconds;
    }
  }
  if (cores) {
    for (const name of Object.keys(cores)) cores[name] = Math.round((cores[name] ?? 0) * 100) / 100;
  }
  const machine = runs.every((run) => typeof run.machineBusyCores === 'number')
    ? runs.reduce(
        (sum, run) => sum + ((run.machineBusyCores ?? 0) * run.result.seconds) / seconds,
        0,
      )
    : null;
  return {
    rps: total / seconds,
    total,
    seconds,
    segments: runs.map(({ result, machineBusyCores }) => ({
      rps: Math.round(result.rps),
      p50ms: result.p50,
      p99ms: result.p99,
      machineBusyCores: machineBusyCores ?? null,
    })),
    cores,
    machineBusyCores: machine === null ? null : Math.round(machine * 100) / 100,
  };
}

function sideDetails(pair: Pair): Record<string, unknown> {
  const side = (s: Side) => ({
    rps: Math.round(s.rps * 10) / 10,
    requests: s.total,
    seconds: Math.round(s.seconds * 100) / 100,
    segments: s.segments,
  });
  return {
    oneApi: side(pair.one),
    twoApis: side(pair.two),
    coresUsed: { oneApi: pair.one.cores, twoApis: pair.two.cores },
    machineBusyCores: { oneApi: pair.one.machineBusyCores, twoApis: pair.two.machineBusyCores },
  };
}

/** One argon2id verification with the API's parameters, timed here as P7 does (ms). */
async function timeOneHash(env: BenchEnv): Promise<number> {
  const stored = await hash(BENCH_PASSWORD, env.apiConfig.passwordHash);
  await verify(stored, BENCH_PASSWORD);
  const started = performance.now();
  for (let i = 0; i < env.config.hashSamples; i += 1) await verify(stored, BENCH_PASSWORD);
  return (performance.now() - started) / env.config.hashSamples;
}

function sum(cores: CoresUsed, names?: string[]): number {
  return Object.entries(cores)
    .filter(([name]) => !names || names.includes(name))
    .reduce((total, [, used]) => total + used, 0);
}

function coresText(cores: CoresUsed): string {
  return Object.entries(cores)
    .map(([name, used]) => `${name} ${used.toFixed(2)}`)
    .join(', ');
}

/** What the two API processes used together (the idle one included on the one-API side). */
function apiCores(cores: CoresUsed): number {
  return sum(cores, ['api1', 'api2']);
}

function busyText(cores: number, pair: Pair): string {
  const one = pair.one.cores;
  const two = pair.two.cores;
  if (!one || !two) return '';
  return (
    `Cores used on average (of ${cores}; from /proc, in details.coresUsed): one API ` +
    `${coresText(one)} (${formatNumber(sum(one))} in all); two APIs ${coresText(two)} ` +
    `(${formatNumber(sum(two))} in all). ` +
    othersText(one, pair.one.machineBusyCores, two, pair.two.machineBusyCores)
  );
}

/** What processes outside the run took (the whole machine's busy cores less the run's own). */
function othersText(
  one: CoresUsed,
  oneMachine: number | null,
  two: CoresUsed,
  twoMachine: number | null,
): string {
  if (oneMachine === null || twoMachine === null) return '';
  const others = (machine: number, own: CoresUsed) => Math.max(0, machine - sum(own));
  const text =
    `The whole machine was ${formatNumber(oneMachine)} and ${formatNumber(twoMachine)} cores ` +
    `busy (/proc/stat), so other processes took about ${formatNumber(others(oneMachine, one))} ` +
    `and ${formatNumber(others(twoMachine, two))} cores`;
  return others(oneMachine, one) + others(twoMachine, two) > 0.3
    ? `${text}: a shared machine, whose load decides much of this ratio; compare a quiet run. `
    : `${text}. `;
}

/** Cores nobody used during the one-API side: what a second process could have had. */
function idleCores(cores: number, side: Side): number {
  const busy = side.machineBusyCores ?? (side.cores ? sum(side.cores) : 0);
  return Math.max(0, cores - busy);
}

/** P10a's analysis: whether a second process found idle cores, from the run's own numbers. */
function readsAnalysis(cores: number, pair: Pair): string {
  const ratio = pair.two.rps / pair.one.rps;
  const one = pair.one.cores;
  const two = pair.two.cores;
  const cause =
    'A catalog read is CPU work in the API process (express, Apollo, graphql-js, JSON) and in ' +
    'the embedded database (two commands), plus the proxy and the load generator, all on the ' +
    `same ${cores} cores. A second API process can only add reads if there is CPU left for it.`;
  if (!one || !two) return `${cause} Ratio ${formatNumber(ratio)}.`;
  const idle = idleCores(cores, pair.one);
  const apiMsOne = (apiCores(one) * 1000) / pair.one.rps;
  const apiMsTwo = (apiCores(two) * 1000) / pair.two.rps;
  const dbMs = ((two.database ?? 0) * 1000) / pair.two.rps;
  const perRead = `API CPU per read ${formatNumber(apiMsOne)} ms with one, ${formatNumber(apiMsTwo)} ms with two`;
  const verdict =
    Math.abs(ratio - 1) <= 0.15
      ? `hence a ratio near 1 (${formatNumber(ratio)}). `
      : ratio < 1
        ? `and the ratio, ${formatNumber(ratio)}, is below 1: ` +
          (apiMsTwo > apiMsOne * 1.1
            ? 'the two processes together spent more API CPU per read than the one did ' +
              '(likely fewer requests per event-loop turn in each, two heaps and JITs, and more ' +
              'context switches: BENCH_PROFILE=1 would tell), and '
            : 'with about the same API CPU per read, ') +
          'a changing load from other processes between segments (details.*.segments) also ' +
          'moves it. '
        : `yet the ratio is ${formatNumber(ratio)}. `;
  return (
    `${cause} ${busyText(cores, pair)}With one API process about ${formatNumber(idle)} of the ` +
    `${cores} cores were idle, so the second process had ` +
    (idle < 0.25 * cores
      ? `almost nothing to run on: the two shared the CPU the one had had (${perRead}), ${verdict}`
      : `room to run (${perRead}): ratio ${formatNumber(ratio)}. `) +
    'One API process is one event loop (about one core at most), so on a machine with spare ' +
    'cores reads would scale with API processes until the database is the limit: the embedded ' +
    `one, a single event loop too, spent ${formatNumber(dbMs)} ms per read here, so it alone ` +
    `would cap reads near ${formatNumber(1000 / Math.max(dbMs, 0.001))}/s (a real MongoDB uses ` +
    'many cores).'
  );
}

/** P10b's analysis: hashing runs on each process's libuv pool, which one process already fills. */
function signInsAnalysis(cores: number, hashMs: number, pair: Pair): string {
  const ratio = pair.two.rps / pair.one.rps;
  const cause =
    `A sign-in is mostly one argon2id verification (${formatNumber(hashMs)} ms here, with the ` +
    "API's parameters) on the process's libuv pool, which has 4 threads: one API process can " +
    `already keep all ${cores} cores hashing with ${SIGN_IN_CONNECTIONS} connections, so a ` +
    'second process adds threads but no cores.';
  const one = pair.one.cores;
  const two = pair.two.cores;
  if (!one || !two) return `${cause} Ratio ${formatNumber(ratio)}.`;
  return (
    `${cause} ${busyText(cores, pair)}Hashing alone took about ` +
    `${formatNumber((pair.one.rps * hashMs) / 1000)} cores with one API and ` +
    `${formatNumber((pair.two.rps * hashMs) / 1000)} with two (sign-ins/s × the hash's ms); ` +
    `ratio ${formatNumber(ratio)}. On more cores, sign-ins scale with cores (up to 4 per ` +
    'process at a time, the pool size), not with processes as such.'
  );
}
