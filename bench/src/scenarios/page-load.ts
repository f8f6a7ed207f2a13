import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { Browser, CDPSession } from 'playwright-core';
// The browser tests' own Chromium lookup, so the bench finds the same browser they do.
import { findChromium, HOW_TO_INSTALL } from 'gateway-render/dist/test/helpers/chromium';
import type { BenchEnv } from '../bench-env';
import { postGraphql } from '../bench-env';
import { startChild } from '../children';
import type { ChildServer } from '../children';
import { machineBusySince, machineCpuTicks } from '../cpu';
import type { Figure, Goal } from '../figure';
import { formatNumber, ratioFigure } from '../figure';
import { graphqlBody, MOVIES_QUERY } from '../queries';
import { renderServerEnv } from './render';

// The render server's own browser build, as the browser tests' global setup runs it: the root
// build (`tsc -b`) does not bundle the client, so without it P11 could time a stale bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildClient } = require('gateway-render/scripts/build-client.cjs') as {
  buildClient: () => Promise<string>;
};

/**
 * Lighthouse's mobile "Slow 4G" profile (its default mobile throttling: 150 ms RTT,
 * 1.6 Mbps down, 750 Kbps up, 4× CPU slowdown; Kbps of 1,024 bits as Lighthouse counts them),
 * in CDP's units. CDP's `latency` is added to every request, not to every round trip:
 * connection set-up on 127.0.0.1 costs nothing, so a real phone pays more per new connection.
 * Lighthouse's own DevTools mode therefore sets 562.5 ms (150 × 3.75) and 0.9× throughput; the
 * bench applies the profile's plain numbers, as the issue asks.
 */
export const SLOW_4G = {
  rttMs: 150,
  downloadKbps: 1.6 * 1024,
  uploadKbps: 750,
  cpuSlowdown: 4,
} as const;

/** The goals: interactive within 1.5 s, at most 60 KB (60,000 bytes) of gzipped JS. */
export const PAGE_LOAD_GOALS = { interactiveMs: 1500, gzipJsBytes: 60_000 } as const;

/**
 * The phone the layout checks use (390×844 CSS pixels), at a phone's pixel density, so
 * images chosen by `srcset` and the raster work are a phone's.
 */
const PHONE = { width: 390, height: 844, deviceScaleFactor: 3 } as const;

/** How long one page load may take before the run is an error (throttled, 4× CPU). */
const LOAD_TIMEOUT_MS = 60_000;

/**
 * The network is quiet once no request has been in flight for this long: posters and other
 * late requests started by the load or by hydration are counted too.
 */
const QUIET_MS = 500;

/** A resource type as the table groups transfer sizes. */
type Kind = 'document' | 'script' | 'stylesheet' | 'image' | 'font' | 'fetch' | 'other';

const KINDS: readonly Kind[] = [
  'document',
  'script',
  'stylesheet',
  'image',
  'font',
  'fetch',
  'other',
];

/** One request of a page load, as CDP's Network domain reported it. */
interface Resource {
  url: string;
  kind: Kind;
  mimeType: string;
  contentEncoding: string;
  status: number;
  /** Bytes received over the wire, headers included (`Network.loadingFinished.encodedDataLength`). */
  wireBytes: number;
  finished: boolean;
  failed: string | null;
}

/** One script's sizes: over the wire, decoded, and gzipped by the bench (zlib's default level). */
interface ScriptSize {
  path: string;
  contentEncoding: string;
  wireBytes: number;
  decodedBytes: number;
  gzipBytes: number;
}

