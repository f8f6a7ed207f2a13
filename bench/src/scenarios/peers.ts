import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anonymousCatalogRequest } from '../anonymous-catalog';
import type { BenchEnv } from '../bench-env';
import { postGraphql } from '../bench-env';
import { startChild } from '../children';
import type { ChildServer } from '../children';
import { measureCores } from '../cpu';
import type { CoresUsed } from '../cpu';
import type { Figure } from '../figure';
import { formatNumber, goal, median, ratioFigure } from '../figure';
import { assertClean, runLoad } from '../load';
import type { LoadOptions, LoadResult } from '../load';
import { graphqlBody, MOVIES_QUERY } from '../queries';
import type { PeerRow, PeerTable } from '../report';
import { moviesLoad } from './api-throughput';

/** The servers of the comparison, each in its own process. */
type ServerKey =
  'api' | 'apiUncached' | 'apollo' | 'yoga' | 'mercurius' | 'plain' | 'raw' | 'rawCatalog';

/** One server answering one request: a run of every round. */
interface Contender {
  /** Key in the results (details.rounds, the peer table). */
  key: string;
  server: string;
  request: string;
  /** The run whose rate this one is divided by in the peer table (the API's on the same request). */
  versus: string;
  child: ChildServer;
  load: LoadOptions;
}

/** One contender's measured run in one round. */
interface RoundRun {
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  /** Cores used (server, database, load generator), from /proc. */
  cores: CoresUsed | null;
}

const REQUEST_MOVIES = 'movies(first: 20), public key';
const REQUEST_ANONYMOUS = 'anonymous catalog';

/** What each figure needs running (the API always runs: every figure divides its rate). */
const NEEDS: Record<string, string[]> = {
  P1: ['raw'],
  P1a: ['apiUncached', 'apollo'],
  P1b: ['apiUncached', 'yoga'],
  P1m: ['apiUncached', 'mercurius'],
  P1c: ['apiCatalog', 'rawCatalog'],
  P1cm: ['apiCatalog', 'mercuriusCatalog'],
  P2: ['apiUncached', 'plain'],
};

/**
 * The API without its public response cache (`RESPONSE_CACHE_MAX_BYTES=0`): the goals
 * for the peers and plain express are the uncached path's, and MOVIES_QUERY with the public
 * key alone is a public read the cache would otherwise answer from memory.
 */
const CACHE_OFF = { RESPONSE_CACHE_MAX_BYTES: '0' };

function wanted(env: BenchEnv, key: string): boolean {
  const only = env.config.only;
  if (key === 'api') return true;
  return Object.entries(NEEDS).some(([id, keys]) => (!only || only.has(id)) && keys.includes(key));
}

/** Fails unless `actual` is exactly the API's answer, naming the first byte that differs. */
function assertSameBytes(label: string, actual: string, expected: string): void {
  if (actual === expected) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at += 1;
  throw new Error(
    `${label} answers other bytes than the API (first difference at byte ${at}: ` +
      `${JSON.stringify(actual.slice(Math.max(0, at - 30), at + 30))} vs ` +
      `${JSON.stringify(expected.slice(Math.max(0, at - 30), at + 30))})`,
  );
}

