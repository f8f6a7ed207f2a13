import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchConfig, MachineInfo } from './bench-config';
import type { Figure, Goal } from './figure';
import { formatNumber } from './figure';

/**
 * The goal of a figure the issue gave no target (P10): recorded as measured, never "met" or
 * "missed". Any positive ratio satisfies it, so `met` stays true and `shortfall` empty.
 */
export const NO_GOAL: Goal = { op: '>=', value: 0, text: 'none' };

/** A figure's result as the table and the log print it: met, MISSED, or recorded (no goal). */
export function resultText(figure: Figure): string {
  if (figure.goal.text === NO_GOAL.text) return 'recorded';
  return figure.met ? 'met' : 'MISSED';
}

/** What one run produced; `latest.json` holds exactly this. */
export interface BenchReport {
  machine: MachineInfo;
  settings: {
    quick: boolean;
    durationSeconds: number;
    latencyDurationSeconds: number;
    connections: number;
    movies: number;
    users: number;
    listEntriesPerUser: number;
  };
  figures: Figure[];
  /** Figures that could not be measured, with the error. */
  failures: { id: string; error: string }[];
  elapsedSeconds: number;
}

function measurement(figure: Figure, side: 'measured' | 'baseline'): string {
  const m = figure[side];
  return `${m.label}: ${formatNumber(m.value)} ${m.unit}`;
}

/** The one table, as Markdown. */
export function renderTable(report: BenchReport): string {
  const rows = report.figures.map(
    (figure) =>
      `| ${figure.id} | ${measurement(figure, 'measured')} | ${measurement(figure, 'baseline')} | ` +
      `${formatNumber(figure.ratio)} | ${figure.goal.text} | ${resultText(figure)} |`,
  );
  const failed = report.failures.map(
    (failure) => `| ${failure.id} | not measured | | | | FAILED: ${failure.error.split('\n')[0]} |`,
  );
  return [
    '| Figure | Measured | Baseline | Ratio | Goal | Result |',
    '|---|---|---|---|---|---|',
    ...rows,
    ...failed,
  ].join('\n');
}

/** The whole results file: machine, table, then each figure's details and analysis. */
export function renderMarkdown(report: BenchReport): string {
  const { machine, settings } = report;
  const lines = [
    '# Benchmark results',
    '',
    `Run ${machine.date} on ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ` +
      `${machine.platform}, ${machine.totalMemoryGiB} GiB.`,
    `Mode: ${settings.quick ? 'quick' : 'full'}; ${settings.durationSeconds} s per throughput run, ` +
      `${settings.latencyDurationSeconds} s at a fixed rate, ${settings.connections} connections, ` +
      `${settings.movies} movies, ${settings.users} users × ${settings.listEntriesPerUser} list entries. ` +
      `Whole run: ${Math.round(report.elapsedSeconds)} s.`,
    '',
    'Ratios are the figures; absolute numbers drift between runs on a shared machine.',
    '',
    renderTable(report),
    '',
    '## Figures',
    '',
  ];
  for (const figure of report.figures) {
    lines.push(`### ${figure.id}: ${figure.title}`, '');
    lines.push(
      `${measurement(figure, 'measured')} ÷ ${measurement(figure, 'baseline')} = ` +
        `**${formatNumber(figure.ratio)}** (goal ${figure.goal.text}): ` +
        `${figure.met ? resultText(figure) : `**missed**, ${figure.shortfall}`}.`,
      '',
    );
    lines.push(`${figure.met ? 'What it measures' : 'Why'}: ${figure.analysis}`, '');
    lines.push('```json', JSON.stringify(figure.details, null, 2), '```', '');
  }
  for (const failure of report.failures) {
    lines.push(`### ${failure.id}: not measured`, '', '```', failure.error, '```', '');
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `latest.md` and `latest.json` into the output folder; returns their paths. */
export function writeReport(
  config: BenchConfig,
  report: BenchReport,
): { markdown: string; json: string } {
  mkdirSync(config.outDir, { recursive: true });
  const markdown = path.join(config.outDir, 'latest.md');
  const json = path.join(config.outDir, 'latest.json');
  writeFileSync(markdown, renderMarkdown(report));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return { markdown, json };
}