/** What one cold-cache load of one page measured. */
interface PageRun {
  /** navigationStart → hydration committed (see {@link INIT_SCRIPT}). */
  interactiveMs: number;
  /** Where `interactiveMs` came from: the page's `performance.mark('hydrated')` or the observer. */
  interactiveSource: 'performance.mark' | 'MutationObserver';
  firstContentfulPaintMs: number | null;
  domContentLoadedMs: number;
  loadEventMs: number;
  bytesByKind: Record<Kind, number>;
  requestsByKind: Record<Kind, number>;
  totalWireBytes: number;
  scripts: ScriptSize[];
  /** Requests that failed (other hosts: the machine is offline, see {@link launchBrowser}). */
  failedRequests: { url: string; error: string }[];
  /** Cores the whole machine kept busy during the load (/proc/stat), or null off Linux. */
  machineBusyCores: number | null;
}

/** One page's runs and their medians. */
interface PageResult {
  name: string;
  path: string;
  runs: PageRun[];
  interactiveMs: number;
  firstContentfulPaintMs: number | null;
  loadEventMs: number;
  gzipJsBytes: number;
  wireJsBytes: number;
  bytesByKind: Record<Kind, number>;
  totalWireBytes: number;
}

/**
 * Runs before any of the page's scripts, in every document: resolves `__benchHydrated` with
 * `performance.now()` (milliseconds since navigationStart, the document's time origin) when
 * the page sets `<html data-hydrated="true">`, which gateway-render/src/client/main.tsx does in
 * an effect once hydration has committed. The observer's callback runs at the end of the task
 * that set the attribute, so the time is that task's end. The bench awaits the promise instead
 * of polling, so no polling work competes with the page for the throttled main thread.
 */
const INIT_SCRIPT = `(() => {
  let resolve;
  const hydrated = new Promise((r) => { resolve = r; });
  Object.defineProperty(window, '__benchHydrated', { value: hydrated });
  const observer = new MutationObserver(() => {
    if (document.documentElement && document.documentElement.dataset.hydrated === 'true') {
      observer.disconnect();
      resolve(performance.now());
    }
  });
  observer.observe(document, { attributes: true, attributeFilter: ['data-hydrated'], subtree: true });
})();`;

/**
 * The Performance API's view of the load, read in the page once it is hydrated and quiet. All
 * times count from navigationStart. Not responseStart: Chromium stamps it when the response
 * reaches its network service, before the emulated latency delays it, so it would read ~20 ms.
 */
const TIMINGS_SCRIPT = `(async () => {
  const observed = await window.__benchHydrated;
  const mark = performance.getEntriesByName('hydrated', 'mark')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    observed,
    mark: mark ? mark.startTime : null,
    fcp: fcp ? fcp.startTime : null,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
  };
})()`;

interface PageTimings {
  observed: number;
  mark: number | null;
  fcp: number | null;
  domContentLoaded: number;
  load: number;
}

function kindOf(cdpType: string | undefined, mimeType: string): Kind {
  // JavaScript by its content type too: a script fetched as "Other" still weighs as JS.
  if (cdpType === 'Script' || /javascript|ecmascript/i.test(mimeType)) return 'script';
  switch (cdpType) {
    case 'Document':
      return 'document';
    case 'Stylesheet':
      return 'stylesheet';
    case 'Image':
      return 'image';
    case 'Font':
      return 'font';
    case 'Fetch':
    case 'XHR':
      return 'fetch';
    default:
      return /^image\//i.test(mimeType) ? 'image' : 'other';
  }
}

