import { readFileSync } from 'node:fs';
import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import type { BenchEnv } from '../bench-env';
import { BENCH_PASSWORD, postGraphql } from '../bench-env';
import type { Figure } from '../figure';
import { formatNumber, goal, ratioFigure } from '../figure';
import { measureCores } from '../cpu';
import type { CoresUsed } from '../cpu';
import { assertClean, runLoad, warmThenRun } from '../load';
import type { LoadOptions } from '../load';
import { graphqlBody, MOVIES_QUERY, SIGN_IN_MUTATION } from '../queries';
import { countCommands } from './round-trips';

/** Sign-in connections: enough to keep every core hashing. */
const SIGN_IN_CONNECTIONS = 8;
/** Catalog reads run at this share of the API's maximum rate, with and without sign-in load. */
const READ_RATE_SHARE = 0.3;

/** CPU seconds a process's main thread (the event loop: its thread id is the pid) has used. */
function mainThreadCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // Linux's USER_HZ, as in ../cpu.ts.
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}

/**
 * P7: (a) sign-ins per second ÷ the hashing ceiling (cores × 1000 ÷ one verification's ms,
 * timed here with the API's argon2id parameters); (b) p99 of catalog reads at a fixed rate
 * with sign-in load ÷ without it.
 */
export async function signInFigures(env: BenchEnv): Promise<Figure[]> {
  const cores = os.availableParallelism();
  const options = env.apiConfig.passwordHash;
  const stored = await hash(BENCH_PASSWORD, options);
  await verify(stored, BENCH_PASSWORD);
  const started = performance.now();
  for (let i = 0; i < env.config.hashSamples; i += 1) await verify(stored, BENCH_PASSWORD);
  const hashMs = (performance.now() - started) / env.config.hashSamples;
  const ceiling = (cores * 1000) / hashMs;

  const api = await env.startApi();
  try {
    const graphqlUrl = `${api.url}/graphql`;
    const headers = { 'content-type': 'application/json', 'x-api-key': env.publicApiKey };
    // Each run signs one seeded user in again and again (failures would hit the rate limiter,
    // successes never do); the bodies differ per run so sessions spread over users.
    const signInLoad = (duration: number, userIndex: number): LoadOptions => ({
      url: graphqlUrl,
      method: 'POST',
      headers,
      body: graphqlBody(SIGN_IN_MUTATION, {
        input: {
          email: env.users[userIndex % env.users.length]?.email ?? '',
          password: BENCH_PASSWORD,
          rememberMe: false,
        },
      }),
      connections: SIGN_IN_CONNECTIONS,
      duration,
    });
    await postGraphql(graphqlUrl, env.publicApiKey, signInLoad(1, 1).body ?? '');
    // The commands one sign-in sends, counted on the in-process API (same code), its API key
    // cache warmed first as in steady state (a key lookup is not part of a sign-in).
    await postGraphql(env.local.url, env.publicApiKey, signInLoad(1, 3).body ?? '');
    // The fewest of three counts: the API's background work (the request budget's flush, the
    // mail outbox's poll, each about once a second) can fall inside one sign-in's window.
    let commands = await countCommands(() =>
      postGraphql(env.local.url, env.publicApiKey, signInLoad(1, 3).body ?? ''),
    );
    for (let i = 0; i < 2; i += 1) {
      const again = await countCommands(() =>
        postGraphql(env.local.url, env.publicApiKey, signInLoad(1, 3).body ?? ''),
      );
      if (again.total < commands.total) commands = again;
    }
    await runLoad({ ...signInLoad(env.config.warmup, 1), duration: env.config.warmup });
    const mainBefore = mainThreadCpuSeconds(api.pid);
    const runStarted = performance.now();
    const signInRun = await measureCores({ api: api.pid, database: env.mongo.pid }, () =>
      runLoad(signInLoad(env.config.duration, 1)),
    );
    const mainAfter = mainThreadCpuSeconds(api.pid);
    const runSeconds = (performance.now() - runStarted) / 1000;
    // The event loop's own share of the API's cores; the rest is the hashing threads, V8's
    // GC helpers and libuv's pool.
    const eventLoopCores =
      mainBefore === null || mainAfter === null
        ? null
        : Math.round(((mainAfter - mainBefore) / runSeconds) * 100) / 100;
    const signIns = assertClean('sign-in load', signInRun.result);

    const readBody = await postGraphql(graphqlUrl, env.publicApiKey, graphqlBody(MOVIES_QUERY));
    const reads: LoadOptions = {
      url: graphqlUrl,
      method: 'POST',
      headers,
      body: graphqlBody(MOVIES_QUERY),
      connections: 10,
      duration: env.config.latencyDuration,
      expectBody: readBody,
    };
    if (env.apiMaxRps === undefined) {
      env.apiMaxRps = assertClean(
        'API max rate',
        await warmThenRun({ ...reads, duration: env.config.duration }, env.config.warmup),
      ).rps;
    }
    const rate = Math.max(1, Math.round(env.apiMaxRps * READ_RATE_SHARE));
    const alone = assertClean('reads alone', await runLoad({ ...reads, overallRate: rate }));
    const [loaded, concurrentSignIns] = await Promise.all([
      runLoad({ ...reads, overallRate: rate }),
      runLoad(signInLoad(env.config.latencyDuration, 2)),
    ]);
    assertClean('reads under sign-in load', loaded);
    assertClean('concurrent sign-ins', concurrentSignIns);

    return [
      ratioFigure({
        id: 'P7a',
        title: `sign-ins per second ÷ hashing ceiling (${cores} cores × 1000 ÷ ${hashMs.toFixed(1)} ms)`,
        measured: { label: 'sign-ins', value: signIns.rps, unit: '/s' },
        baseline: { label: 'ceiling', value: ceiling, unit: '/s' },
        goal: goal('>=', 0.9),
        details: {
          hashMs: Math.round(hashMs * 100) / 100,
          argon2: options,
          connections: SIGN_IN_CONNECTIONS,
          p50ms: signIns.p50,
          p99ms: signIns.p99,
          commandsPerSignIn: commands.byCommand,
          coresUsed: signInRun.cores,
          apiEventLoopCores: eventLoopCores,
          hashPool: env.apiConfig.passwordHashPool,
        },
        analysis: signInAnalysis({
          cores,
          hashMs,
          rps: signIns.rps,
          ceiling,
          commands: commands.total,
          used: signInRun.cores,
          eventLoopCores,
          pool: env.apiConfig.passwordHashPool,
        }),
      }),
      ratioFigure({
        id: 'P7b',
        title: `p99 of catalog reads (${rate} req/s) with ÷ without sign-in load`,
        measured: { label: 'with sign-ins', value: loaded.p99, unit: 'ms' },
        baseline: { label: 'without', value: alone.p99, unit: 'ms' },
        goal: goal('<=', 2),
        details: {
          readRate: rate,
          alone: { p50ms: alone.p50, p99ms: alone.p99, rps: Math.round(alone.rps) },
          loaded: { p50ms: loaded.p50, p99ms: loaded.p99, rps: Math.round(loaded.rps) },
          // Below the fixed rate means the event loop could not keep up: autocannon then sends
          // fewer requests and its p99 understates the delay.
          readsKeptRate: loaded.rps >= rate * 0.95,
          concurrentSignInsPerSecond: Math.round(concurrentSignIns.rps),
          seconds: env.config.latencyDuration,
        },
        analysis:
          `Hashing runs on the API's ${env.apiConfig.passwordHashPool.threads} hashing threads at ` +
          `nice ${env.apiConfig.passwordHashPool.niceness} (PASSWORD_HASH_THREADS, ` +
          'PASSWORD_HASH_NICE), not on the event loop, and takes the CPU the event loop and the ' +
          'database leave. ' +
          (loaded.rps >= rate * 0.95
            ? `Reads kept their fixed rate (${formatNumber(loaded.rps)} of ${rate} req/s). `
            : `Even so reads fell below their fixed rate (${formatNumber(loaded.rps)} of ${rate} ` +
              'req/s, readsKeptRate false): the API or the load generator could not keep up, so ' +
              'autocannon sent fewer requests and the p99 understates the delay. ') +
          `With ${formatNumber(concurrentSignIns.rps)} sign-ins/s alongside, ` +
          `hashing alone keeps about ${formatNumber((concurrentSignIns.rps * hashMs) / 1000)} of ` +
          `the ${cores} cores busy (at nice 0 those threads would take it from the event loop ` +
          `and the database as equals): the reads' p50 went from ${formatNumber(alone.p50)} to ` +
          `${formatNumber(loaded.p50)} ms and their p99 from ${formatNumber(alone.p99)} to ` +
          `${formatNumber(loaded.p99)} ms. What is left is the reads sharing the event loop with ` +
          "the sign-ins' own request work (details of P7a: apiEventLoopCores) and the cores' " +
          'caches with the hashes (19 MiB each).',
      }),
    ];
  } finally {
    await api.stop();
  }
}

