import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import type { BenchEnv } from '../bench-env';
import { BENCH_PASSWORD, postGraphql } from '../bench-env';
import type { Figure } from '../figure';
import { goal, ratioFigure } from '../figure';
import { assertClean, runLoad, warmThenRun } from '../load';
import type { LoadOptions } from '../load';
import { graphqlBody, MOVIES_QUERY, SIGN_IN_MUTATION } from '../queries';

/** Sign-in connections: enough to keep every core hashing. */
const SIGN_IN_CONNECTIONS = 8;
/** Catalog reads run at this share of the API's maximum rate, with and without sign-in load. */
const READ_RATE_SHARE = 0.3;

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
    const signIns = assertClean(
      'sign-in load',
      await warmThenRun(signInLoad(env.config.duration, 1), env.config.warmup),
    );

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
        },
        analysis:
          'A sign-in is one argon2id verification on the libuv pool plus five database commands ' +
          '(two rate-limiter reads, the user, a rate-limiter delete even when nothing was ' +
          'recorded, the session insert) and a signed JWT. The ceiling assumes both cores hash ' +
          "all the time; the API's event loop, the embedded database and the load generator need " +
          'the same two cores, so about a third to a half of the ceiling is what is left.',
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
          'Hashing runs on the libuv pool, not the event loop, so reads keep flowing; on two ' +
          'cores the pool threads still take CPU time from the event loop and the database, ' +
          'which shows as a higher p50 and p99.',
      }),
    ];
  } finally {
    await api.stop();
  }
}
