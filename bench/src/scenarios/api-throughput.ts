import os from 'node:os';
import type { BenchEnv } from '../bench-env';
import { postGraphql } from '../bench-env';
import type { Figure } from '../figure';
import { measureCores } from '../cpu';
import type { CoresUsed } from '../cpu';
import { formatNumber, goal, ratioFigure } from '../figure';
import { assertClean, runLoad, warmThenRun } from '../load';
import type { LoadOptions } from '../load';
import { graphqlBody, MOVIES_QUERY } from '../queries';

/** MOVIES_QUERY with the public API key, every body checked against `expectBody`. */
export function moviesLoad(env: BenchEnv, baseUrl: string, expectBody: string): LoadOptions {
  return {
    url: `${baseUrl}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': env.publicApiKey },
    body: graphqlBody(MOVIES_QUERY),
    connections: env.config.connections,
    duration: env.config.duration,
    expectBody,
  };
}

function coresText(cores: CoresUsed): string {
  return Object.entries(cores)
    .map(([name, n]) => `${name} ${n.toFixed(2)}`)
    .join(', ');
}

/** P5: p99 ÷ p50 at 70% of the API's measured maximum rate, for `latencyDuration` seconds. */
export async function latencyFigure(env: BenchEnv): Promise<Figure> {
  const api = await env.startApi();
  try {
    const body = await postGraphql(
      `${api.url}/graphql`,
      env.publicApiKey,
      graphqlBody(MOVIES_QUERY),
    );
    const load = moviesLoad(env, api.url, body);
    if (env.apiMaxRps === undefined) {
      env.apiMaxRps = assertClean('API max rate', await warmThenRun(load, env.config.warmup)).rps;
    } else {
      await warmThenRun({ ...load, duration: env.config.warmup }, 0);
    }
    const rate = Math.max(1, Math.round(env.apiMaxRps * 0.7));
    const fixedRate = await measureCores({ api: api.pid, database: env.mongo.pid }, () =>
      runLoad({ ...load, duration: env.config.latencyDuration, overallRate: rate }),
    );
    const result = assertClean('API at 70% rate', fixedRate.result);
    const used = fixedRate.cores;
    const busy = used ? Object.values(used).reduce((sum, n) => sum + n, 0) : null;
    return ratioFigure({
      id: 'P5',
      title: `p99 ÷ p50 latency at 70% of the maximum rate (${rate} req/s for ${env.config.latencyDuration} s)`,
      measured: { label: 'p99', value: result.p99, unit: 'ms' },
      baseline: { label: 'p50', value: result.p50, unit: 'ms' },
      goal: goal('<=', 3),
      details: {
        rate,
        maxRps: Math.round(env.apiMaxRps),
        achievedRps: Math.round(result.rps),
        p90ms: result.p90,
        seconds: result.seconds,
        coresUsed: used,
      },
      analysis:
        `Measured at ${rate} req/s: p50 ${formatNumber(result.p50)} ms, p90 ` +
        `${formatNumber(result.p90)} ms, p99 ${formatNumber(result.p99)} ms. ` +
        (used && busy !== null
          ? `The API, the embedded database and the load generator kept ${formatNumber(busy)} ` +
            `of the ${os.availableParallelism()} cores busy on average (${coresText(used)}), ` +
            'so a request that arrives while the API or the database is paused (garbage ' +
            'collection in either, or a core taken by another of the three processes) waits ' +
            'for the ones ahead of it; those waits make the tail. '
          : '') +
        'p99 ÷ p50 is a ratio of two small numbers: a few milliseconds of such pauses move it ' +
        'a lot, and other processes on a shared machine add their own spikes.',
    });
  } finally {
    await api.stop();
  }
}
