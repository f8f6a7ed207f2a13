import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { CatalogPublicDocument } from 'gateway-render/dist/src/__generated__/graphql';
import { createApiClient } from 'gateway-render/dist/src/apollo-client';
import { loadConfig as loadRenderConfig } from 'gateway-render/dist/src/config';
import {
  catalogVariables,
  parseCatalogQuery,
} from 'gateway-render/dist/src/pages/catalog/catalog-url';
import { publicMaxAge } from 'gateway-render/dist/src/shared/public-response-cache';
import { AppShell } from 'gateway-render/dist/src/shared/app-shell';
import type { BenchEnv } from '../bench-env';
import { startChild } from '../children';
import type { Figure } from '../figure';
import { formatNumber, goal, ratioFigure } from '../figure';
import { assertClean, opsPerSecond, warmThenRun } from '../load';
import type { LoadResult } from '../load';

/** The body and Cache-Control of the one API response `work` fetches. */
interface CapturedResponse {
  body: string;
  cacheControl: string | null;
}

/** Runs `work` while recording the body and Cache-Control of the one API response it fetches. */
async function captureResponse(work: () => Promise<unknown>): Promise<CapturedResponse> {
  const original = globalThis.fetch;
  let captured: CapturedResponse | undefined;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    captured = {
      body: await response.clone().text(),
      cacheControl: response.headers.get('cache-control'),
    };
    return response;
  };
  try {
    await work();
  } finally {
    globalThis.fetch = original;
  }
  if (captured === undefined) throw new Error('P6: the catalog query sent no request');
  return captured;
}

/**
 * The render server in front of a canned API: raw node:http answering the API's exact
 * response body, with `headers` (the real API's Cache-Control, or none).
 */
async function cannedApiRate(
  env: BenchEnv,
  renderEnv: Record<string, string>,
  apiResponse: string,
  headers: Record<string, string>,
  profileName: string,
): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-p6-'));
  const file = path.join(dir, 'catalog.json');
  writeFileSync(file, apiResponse);
  const stub = await startChild('raw-http', {
    env: { BENCH_BODY_FILE: file, BENCH_HEADERS: JSON.stringify(headers) },
  });
  try {
    const render = await startChild('render', {
      env: {
        BENCH_RENDER_ENV: JSON.stringify({ ...renderEnv, API_URL: `${stub.url}/graphql` }),
      },
      nodeArgs: env.nodeArgs(profileName),
    });
    try {
      return assertClean(
        `render server with a canned API (${profileName})`,
        await warmThenRun(
          {
            url: `${render.url}/`,
            headers: { accept: 'text/html' },
            connections: env.config.connections,
            duration: env.config.duration,
          },
          env.config.warmup,
        ),
      );
    } finally {
      await render.stop();
    }
  } finally {
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * P6: catalog pages per second from the render server (GET /, anonymous, through the real API)
 * ÷ a bare React `renderToString` of the same tree (AppShell with the catalog page) whose data
 * is already in an Apollo cache, looped in this process. The render server answers anonymous
 * pages from its cache of public API responses once the first request has filled it, so the
 * figure is the render server's own per-page cost; the details give the same server in front
 * of a canned API with and without the API's Cache-Control.
 */
/** The environment of a render server in production mode in front of the API at `apiUrl`. */
export function renderServerEnv(env: BenchEnv, apiUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    RENDER_PORT: '0',
    API_URL: `${apiUrl}/graphql`,
    RENDER_API_KEY_TOKEN: env.renderApiKey,
    COOKIE_SECRET: randomBytes(32).toString('base64url'),
    PUBLIC_ORIGIN: 'https://catalog.bench.test',
    LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
  };
}

