import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium, HOW_TO_INSTALL } from 'gateway-render/dist/test/helpers/chromium';
import { FIGURE_IDS, loadBenchConfig } from './bench-config';
import type { BenchReport } from './report';
import { runBench } from './run';

// A smoke test of the harness, not a benchmark: every figure runs for about a second (P11: one
// page load per page) and the tests check that each produced well-formed numbers and that the
// results were written. Timings are never asserted (they depend on the machine and its load).

/** P11 loads pages in Chromium, found as the browser tests find it; without one it is skipped. */
const chromiumPath = findChromium();
const P11_IDS = FIGURE_IDS.filter((id) => id.startsWith('P11'));
const WITHOUT_P11 = FIGURE_IDS.filter((id) => !id.startsWith('P11'));

describe('bench harness (smoke)', () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const lines: string[] = [];
  let run: Awaited<ReturnType<typeof runBench>>;
  beforeAll(async () => {
    const config = loadBenchConfig({
      BENCH_QUICK: '1',
      BENCH_DURATION: '0.5',
      BENCH_LATENCY_DURATION: '1',
      BENCH_P8_DOCS: '2000',
      BENCH_OUT_DIR: outDir,
      // One run shares the database and its seeding; P11 joins it only with a browser.
      ...(chromiumPath ? {} : { BENCH_ONLY: WITHOUT_P11.join(',') }),
    });
    run = await runBench(config, (line) => lines.push(line));
  }, 330_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('runs P1–P10 (and the peers, P1a–P1cm) once and writes latest.md and latest.json', () => {
    const { report, files } = run;
    expect(report.failures.filter((failure) => !failure.id.startsWith('P11'))).toEqual([]);
    const ids = report.figures.map((figure) => figure.id).filter((id) => !id.startsWith('P11'));
    expect(ids).toEqual([
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
    ]);
    for (const figure of report.figures) {
      for (const value of [figure.measured.value, figure.baseline.value, figure.ratio]) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThan(0);
      }
      expect(typeof figure.met).toBe('boolean');
      if (!figure.met) expect(figure.shortfall).not.toBe('');
      expect(figure.analysis.length).toBeGreaterThan(20);
    }
    // P10 has no goal: recorded, never missed, and said so in the table.
    for (const id of ['P10a', 'P10b']) {
      const p10 = report.figures.find((figure) => figure.id === id);
      expect(p10?.goal.text).toBe('none');
      expect(p10?.met).toBe(true);
    }
    // The server comparison: every peer, the limits and the anonymous catalog in every round,
    // each figure the median of its rounds with their range.
    const peers = report.peers;
    expect(peers?.rounds).toBe(3);
    expect(peers?.loadAverage).toHaveLength(3);
    expect(peers?.rows.map((row) => row.server)).toEqual([
      'this API',
      'this API, response cache off',
      'Apollo Server 5 + express 5, plain SDL',
      'GraphQL Yoga 5',
      'Mercurius 16 + graphql-jit',
      'plain express, same queries',
      'raw node:http, bytes from memory',
      'this API',
      'Mercurius 16 + graphql-jit (uncached)',
      'raw node:http, bytes from memory',
    ]);
    for (const row of peers?.rows ?? []) {
      expect(row.rps.min).toBeLessThanOrEqual(row.rps.median);
      expect(row.rps.median).toBeLessThanOrEqual(row.rps.max);
      expect(row.vsApi.median).toBeGreaterThan(0);
    }
    for (const id of ['P1', 'P1a', 'P1b', 'P1m', 'P1c', 'P1cm', 'P2']) {
      const spread = report.figures.find((figure) => figure.id === id)?.spread;
      expect(spread?.min).toBeLessThanOrEqual(spread?.max ?? 0);
    }
    // P4 counts commands: whole numbers, and at least the list query and the movies batch.
    const p4 = report.figures.find((figure) => figure.id === 'P4');
    expect(Number.isInteger(p4?.measured.value)).toBe(true);
    expect(p4?.measured.value).toBeGreaterThanOrEqual(2);

    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(existsSync(files.markdown)).toBe(true);
    const markdown = readFileSync(files.markdown, 'utf8');
    expect(markdown).toContain('| Figure | Measured | Baseline | Ratio | Goal | Result |');
    for (const id of ids) expect(markdown).toContain(`| ${id} |`);
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as BenchReport;
    expect(json.figures.map((figure) => figure.id)).toEqual(report.figures.map((f) => f.id));
    expect(lines.some((line) => line.includes('| P1 |'))).toBe(true);
    expect(markdown).toContain('| Server | Request | req/s | Server CPU ms/request | ÷ API |');
    expect(markdown).toMatch(/\| P10a \|.*\| none \| recorded \|/);
  });
  (chromiumPath ? it : it.skip)(
    chromiumPath
      ? 'runs P11 (the catalog and a movie page in throttled Chromium) once'
      : `P11 page load: SKIPPED, no Chromium found (${HOW_TO_INSTALL})`,
    () => {
      const { report } = run;
      expect(report.failures.filter((failure) => failure.id.startsWith('P11'))).toEqual([]);
      const figures = report.figures.filter((figure) => figure.id.startsWith('P11'));
      expect(figures.map((figure) => figure.id)).toEqual(P11_IDS);
      for (const figure of figures) {
        expect(figure.measured.value).toBeGreaterThan(0);
        expect(figure.goal.op).toBe('<=');
        expect(typeof figure.met).toBe('boolean');
      }
      // The interactive figures are held to 1.5 s, the JS ones to 60 KB, per page.
      const [catalog, movie, catalogJs, movieJs] = figures;
      expect(catalog?.baseline.value).toBe(1500);
      expect(movie?.details.path).toMatch(/^\/movies\/[^/]+$/);
      // Gzipped JS: at least one script counted, each gzipped smaller than it decoded.
      for (const js of [catalogJs, movieJs]) {
        expect(js?.baseline.value).toBe(60_000);
        const scripts = (
          js?.details.js as { scripts: { gzipBytes: number; decodedBytes: number }[] }
        ).scripts;
        expect(scripts.length).toBeGreaterThan(0);
        for (const script of scripts) expect(script.gzipBytes).toBeLessThan(script.decodedBytes);
      }
      expect(readFileSync(run.files.markdown, 'utf8')).toMatch(/\| P11a \|.*\| ≤ 1 \(1\.5 s\) \|/);
    },
  );
});