/** P7a's analysis: where the cores went while sign-ins ran, from the run's own numbers. */
function signInAnalysis(m: {
  cores: number;
  hashMs: number;
  rps: number;
  ceiling: number;
  commands: number;
  used: CoresUsed | null;
  eventLoopCores: number | null;
  pool: { threads: number; niceness: number };
}): string {
  const cause =
    `A sign-in is one argon2id verification (${formatNumber(m.hashMs)} ms, on one of the API's ` +
    `${m.pool.threads} hashing threads at nice ${m.pool.niceness}) ` +
    `and ${m.commands} database commands (details.commandsPerSignIn: the rate limiter's three ` +
    'increments (e-mail and IP, IP, e-mail) together with the user read; after the hash the ' +
    "session insert; then the limiter's success updates (a delete, two decrements) together " +
    'with the check that the password did not change meanwhile), plus the GraphQL request and ' +
    'a signed JWT. The ceiling ' +
    `assumes all ${m.cores} cores hash all the time.`;
  if (!m.used) return cause;
  const hashing = (m.rps * m.hashMs) / 1000;
  const eventLoop = Math.max(0, (m.used.api ?? 0) - hashing);
  const rest = eventLoop + (m.used.database ?? 0) + (m.used.loadGenerator ?? 0);
  const otherMs = (rest * 1000) / m.rps;
  const reachable = (m.cores * 1000) / (m.hashMs + otherMs);
  return (
    `${cause} Measured while ${formatNumber(m.rps)} sign-ins/s ran (details.coresUsed, from ` +
    `/proc): the API process used ${formatNumber(m.used.api ?? 0)} cores, of which hashing ` +
    `about ${formatNumber(hashing)} (sign-ins/s × the hash's ms timed alone) and the rest, ` +
    `${formatNumber(eventLoop)}, its event loop and GC; the ` +
    `database ${formatNumber(m.used.database ?? 0)}; the load generator ` +
    `${formatNumber(m.used.loadGenerator ?? 0)}.` +
    (m.eventLoopCores === null
      ? ''
      : ` The event loop (the main thread, measured alone) used ` +
        `${formatNumber(m.eventLoopCores)} cores, ${formatNumber((m.eventLoopCores * 1000) / m.rps)} ` +
        'ms per sign-in: the GraphQL request, the driver and mongoose for every command, the ' +
        "JWT; the API's other threads (hashing, V8's GC helpers) " +
        `${formatNumber((((m.used.api ?? 0) - m.eventLoopCores) * 1000) / m.rps)} ms per sign-in, ` +
        `the database ${formatNumber(((m.used.database ?? 0) * 1000) / m.rps)} ms.`) +
    ' So each sign-in costs ' +
    `${formatNumber(otherMs)} ms of CPU besides its hash, and this machine can do at most ` +
    `${m.cores} × 1000 ÷ (${formatNumber(m.hashMs)} + ${formatNumber(otherMs)}) ≈ ` +
    `${formatNumber(reachable)} sign-ins/s, a ratio of ${formatNumber(reachable / m.ceiling)} ` +
    'even with every core busy' +
    (reachable / m.ceiling < 0.9
      ? ': 0.9 is out of reach while the API, the embedded database and the load generator ' +
        'share the cores with the hashing.'
      : '.')
  );
}