function byKind(): Record<Kind, number> {
  return Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function kb(bytes: number): string {
  return `${formatNumber(bytes / 1000)} KB`;
}

/**
 * Chromium found as the browser tests find it, or an error saying how to install it (a missing
 * browser makes P11 "not measured", never a silent pass).
 */
export async function chromiumForBench(): Promise<string> {
  // Awaited so that the lookup may become asynchronous (a Chromium unpacked from an npm package).
  const found = await findChromium();
  if (!found) throw new Error(`P11 needs Chromium and found none. ${HOW_TO_INSTALL}`);
  return found;
}

async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Every host but the render server's fails at once: the machine is offline, and the
      // bench's seeded covers point at example.com. Blocking them here, not with request
      // interception, keeps every request on Chromium's normal (throttled) network path.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** Resolves once no request has been in flight for {@link QUIET_MS} (or after `maxMs`). */
async function networkQuiet(resources: Map<string, Resource>, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const busy = [...resources.values()].some((r) => !r.finished && r.failed === null);
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Records every request of the page through CDP (network events are browser-side: no page work). */
function recordResources(cdp: CDPSession): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  cdp.on('Network.requestWillBeSent', (event) => {
    // data: URLs cost no transfer; redirects reuse the id and replace the entry.
    if (!/^https?:/.test(event.request.url)) return;
    resources.set(event.requestId, {
      url: event.request.url,
      kind: kindOf(event.type, ''),
      mimeType: '',
      contentEncoding: 'identity',
      status: 0,
      wireBytes: 0,
      finished: false,
      failed: null,
    });
  });
  cdp.on('Network.responseReceived', (event) => {
    const resource = resources.get(event.requestId);
    if (!resource) return;
    const headers = Object.fromEntries(
      Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    resource.mimeType = event.response.mimeType;
    resource.kind = kindOf(event.type, event.response.mimeType);
    resource.status = event.response.status;
    resource.contentEncoding = headers['content-encoding'] ?? 'identity';
  });
  cdp.on('Network.loadingFinished', (event) => {
    const resource = resources.get(event.requestId);
    if (!resource) return;
    resource.wireBytes = event.encodedDataLength;
    resource.finished = true;
  });
  cdp.on('Network.loadingFailed', (event) => {
    const resource = resources.get(event.requestId);
    if (resource) resource.failed = event.errorText;
  });
  return resources;
}

/**
 * One cold load: a new browser context (empty HTTP cache, no connections, no cookies), CPU
 * and network throttled through CDP before the navigation starts, then the page until it is
 * hydrated, loaded and its network quiet.
 */
async function loadOnce(browser: Browser, url: string, throttled: boolean): Promise<PageRun> {
  const context = await browser.newContext({
    viewport: { width: PHONE.width, height: PHONE.height },
    deviceScaleFactor: PHONE.deviceScaleFactor,
    isMobile: true,
    hasTouch: true,
  });
  try {
    await context.addInitScript(INIT_SCRIPT);
    const page = await context.newPage();
    // A page whose script throws never hydrates: its errors make the timeout say why.
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    const cdp = await context.newCDPSession(page);
    const resources = recordResources(cdp);
    await cdp.send('Network.enable');
    if (throttled) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: SLOW_4G.rttMs,
        // CDP wants bytes per second.
        downloadThroughput: (SLOW_4G.downloadKbps * 1024) / 8,
        uploadThroughput: (SLOW_4G.uploadKbps * 1024) / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW_4G.cpuSlowdown });
    }
    const machineBefore = machineCpuTicks();
    const response = await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
    if (response?.status() !== 200) {
      throw new Error(`P11: GET ${url} answered ${String(response?.status())}`);
    }
    const timings = (await withTimeout(
      page.evaluate(TIMINGS_SCRIPT),
      LOAD_TIMEOUT_MS,
      () =>
        `P11: ${url} never set <html data-hydrated="true"> (gateway-render/src/client/main.tsx)` +
        (pageErrors.length > 0 ? `; the page reported: ${pageErrors.join(' | ')}` : ''),
    )) as PageTimings;
    await networkQuiet(resources, LOAD_TIMEOUT_MS);
    const machineBusyCores = machineBusySince(machineBefore);

    const bytesByKind = byKind();
    const requestsByKind = byKind();
    const scripts: ScriptSize[] = [];
    const failedRequests: PageRun['failedRequests'] = [];
    for (const [requestId, resource] of resources) {
      if (resource.failed !== null) {
        failedRequests.push({ url: resource.url, error: resource.failed });
        continue;
      }
      if (!resource.finished) continue;
      bytesByKind[resource.kind] += resource.wireBytes;
      requestsByKind[resource.kind] += 1;
      if (resource.kind !== 'script') continue;
      // The decoded body, gzipped here: the goal's "gzipped JS" whatever the server sent
      // (uncompressed, gzip or brotli); the wire bytes are reported beside it.
      const body = (await cdp.send('Network.getResponseBody', { requestId })) as {
        body: string;
        base64Encoded: boolean;
      };
      const decoded = Buffer.from(body.body, body.base64Encoded ? 'base64' : 'utf8');
      scripts.push({
        path: new URL(resource.url).pathname,
        contentEncoding: resource.contentEncoding,
        wireBytes: resource.wireBytes,
        decodedBytes: decoded.length,
        gzipBytes: gzipSync(decoded).length,
      });
    }
    const interactiveSource = timings.mark === null ? 'MutationObserver' : 'performance.mark';
    return {
      interactiveMs: round1(timings.mark ?? timings.observed),
      interactiveSource,
      firstContentfulPaintMs: timings.fcp === null ? null : round1(timings.fcp),
      domContentLoadedMs: round1(timings.domContentLoaded),
      loadEventMs: round1(timings.load),
      bytesByKind,
      requestsByKind,
      totalWireBytes: KINDS.reduce((sum, kind) => sum + bytesByKind[kind], 0),
      scripts,
      failedRequests,
      machineBusyCores,
    };
  } finally {
    await context.close();
  }
}