export async function renderFigure(env: BenchEnv): Promise<Figure> {
  const api = await env.startApi();
  try {
    const renderEnv = renderServerEnv(env, api.url);
    const render = await startChild('render', {
      env: { BENCH_RENDER_ENV: JSON.stringify(renderEnv) },
      nodeArgs: env.nodeArgs('render'),
    });
    try {
      const page = await fetch(`${render.url}/`, { headers: { accept: 'text/html' } });
      const html = await page.text();
      if (page.status !== 200 || !html.includes('Bench movie')) {
        throw new Error(`P6: GET / answered ${page.status}: ${html.slice(0, 300)}`);
      }
      const server = assertClean(
        'render server GET /',
        await warmThenRun(
          {
            url: `${render.url}/`,
            headers: { accept: 'text/html' },
            connections: env.config.connections,
            duration: env.config.duration,
          },
          env.config.warmup,
        ),
      );

      // The bare render: the tree the render server renders for an anonymous GET / (the
      // CatalogPublic result and a signed-out viewer), then only renderToString: no HTTP, no
      // API call, no per-request client.
      const config = loadRenderConfig(renderEnv);
      const client = createApiClient(config, { resultCaching: false });
      const variables = catalogVariables(parseCatalogQuery({}));
      const apiResponse = await captureResponse(() =>
        client.query({ query: CatalogPublicDocument, variables }),
      );
      const catalog = await client.query({ query: CatalogPublicDocument, variables });
      const tree = createElement(AppShell, {
        page: { name: 'catalog', variables },
        data: { ...catalog.data, me: null },
        navigate: null,
      });
      const bare = renderToString(tree);
      if (!bare.includes('Bench movie')) throw new Error('P6: the bare render has no movies');
      const renderOnce = async (): Promise<void> => {
        renderToString(tree);
      };
      await opsPerSecond(env.config.warmup, 1, renderOnce);
      const baseline = await opsPerSecond(env.config.duration, 1, renderOnce);
      // Diagnostics: the same render server in front of a canned API (raw node:http sending the
      // API's exact CatalogPublic response), once with the real API's Cache-Control (like for
      // like: the public cache works as against the real API) and once without any, so every
      // page pays for an API call, as a signed-in person's page always does.
      const mirrored: Record<string, string> = apiResponse.cacheControl
        ? { 'cache-control': apiResponse.cacheControl }
        : {};
      const canned = await cannedApiRate(
        env,
        renderEnv,
        apiResponse.body,
        mirrored,
        'render-canned',
      );
      const uncached = await cannedApiRate(env, renderEnv, apiResponse.body, {}, 'render-uncached');
      const runSeconds = env.config.warmup + env.config.duration;
      return ratioFigure({
        id: 'P6',
        title: 'server-rendered catalog pages (GET /) ÷ bare renderToString of the same tree',
        measured: { label: 'render server', value: server.rps, unit: 'pages/s' },
        baseline: { label: 'renderToString', value: baseline.perSecond, unit: 'pages/s' },
        goal: goal('>=', 0.5),
        details: {
          server: { pagesPerSecond: Math.round(server.rps), p50ms: server.p50, p99ms: server.p99 },
          apiCacheControl: apiResponse.cacheControl,
          withCannedApi: {
            apiHeaders: mirrored,
            pagesPerSecond: Math.round(canned.rps),
            p50ms: canned.p50,
            p99ms: canned.p99,
            ratioToBareRender: round3(canned.rps / baseline.perSecond),
          },
          withoutAnyApiCache: {
            apiHeaders: {},
            pagesPerSecond: Math.round(uncached.rps),
            p50ms: uncached.p50,
            p99ms: uncached.p99,
            ratioToBareRender: round3(uncached.rps / baseline.perSecond),
          },
          msPerPage: {
            server: round3(1000 / server.rps),
            withoutAnyApiCache: round3(1000 / uncached.rps),
            bareRender: round3(1000 / baseline.perSecond),
          },
          serverHtmlBytes: Buffer.byteLength(html),
          bareHtmlBytes: Buffer.byteLength(bare),
        },
        analysis: renderAnalysis({
          cacheControl: apiResponse.cacheControl,
          runSeconds,
          serverRps: server.rps,
          cannedRps: canned.rps,
          uncachedRps: uncached.rps,
          bareRps: baseline.perSecond,
          serverHtmlBytes: Buffer.byteLength(html),
          bareHtmlBytes: Buffer.byteLength(bare),
          connections: env.config.connections,
        }),
      });
    } finally {
      await render.stop();
    }
  } finally {
    await api.stop();
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function ms(perSecond: number): string {
  return `${formatNumber(1000 / perSecond)} ms`;
}

/** P6's analysis, built from the run's own numbers and the API's actual Cache-Control. */
function renderAnalysis(m: {
  cacheControl: string | null;
  runSeconds: number;
  serverRps: number;
  cannedRps: number;
  uncachedRps: number;
  bareRps: number;
  serverHtmlBytes: number;
  bareHtmlBytes: number;
  connections: number;
}): string {
  const maxAge = publicMaxAge(m.cacheControl);
  const cc = `\`${m.cacheControl ?? '(no Cache-Control)'}\``;
  const cacheSentence =
    maxAge === null
      ? `Anonymous GET / asks the API CatalogPublic (no \`me\`); the API answered it ${cc}, ` +
        "which the render server's public response cache does not keep, so every page of the " +
        'run waited for an API call.'
      : `Anonymous GET / asks the API CatalogPublic (no \`me\`); the API answered it ${cc}, so ` +
        "the render server's PublicResponseCache answers every page after the first from " +
        `memory (max-age ${maxAge} s; each measured run lasts ${formatNumber(m.runSeconds)} s` +
        (maxAge >= m.runSeconds ? '' : ', so it asks the API again once per max-age') +
        '): P6 measures the render server with its public cache warm, the API out of the loop.';
  return [
    cacheSentence,
    `Per page the render server spends about ${ms(m.serverRps)} (1000 ÷ its rate, its one ` +
      `event loop kept busy by ${m.connections} connections, on cores shared with the load generator) ` +
      `against ${ms(m.bareRps)} for the bare renderToString of the same tree. The difference is ` +
      'what every page pays beyond the render: express 5 (its router, and res.send with its ' +
      "ETag), the request logger, helmet, compression's checks, the cookie and body parsers, " +
      'looking for a session cookie, the page data serialised into the page for hydration, and ' +
      'HTTP (a page answered from the public cache builds no Apollo client; one that calls the ' +
      "API builds its own, never shared, so no one sees another person's data) " +
      `(${formatNumber(m.serverHtmlBytes)} bytes of HTML against the bare ` +
      `${formatNumber(m.bareHtmlBytes)}). The goal would need all of that to cost no more than ` +
      'one bare render.',
    `In front of a canned API sending the real API's body and Cache-Control ` +
      `(details.withCannedApi) it renders ${formatNumber(m.cannedRps)} pages/s against ` +
      `${formatNumber(m.serverRps)} through the real API` +
      (Math.abs(m.cannedRps / m.serverRps - 1) <= 0.2
        ? ', about the same: the cache keeps the API out of the loop.'
        : ' (more than a fifth apart: the run was noisy, or the cache did not keep the API out).') +
      ' With the same canned API but no ' +
      'Cache-Control (details.withoutAnyApiCache: the render server without any API cache, ' +
      "every page a fetch and an Apollo query, as a signed-in person's page always is) it " +
      `renders ${formatNumber(m.uncachedRps)} pages/s, ${ms(m.uncachedRps)} per page.`,
  ].join(' ');
}