async function postRaw(url: string, load: LoadOptions): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: load.headers, body: load.body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Writes `body` where a raw-http child can read it; returns the file and a clean-up. */
function bodyFile(body: string): { file: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-peers-'));
  const file = path.join(dir, 'body.json');
  writeFileSync(file, body);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function spreadOf(values: number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Average cores of each process over the rounds (for the P1/P2 analyses). */
function averageCores(runs: RoundRun[]): CoresUsed | null {
  if (runs.some((run) => run.cores === null)) return null;
  const sums: CoresUsed = {};
  for (const run of runs) {
    for (const [name, n] of Object.entries(run.cores ?? {})) sums[name] = (sums[name] ?? 0) + n;
  }
  return Object.fromEntries(
    Object.entries(sums).map(([name, n]) => [name, Math.round((n / runs.length) * 100) / 100]),
  );
}

/** CPU ms per request of the server process (`server` in `cores`), or null without /proc. */
function serverMs(run: RoundRun): number | null {
  const cores = run.cores?.server;
  return cores === undefined ? null : (cores * 1000) / run.rps;
}

/**
 * The server comparison: the API, its peers (Apollo Server 5 + express with a plain SDL
 * schema, GraphQL Yoga 5, Mercurius 16 with graphql-jit) and the limits (plain express running
 * the same driver queries, raw node:http answering the API's bytes from memory), each in its
 * own process on the same database and data, serving MOVIES_QUERY through the API's own
 * MovieService; and the anonymous catalog (the render server's CatalogPublic call for a
 * visitor without a session) through the API, Mercurius and raw node:http. Every body is
 * checked against the API's answer, before the rounds and in every run. Each round runs every
 * server once, in turn (every other round in reverse order, so a drift in the machine's load
 * falls on all alike); the figures are the medians of the per-round ratios, with their range.
 * Produces P1 (÷ raw), P1a (÷ Apollo plain), P1b (÷ Yoga), P1m (÷ Mercurius), P1c (anonymous
 * catalog ÷ raw), P1cm (anonymous catalog ÷ Mercurius) and P2 (÷ plain express), those that
 * BENCH_ONLY selects.
 */
export async function peerFigures(env: BenchEnv): Promise<Figure[]> {
  const { config } = env;
  const started: ChildServer[] = [];
  const cleanups: (() => void)[] = [];
  const start = async (name: string, extra: Record<string, string> = {}): Promise<ChildServer> => {
    const child = await startChild(name, {
      env: { BENCH_MONGO_URI: env.mongoUri, BENCH_DB_NAME: env.dbName, ...extra },
      nodeArgs: env.nodeArgs(name),
    });
    started.push(child);
    return child;
  };
  try {
    const api = await env.startApi();
    started.push(api);
    const moviesBody = await postGraphql(
      `${api.url}/graphql`,
      env.publicApiKey,
      graphqlBody(MOVIES_QUERY),
    );
    const children: Partial<Record<ServerKey, ChildServer>> = { api };
    if (wanted(env, 'apiUncached')) {
      const uncached = await env.startApi(CACHE_OFF, 'api-uncached');
      started.push(uncached);
      children.apiUncached = uncached;
    }
    for (const [key, name] of [
      ['apollo', 'apollo-plain'],
      ['yoga', 'yoga'],
      ['plain', 'plain-express'],
    ] as const) {
      if (wanted(env, key)) children[key] = await start(name);
    }
    if (wanted(env, 'mercurius') || wanted(env, 'mercuriusCatalog')) {
      children.mercurius = await start('mercurius', {
        BENCH_PERSISTED_DOCUMENTS: env.apiConfig.persistedDocuments.manifestPath,
      });
    }
    if (wanted(env, 'raw')) {
      const { file, remove } = bodyFile(moviesBody);
      cleanups.push(remove);
      children.raw = await start('raw-http', { BENCH_BODY_FILE: file });
    }
    const catalog = wanted(env, 'apiCatalog')
      ? await anonymousCatalogRequest(env, api.url)
      : undefined;
    if (catalog && wanted(env, 'rawCatalog')) {
      const { file, remove } = bodyFile(catalog.response);
      cleanups.push(remove);
      children.rawCatalog = await start('raw-http', { BENCH_BODY_FILE: file });
    }

    const contenders: Contender[] = [];
    const add = (
      key: string,
      server: string,
      child: ChildServer | undefined,
      anonymous: boolean,
      versus = anonymous ? 'apiCatalog' : 'apiUncached',
    ): void => {
      if (!child) return;
      const load: LoadOptions = anonymous
        ? {
            url: `${child.url}/graphql`,
            method: 'POST',
            headers: catalog?.headers,
            body: catalog?.body,
            connections: config.connections,
            duration: config.duration,
            expectBody: catalog?.response,
          }
        : moviesLoad(env, child.url, moviesBody);
      contenders.push({
        key,
        server,
        request: anonymous ? REQUEST_ANONYMOUS : REQUEST_MOVIES,
        versus,
        child,
        load,
      });
    };
    // Movie rows are divided by the uncached API's rate when it ran, else by the API's.
    const moviesVersus = children.apiUncached ? 'apiUncached' : 'api';
    add('api', 'this API', children.api, false, moviesVersus);
    add('apiUncached', 'this API, response cache off', children.apiUncached, false);
    add('apollo', 'Apollo Server 5 + express 5, plain SDL', children.apollo, false, moviesVersus);
    add('yoga', 'GraphQL Yoga 5', children.yoga, false, moviesVersus);
    if (wanted(env, 'mercurius'))
      add('mercurius', 'Mercurius 16 + graphql-jit', children.mercurius, false, moviesVersus);
    add('plain', 'plain express, same queries', children.plain, false, moviesVersus);
    add('raw', 'raw node:http, bytes from memory', children.raw, false, moviesVersus);
    if (catalog) {
      add('apiCatalog', 'this API', children.api, true);
      if (wanted(env, 'mercuriusCatalog')) {
        add('mercuriusCatalog', 'Mercurius 16 + graphql-jit (uncached)', children.mercurius, true);
      }
      add('rawCatalog', 'raw node:http, bytes from memory', children.rawCatalog, true);
    }

    // Same bytes or no comparison: each server's answer must be the API's, byte for byte.
    for (const contender of contenders) {
      if (contender.key === 'api' || contender.key === 'apiCatalog') continue;
      const body = await postRaw(contender.load.url, contender.load);
      assertSameBytes(contender.server, body, contender.load.expectBody ?? '');
    }
    // One unmeasured warm-up each (JIT, graphql-jit's compilation, connection pools).
    for (const contender of contenders) {
      await runLoad({ ...contender.load, duration: config.warmup, expectBody: undefined });
    }

    const runs: Record<string, RoundRun[]> = Object.fromEntries(
      contenders.map((contender) => [contender.key, []]),
    );
    const loadAverage: PeerTable['loadAverage'] = [];
    const emptyRuns: string[] = [];
    for (let round = 0; round < config.rounds; round += 1) {
      const before = os.loadavg().map((n) => Math.round(n * 100) / 100);
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const contender of order) {
        const measure = () =>
          measureCores({ server: contender.child.pid, database: env.mongo.pid }, () =>
            runLoad(contender.load),
          );
        let measured = await measure();
        // A run in which nothing completed and nothing failed saw the server stalled for the
        // whole run (on a busy shared machine, in sub-second quick runs): run it once more,
        // and say so in the details, rather than lose every figure of the step.
        if (measured.result.total === 0 && measured.result.failures === 0) {
          emptyRuns.push(`${contender.key} round ${round + 1}`);
          measured = await measure();
        }
        const result: LoadResult = assertClean(
          `${contender.server} (${contender.request}), round ${round + 1}`,
          measured.result,
        );
        runs[contender.key]?.push({
          rps: Math.round(result.rps),
          p50ms: result.p50,
          p99ms: result.p99,
          requests: result.total,
          cores: measured.cores,
        });
      }
      loadAverage.push({ before, after: os.loadavg().map((n) => Math.round(n * 100) / 100) });
    }

    const rpsOf = (key: string): number[] => (runs[key] ?? []).map((run) => run.rps);
    const rows: PeerRow[] = contenders.map((contender) => {
      const own = rpsOf(contender.key);
      const api = rpsOf(contender.versus);
      const cpu = (runs[contender.key] ?? []).map(serverMs);
      return {
        server: contender.server,
        request: contender.request,
        rps: spreadOf(own),
        cpuMsPerRequest: cpu.some((ms) => ms === null) ? null : median(cpu as number[]),
        vsApi: spreadOf(own.map((rps, i) => rps / (api[i] ?? Number.NaN))),
      };
    });
    const table: PeerTable = { rounds: config.rounds, loadAverage, rows };
    env.peers = table;
    env.apiMaxRps = median(rpsOf('api'));

    const byKey = new Map(contenders.map((contender) => [contender.key, contender]));
    const figure = (
      id: string,
      measuredKey: string,
      baselineKey: string,
      target: ReturnType<typeof goal>,
      title: string,
      analysis: (m: ComparedRuns) => string,
    ): Figure | null => {
      if (config.only && !config.only.has(id)) return null;
      const measured = byKey.get(measuredKey);
      const baseline = byKey.get(baselineKey);
      if (!measured || !baseline) return null;
      const a = runs[measuredKey] ?? [];
      const b = runs[baselineKey] ?? [];
      const compared: ComparedRuns = {
        measuredRps: median(a.map((run) => run.rps)),
        baselineRps: median(b.map((run) => run.rps)),
        measuredCores: averageCores(a),
        baselineCores: averageCores(b),
        measuredServer: measured.server,
        baselineServer: baseline.server,
      };
      return ratioFigure({
        id,
        title,
        measured: { label: measured.server, value: compared.measuredRps, unit: 'req/s' },
        baseline: { label: baseline.server, value: compared.baselineRps, unit: 'req/s' },
        goal: target,
        rounds: a.map((run, i) => run.rps / (b[i]?.rps ?? Number.NaN)),
        details: {
          rounds: config.rounds,
          [measuredKey]: a,
          [baselineKey]: b,
          loadAverage,
          ...(emptyRuns.length > 0 ? { emptyRunsRepeated: emptyRuns } : {}),
          ...(measured.request === REQUEST_ANONYMOUS && catalog
            ? { request: { headers: redactKey(catalog.headers), body: catalog.body } }
            : {}),
          responseBytes: Buffer.byteLength(measured.load.expectBody ?? ''),
        },
        analysis: analysis(compared),
      });
    };
    const figures = [
      figure(
        'P1',
        'api',
        'raw',
        goal('>=', 0.3),
        'movies(first: 20) through the API ÷ raw node:http answering the same bytes',
        rawAnalysis,
      ),
      figure(
        'P1a',
        'apiUncached',
        'apollo',
        goal('>=', 1.2),
        'movies(first: 20) through the API (response cache off) ÷ Apollo Server 5 + express 5 with a plain SDL schema',
        peerAnalysis,
      ),
      figure(
        'P1b',
        'apiUncached',
        'yoga',
        goal('>=', 1.2),
        'movies(first: 20) through the API (response cache off) ÷ GraphQL Yoga 5 with the same SDL',
        peerAnalysis,
      ),
      figure(
        'P1m',
        'apiUncached',
        'mercurius',
        goal('>=', 1),
        'movies(first: 20) through the API (response cache off) ÷ Mercurius 16 + graphql-jit (stretch goal)',
        peerAnalysis,
      ),
      figure(
        'P1c',
        'apiCatalog',
        'rawCatalog',
        goal('>=', 0.3),
        'the anonymous catalog (the render server’s call) through the API ÷ raw node:http',
        anonymousAnalysis,
      ),
      figure(
        'P1cm',
        'apiCatalog',
        'mercuriusCatalog',
        goal('>=', 2),
        'the anonymous catalog through the API ÷ Mercurius 16 + graphql-jit, uncached',
        anonymousAnalysis,
      ),
      figure(
        'P2',
        'apiUncached',
        'plain',
        // Issue 13 raised it from 0.6.
        goal('>=', 0.8),
        'movies(first: 20) through the API (response cache off) ÷ plain express running the same driver queries',
        plainAnalysis,
      ),
    ];
    return figures.filter((f): f is Figure => f !== null);
  } finally {
    for (const child of started.reverse()) await child.stop();
    for (const cleanup of cleanups) cleanup();
  }
}

/** The request as recorded, without the key's secret (the details go into results files). */
function redactKey(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      name === 'x-api-key' ? '(the render key)' : value,
    ]),
  );
}