/** `work`, or an error with `message()` (built when it fires, to include what happened). */
async function withTimeout<T>(work: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `runs` cold loads of one page after one unthrottled warm-up load; medians of each measure. */
async function measurePage(
  browser: Browser,
  origin: string,
  name: string,
  path: string,
  runs: number,
): Promise<PageResult> {
  // Warms the render server (its public API cache, JIT) and the OS's file cache for Chromium,
  // so the measured loads time the page, not a first request.
  await loadOnce(browser, `${origin}${path}`, false);
  const measured: PageRun[] = [];
  for (let i = 0; i < runs; i += 1)
    measured.push(await loadOnce(browser, `${origin}${path}`, true));
  const medianOf = (pick: (run: PageRun) => number) => round1(median(measured.map(pick)));
  const fcps = measured.map((run) => run.firstContentfulPaintMs);
  const sum = (scripts: ScriptSize[], pick: (s: ScriptSize) => number) =>
    scripts.reduce((total, script) => total + pick(script), 0);
  const bytesByKind = byKind();
  for (const kind of KINDS) bytesByKind[kind] = medianOf((run) => run.bytesByKind[kind]);
  return {
    name,
    path,
    runs: measured,
    interactiveMs: medianOf((run) => run.interactiveMs),
    firstContentfulPaintMs: fcps.every((fcp) => fcp !== null)
      ? round1(median(fcps as number[]))
      : null,
    loadEventMs: medianOf((run) => run.loadEventMs),
    gzipJsBytes: medianOf((run) => sum(run.scripts, (s) => s.gzipBytes)),
    wireJsBytes: medianOf((run) => sum(run.scripts, (s) => s.wireBytes)),
    bytesByKind,
    totalWireBytes: medianOf((run) => run.totalWireBytes),
  };
}

/** The goal a figure's ratio to its budget is held to: at most the budget. */
function withinBudget(budget: string): Goal {
  return { op: '<=', value: 1, text: `≤ 1 (${budget})` };
}

function timingDetails(page: PageResult, runs: number): Record<string, unknown> {
  const machine = page.runs.map((run) => run.machineBusyCores);
  return {
    path: page.path,
    runs,
    medians: {
      interactiveMs: page.interactiveMs,
      firstContentfulPaintMs: page.firstContentfulPaintMs,
      loadEventMs: page.loadEventMs,
      domContentLoadedMs: round1(median(page.runs.map((run) => run.domContentLoadedMs))),
    },
    interactiveSource: page.runs[0]?.interactiveSource,
    perRun: page.runs.map((run) => ({
      interactiveMs: run.interactiveMs,
      firstContentfulPaintMs: run.firstContentfulPaintMs,
      loadEventMs: run.loadEventMs,
      machineBusyCores: run.machineBusyCores,
    })),
    machineBusyCores: machine.every((cores) => cores !== null)
      ? round1(median(machine as number[]))
      : null,
  };
}

function transferDetails(page: PageResult): Record<string, unknown> {
  const last = page.runs[page.runs.length - 1];
  return {
    path: page.path,
    medianWireBytesByType: page.bytesByKind,
    medianTotalWireBytes: page.totalWireBytes,
    requestsByType: last?.requestsByKind,
    js: {
      gzipBytes: page.gzipJsBytes,
      wireBytes: page.wireJsBytes,
      scripts: last?.scripts,
    },
    failedRequests: last?.failedRequests.length ?? 0,
    failedHosts: [...new Set(last?.failedRequests.map((r) => new URL(r.url).host) ?? [])],
  };
}

function goalText(met: boolean): string {
  return met ? 'met' : 'not met';
}

function timingAnalysis(page: PageResult, context: string): string {
  const met = page.interactiveMs <= PAGE_LOAD_GOALS.interactiveMs;
  const fcp =
    page.firstContentfulPaintMs === null
      ? 'no First Contentful Paint reported'
      : `First Contentful Paint at ${formatNumber(page.firstContentfulPaintMs)} ms`;
  return (
    `Goal "interactive within 1.5 s": ${goalText(met)} (median ${formatNumber(page.interactiveMs)} ms). ` +
    `Interactive = navigationStart to the moment the page's hydration committed: ` +
    `\`performance.mark('hydrated')\` if the page sets it, else the end of the task that set ` +
    `<html data-hydrated="true"> (a MutationObserver injected before the page's scripts); from ` +
    `then on links and forms are handled by the page's script. It is not Lighthouse's TTI ` +
    `(which also waits for a 5 s window without long tasks). ${fcp}, load event at ` +
    `${formatNumber(page.loadEventMs)} ms, ${kb(page.totalWireBytes)} over the wire. ${context}`
  );
}

function transferAnalysis(page: PageResult): string {
  const met = page.gzipJsBytes <= PAGE_LOAD_GOALS.gzipJsBytes;
  const scripts = page.runs[page.runs.length - 1]?.scripts ?? [];
  const encodings = [...new Set(scripts.map((s) => s.contentEncoding))].join(', ') || 'none';
  const kinds = KINDS.filter((kind) => page.bytesByKind[kind] > 0)
    .map((kind) => `${kind} ${kb(page.bytesByKind[kind])}`)
    .join(', ');
  return (
    `Goal "at most 60 KB of gzipped JS": ${goalText(met)} (${kb(page.gzipJsBytes)} in ` +
    `${scripts.length} script${scripts.length === 1 ? '' : 's'}). Gzipped JS = every response ` +
    'the page loaded that Chromium typed as a script or that has a JavaScript content type, ' +
    "decoded and gzipped by the bench at zlib's default level (what `compression` sends), so it " +
    `does not depend on how the server encoded it (here: ${encodings}; ` +
    `${kb(page.wireJsBytes)} of JS over the wire, headers included). ` +
    `Over the wire by type (CDP encodedDataLength, headers included): ${kinds}.`
  );
}

/**
 * P11: the catalog (`/`) and a movie page (`/movies/<id>`) of the render server (production
 * settings, through a real API) loaded cold in headless Chromium with Lighthouse's mobile
 * "Slow 4G" profile and a 4× slower CPU: time to interactive against 1.5 s (P11a, P11b) and
 * gzipped JS against 60 KB (P11c, P11d). Each ratio is the measure ÷ its budget, held to ≤ 1;
 * a missed goal is reported, never a failed run.
 */
export async function pageLoadFigures(env: BenchEnv): Promise<Figure[]> {
  const executablePath = await chromiumForBench();
  await buildClient();
  const runs = Math.max(1, Math.round(env.config.pageLoadRuns));
  const loadAverageBefore = os.loadavg().map(round1);
  const started: ChildServer[] = [];
  let browser: Browser | undefined;
  try {
    const api = await env.startApi();
    started.push(api);
    const render = await startChild('render', {
      env: {
        BENCH_RENDER_ENV: JSON.stringify(renderServerEnv(env, api.url)),
      },
      nodeArgs: env.nodeArgs('render-p11'),
    });
    started.push(render);
    const movies = JSON.parse(
      await postGraphql(`${api.url}/graphql`, env.publicApiKey, graphqlBody(MOVIES_QUERY)),
    ) as { data: { movies: { edges: { node: { id: string } }[] } } };
    const movieId = movies.data.movies.edges[0]?.node.id;
    if (!movieId) throw new Error('P11: the API listed no movie');

    browser = await launchBrowser(executablePath);
    const catalog = await measurePage(browser, render.url, 'catalog', '/', runs);
    const movie = await measurePage(browser, render.url, 'movie page', `/movies/${movieId}`, runs);
    const loadAverageAfter = os.loadavg().map(round1);

    const setting = {
      network: {
        profile: 'Lighthouse mobile Slow 4G',
        latencyMsPerRequest: SLOW_4G.rttMs,
        downloadKbps: SLOW_4G.downloadKbps,
        uploadKbps: SLOW_4G.uploadKbps,
      },
      cpuSlowdown: SLOW_4G.cpuSlowdown,
      viewport: PHONE,
      browser: `${browser.version()} (${executablePath})`,
      cache: 'cold: a new browser context per load, after one unthrottled warm-up load',
      loadAverage: { before: loadAverageBefore, after: loadAverageAfter },
      cores: os.availableParallelism(),
    };
    const context =
      `Median of ${runs} cold load${runs === 1 ? '' : 's'} (a new browser context each) at a ` +
      `phone's ${PHONE.width}×${PHONE.height}, CPU throttled ${SLOW_4G.cpuSlowdown}× and ` +
      `${SLOW_4G.rttMs} ms added to every request with ${SLOW_4G.downloadKbps} Kbps down: CDP's ` +
      'latency is per request, so new connections cost nothing extra here and a phone would be ' +
      'somewhat slower. The 4× is relative to this machine, whose load ' +
      `(load average ${loadAverageBefore.join(' / ')} before, details.machineBusyCores during) ` +
      'moves the timings.';
    const interactive = (id: string, page: PageResult): Figure =>
      ratioFigure({
        id,
        title: `${page.name} (${page.path === '/' ? '/' : '/movies/<id>'}): time to interactive, slow 4G and 4× CPU ÷ 1.5 s`,
        measured: { label: page.name, value: page.interactiveMs, unit: 'ms to interactive' },
        baseline: { label: 'goal', value: PAGE_LOAD_GOALS.interactiveMs, unit: 'ms' },
        goal: withinBudget('1.5 s'),
        details: { ...timingDetails(page, runs), setting },
        analysis: timingAnalysis(page, context),
      });
    const javascript = (id: string, page: PageResult): Figure =>
      ratioFigure({
        id,
        title: `${page.name} (${page.path === '/' ? '/' : '/movies/<id>'}): gzipped JS loaded ÷ 60 KB`,
        measured: { label: page.name, value: page.gzipJsBytes, unit: 'bytes of gzipped JS' },
        baseline: { label: 'goal', value: PAGE_LOAD_GOALS.gzipJsBytes, unit: 'bytes' },
        goal: withinBudget('60 KB'),
        details: transferDetails(page),
        analysis: transferAnalysis(page),
      });
    return [
      interactive('P11a', catalog),
      interactive('P11b', movie),
      javascript('P11c', catalog),
      javascript('P11d', movie),
    ];
  } finally {
    await browser?.close();
    for (const child of started.reverse()) await child.stop();
  }
}
