import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBenchConfig } from './bench-config';
import type { BenchReport } from './report';
import { runBench } from './run';

// A smoke test of the harness, not a benchmark: every figure runs for about a second and the
// test checks that each produced well-formed numbers and that the results were written.
// Timings are never asserted (they depend on the machine and its load).
describe('bench harness (smoke)', () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('runs P1–P10 once and writes latest.md and latest.json', async () => {
    const config = loadBenchConfig({
      BENCH_QUICK: '1',
      BENCH_DURATION: '0.5',
      BENCH_LATENCY_DURATION: '1',
      BENCH_P8_DOCS: '2000',
      BENCH_OUT_DIR: outDir,
    });
    const lines: string[] = [];
    const { report, files } = await runBench(config, (line) => lines.push(line));

    expect(report.failures).toEqual([]);
    const ids = report.figures.map((figure) => figure.id);
    expect(ids).toEqual([
      'P1',
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
    expect(json.figures.map((figure) => figure.id)).toEqual(ids);
    expect(lines.some((line) => line.includes('| P1 |'))).toBe(true);
    expect(markdown).toMatch(/\| P10a \|.*\| none \| recorded \|/);
  });
});