/** Both sides of a figure, over the rounds. */
interface ComparedRuns {
  measuredRps: number;
  baselineRps: number;
  /** Average cores per process over the rounds (`server`, `database`, `loadGenerator`). */
  measuredCores: CoresUsed | null;
  baselineCores: CoresUsed | null;
  measuredServer: string;
  baselineServer: string;
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

/** Where the cores went on both sides, and each side's CPU per request. */
function cpuText(m: ComparedRuns): string {
  if (!m.measuredCores || !m.baselineCores) return '';
  return (
    ` Cores used on average over the rounds (of ${os.availableParallelism()}; from /proc): ` +
    `${m.measuredServer} ${coresText(m.measuredCores)}; ${m.baselineServer} ` +
    `${coresText(m.baselineCores)}. CPU per request, server process only: ` +
    `${formatNumber(cpuMsPerRequest(m.measuredCores, ['server'], m.measuredRps))} ms against ` +
    `${formatNumber(cpuMsPerRequest(m.baselineCores, ['server'], m.baselineRps))} ms; the ` +
    `database: ${formatNumber(cpuMsPerRequest(m.measuredCores, ['database'], m.measuredRps))} ` +
    `ms and ${formatNumber(cpuMsPerRequest(m.baselineCores, ['database'], m.baselineRps))} ms.`
  );
}

/** P1's analysis: what the API runs, and what the goal leaves per request on this machine. */
function rawAnalysis(m: ComparedRuns): string {
  const cause =
    'The raw server writes bytes it holds in memory. The API logs the request and, for a ' +
    'public read it has answered before, replays the kept answer before express runs (parsing ' +
    'the JSON body, looking up the API key, charging the request budget, and reading the ' +
    "catalog's change counter at most once per RESPONSE_CACHE_VERSION_TRUST_MS); otherwise it " +
    'runs express 5 (router, JSON body parser), helmet, the API key and context, Apollo ' +
    '(request pipeline, plugins, JSON serialisation), graphql-jit and a lean find of 21 movies ' +
    '(the count is kept per catalog version) on the embedded database, another Node process on ' +
    'the same cores.';
  if (!m.measuredCores || !m.baselineCores) return cause;
  const cores = os.availableParallelism();
  const apiMs = cpuMsPerRequest(m.measuredCores, ['server', 'database'], m.measuredRps);
  const target = 0.3 * m.baselineRps;
  // The load generator's CPU grows with the rate it drives; at the goal's rate it would need
  // its per-request cost times that rate, and the API and the database get the rest.
  const generatorAtTarget = (target * (m.baselineCores.loadGenerator ?? 0)) / m.baselineRps;
  const budgetMs = (Math.max(0, cores - generatorAtTarget) * 1000) / target;
  return (
    `${cause}${cpuText(m)} The goal means ${formatNumber(target)} req/s; at that rate the load ` +
    `generator alone would take about ${formatNumber(generatorAtTarget)} cores, leaving ` +
    `${formatNumber(budgetMs)} ms of CPU per request for the API and the database together ` +
    `(they use ${formatNumber(apiMs)} ms now). ` +
    (apiMs / budgetMs > 3
      ? 'That is out of reach on this 2-core machine, where the API, the embedded database and ' +
        'the load generator share the cores, even with repeated public reads answered from ' +
        'memory before express and Apollo run.'
      : 'What is left of a kept answer is mostly Node’s own HTTP work (parsing, headers, the ' +
        'socket write) and garbage collection, beside the body read, the key and budget ' +
        'checks and the request log.')
  );
}

/** P1a, P1b, P1m: the same query, the same driver calls, so the gap is the stack above them. */
function peerAnalysis(m: ComparedRuns): string {
  return (
    `Both servers run the same document through the API's MovieService (the same lean find on ` +
    `the same embedded database) and answer the same bytes. The peers count the matching movies ` +
    `on every request (countDocuments); the API counts once per value of the catalog's change ` +
    `counter (read at most once per RESPONSE_CACHE_VERSION_TRUST_MS), one database command per ` +
    `request fewer. Above the driver the API runs its request logger, express middleware (body ` +
    `parsing, helmet), API key, context and limits, Apollo's pipeline and plugins, ` +
    `type-graphql's resolver wrappers and graphql-jit, against ${m.baselineServer}'s own stack ` +
    `with no such features. On 2 shared cores a server's CPU also takes cores from the database and the ` +
    `load generator. The API runs with its public response cache off ` +
    `(RESPONSE_CACHE_MAX_BYTES=0): the request is a key-only public read the cache would ` +
    `otherwise answer from memory, and this goal is the uncached path's.` +
    `${cpuText(m)} BENCH_PROFILE=1 gives each server's profile.`
  );
}

/** P1c, P1cm: the anonymous catalog, which the API may answer from a public response cache. */
function anonymousAnalysis(m: ComparedRuns): string {
  return (
    'The request is the render server’s own call for an anonymous visitor (its Apollo Client, ' +
    'the render key, CatalogPublic by its persisted id, the catalog’s first page of 12 with ' +
    'movieTags; details.request). The API marks that answer public; unless it answers such ' +
    'reads from a response cache, every request runs its full stack and three database ' +
    'commands (find, countDocuments, distinct), as the uncached Mercurius does on every ' +
    'request. The API answers a read it has answered before from memory, before express, ' +
    "while the catalog's change counter is unchanged; raw node:http writes the API's answer " +
    `from memory.${cpuText(m)}`
  );
}

/** P2's analysis: the same database work on both sides, so the gap is the API's own CPU. */
function plainAnalysis(m: ComparedRuns): string {
  return (
    'Both sides run the same lean find of 21 movies and send the same bytes; plain express ' +
    "counts on every request, the API once per value of the catalog's change counter. The gap " +
    "is the API's own per-request CPU (request logger, express middleware, Apollo, " +
    'type-graphql, graphql-jit), which on 2 cores also takes CPU from the embedded database. ' +
    'The API runs with its public response cache off (RESPONSE_CACHE_MAX_BYTES=0), as for the ' +
    `peers. BENCH_PROFILE=1 gives its breakdown.${cpuText(m)}`
  );
}
