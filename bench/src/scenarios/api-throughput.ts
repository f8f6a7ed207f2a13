import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchEnv } from '../bench-env';
import { postGraphql } from '../bench-env';
import { startChild } from '../children';
import type { Figure } from '../figure';
import { measureCores, warmThenRunMeasured } from '../cpu';
import type { CoresUsed } from '../cpu';
import { formatNumber, goal, ratioFigure } from '../figure';
import { assertClean, runLoad, warmThenRun } from '../load';
import type { LoadOptions, LoadResult } from '../load';
import { graphqlBody, MOVIES_QUERY } from '../queries';

function moviesLoad(env: BenchEnv, baseUrl: string, expectBody: string): LoadOptions {
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

function details(result: LoadResult): Record<string, number> {
  return {
    rps: Math.round(result.rps),
    p50ms: result.p50,
    p99ms: result.p99,
    requests: result.total,
  };
}

/**
 * P1 (API ÷ raw node:http sending the same bytes) and P2 (API ÷ plain express running the same
 * driver queries). The API's response is captured once and every run checks each body against
 * it, so all three servers provably answer the same bytes.
 */
export async function apiThroughputFigures(env: BenchEnv): Promise<Figure[]> {
  const figures: Figure[] = [];
  const only = env.config.only;
  const api = await env.startApi();
  let body: string;
  let apiResult: LoadResult;
  let apiCores: CoresUsed | null;
  try {
    body = await postGraphql(`${api.url}/graphql`, env.publicApiKey, graphqlBody(MOVIES_QUERY));
    const measured = await warmThenRunMeasured(moviesLoad(env, api.url, body), env.config.warmup, {
      api: api.pid,
      database: env.mongo.pid,
    });
    apiResult = assertClean('API movies(first: 20)', measured.result);
    apiCores = measured.cores;
    env.apiMaxRps = apiResult.rps;
  } finally {
    await api.stop();
  }

  if (!only || only.has('P1')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-p1-'));
    const file = path.join(dir, 'body.json');
    writeFileSync(file, body);
    const raw = await startChild('raw-http', {
      env: { BENCH_BODY_FILE: file },
      nodeArgs: env.nodeArgs('raw-http'),
    });
    try {
      const rawMeasured = await warmThenRunMeasured(
        moviesLoad(env, raw.url, body),
        env.config.warmup,
        { raw: raw.pid },
      );
      const rawResult = assertClean('raw node:http', rawMeasured.result);
      figures.push(
        ratioFigure({
          id: 'P1',
          title: 'movies(first: 20) through the API ÷ raw node:http answering the same bytes',
          measured: { label: 'API', value: apiResult.rps, unit: 'req/s' },
          baseline: { label: 'raw node:http', value: rawResult.rps, unit: 'req/s' },
          goal: goal('>=', 0.3),
          details: {
            api: details(apiResult),
            raw: details(rawResult),
            responseBytes: Buffer.byteLength(body),
            coresUsed: { api: apiCores, raw: rawMeasured.cores },
          },
          analysis: rawAnalysis(apiResult.rps, apiCores, rawResult.rps, rawMeasured.cores),
        }),
      );
    } finally {
      await raw.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  if (!only || only.has('P2')) {
    const plain = await startChild('plain-express', {
      env: { BENCH_MONGO_URI: env.mongoUri, BENCH_DB_NAME: env.dbName },
      nodeArgs: env.nodeArgs('plain-express'),
    });
    try {
      // The plain handler must produce exactly the API's bytes, or the comparison is unfair.
      const plainBody = await postGraphql(`${plain.url}/graphql`, '', graphqlBody(MOVIES_QUERY));
      if (plainBody !== body)
        throw new Error('P2: the plain express body differs from the API body');
      const plainMeasured = await warmThenRunMeasured(
        moviesLoad(env, plain.url, body),
        env.config.warmup,
        { plain: plain.pid, database: env.mongo.pid },
      );
      const plainResult = assertClean('plain express', plainMeasured.result);
      figures.push(
        ratioFigure({
          id: 'P2',
          title:
            'movies(first: 20) through the API ÷ plain express running the same driver queries',
          measured: { label: 'API', value: apiResult.rps, unit: 'req/s' },
          baseline: { label: 'plain express', value: plainResult.rps, unit: 'req/s' },
          goal: goal('>=', 0.6),
          details: {
            api: details(apiResult),
            plain: details(plainResult),
            coresUsed: { api: apiCores, plain: plainMeasured.cores },
          },
          analysis: plainAnalysis(apiResult.rps, apiCores, plainResult.rps, plainMeasured.cores),
        }),
      );
    } finally {
      await plain.stop();
    }
  }
  return figures;
}

/** CPU milliseconds per request that `names` (processes in `cores`) spent together. */
function cpuMsPerRequest(cores: CoresUsed, names: string[], rps: number): number {
  return (names.reduce((sum, name) => sum + (cores[name] ?? 0), 0) * 1000) / rps;
}

function coresText(cores: CoresUsed): string {
  return Object.entries(cores)
    .map(([name, n]) => `${name} ${n.toFixed(2)}`)
    .join(', ');
}

/** P1's analysis: what the API runs, and where the machine's cores went in both runs. */
function rawAnalysis(
  apiRps: number,
  apiCores: CoresUsed | null,
  rawRps: number,
  rawCores: CoresUsed | null,
): string {
  const cause =
    'The raw server writes bytes it holds in memory; the API runs express 5 (router, JSON body ' +
    'parser), pino-http, helmet, the API key and context, Apollo (request pipeline, cache-control ' +
    'plugin, JSON serialisation), graphql-js execution and two database round trips (a lean find ' +
    'of 21 movies and countDocuments for totalCount) on the embedded database, another Node ' +
    'process on the same cores.';
  if (!apiCores || !rawCores) return cause;
  const cores = os.availableParallelism();
  const apiMs = cpuMsPerRequest(apiCores, ['api', 'database'], apiRps);
  const rawMs = cpuMsPerRequest(rawCores, ['raw'], rawRps);
  const target = 0.3 * rawRps;
  // The load generator's CPU grows with the rate it drives; at the goal's rate it would need
  // its per-request cost times that rate, and the API and the database get the rest.
  const generatorAtTarget = (target * (rawCores.loadGenerator ?? 0)) / rawRps;
  const budgetMs = (Math.max(0, cores - generatorAtTarget) * 1000) / target;
  return (
    `${cause} Cores used on average (of ${cores}; from /proc, in details.coresUsed): API run ` +
    `${coresText(apiCores)}; raw run ${coresText(rawCores)}. Per request the API and the ` +
    `database spend ${formatNumber(apiMs)} ms of CPU, the raw server ${formatNumber(rawMs)} ms. ` +
    `The goal means ${formatNumber(target)} req/s; at that rate the load generator alone would ` +
    `take about ${formatNumber(generatorAtTarget)} cores, leaving ${formatNumber(budgetMs)} ms ` +
    `of CPU per request for the API and the database together, ${formatNumber(apiMs / budgetMs)}× ` +
    'less than they use now. ' +
    (apiMs / budgetMs > 3
      ? 'That is out of reach for a GraphQL server that queries a database on every request on ' +
        'this 2-core machine, where the API, the embedded database and the load generator share ' +
        'the cores; only answering repeated public reads from memory before express and Apollo ' +
        'run (which the API does not do) could come near it.'
      : 'That would take a large cut in the API’s per-request CPU.')
  );
}

/** P2's analysis: the same database work on both sides, so the gap is the API's own CPU. */
function plainAnalysis(
  apiRps: number,
  apiCores: CoresUsed | null,
  plainRps: number,
  plainCores: CoresUsed | null,
): string {
  const cause =
    'Both sides run the same MovieService queries (a lean find of 21 movies, countDocuments) ' +
    "and send the same bytes, so the gap is the API's own per-request CPU (express middleware, " +
    'Apollo, graphql-js, type-graphql), which on 2 cores also takes CPU from the embedded ' +
    'database. BENCH_PROFILE=1 gives its breakdown.';
  if (!apiCores || !plainCores) return cause;
  return (
    `${cause} Cores used on average (details.coresUsed): API run ${coresText(apiCores)}; plain ` +
    `run ${coresText(plainCores)}. CPU per request, server process only: API ` +
    `${formatNumber(cpuMsPerRequest(apiCores, ['api'], apiRps))} ms, plain express ` +
    `${formatNumber(cpuMsPerRequest(plainCores, ['plain'], plainRps))} ms; database per ` +
    `request: ${formatNumber(cpuMsPerRequest(apiCores, ['database'], apiRps))} ms and ` +
    `${formatNumber(cpuMsPerRequest(plainCores, ['database'], plainRps))} ms.`
  );
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
