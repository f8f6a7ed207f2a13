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

/** One server (or one request to it) in the server comparison, over all rounds. */
export interface PeerRow {
  server: string;
  /** Which request it answered: the catalog query with the public key, or the anonymous catalog. */
  request: string;
  /** Requests per second: median and range over the rounds. */
  rps: { median: number; min: number; max: number };
  /** The server process's CPU per request (from /proc), median over the rounds; null off Linux. */
  cpuMsPerRequest: number | null;
  /** This server's req/s ÷ the API's on the same request, per round: median and range. */
  vsApi: { median: number; min: number; max: number };
}

/** The server comparison: every server in every round, and the machine's load meanwhile. */
export interface PeerTable {
  rounds: number;
  /** `os.loadavg()` (1, 5, 15 minutes) before and after each round. */
  loadAverage: { before: number[]; after: number[] }[];
  rows: PeerRow[];
}

/** What one run produced; `latest.json` holds exactly this. */
export interface BenchReport {
  machine: MachineInfo;
  settings: {
    quick: boolean;
    durationSeconds: number;
    latencyDurationSeconds: number;
    connections: number;
    /** Rounds of the server comparison (P1, P1a–P1cm, P2). */
    rounds: number;
    movies: number;
    users: number;
    listEntriesPerUser: number;
  };
  figures: Figure[];
  /** The server comparison behind P1, P1a–P1cm and P2, when they ran. */
  peers?: PeerTable;
  /** Figures that could not be measured, with the error. */
  failures: { id: string; error: string }[];
  elapsedSeconds: number;
}

function measurement(figure: Figure, side: 'measured' | 'baseline'): string {
  const m = figure[side];
  return `${m.label}: ${formatNumber(m.value)} ${m.unit}`;
}

function range(min: number, max: number): string {
  return `${formatNumber(min)}–${formatNumber(max)}`;
}

/** A ratio, with its range over the rounds when it was measured in rounds. */
function ratioText(figure: Figure): string {
  const value = formatNumber(figure.ratio);
  return figure.spread ? `${value} (${range(figure.spread.min, figure.spread.max)})` : value;
}

/** The figures' table, as Markdown (with the server comparison's table after it, when run). */
export function renderTable(report: BenchReport): string {
  const rows = report.figures.map(
    (figure) =>
      `| ${figure.id} | ${measurement(figure, 'measured')} | ${measurement(figure, 'baseline')} | ` +
      `${ratioText(figure)} | ${figure.goal.text} | ${resultText(figure)} |`,
  );
  const failed = report.failures.map(
    (failure) => `| ${failure.id} | not measured | | | | FAILED: ${failure.error.split('\n')[0]} |`,
  );
  const table = [
    '| Figure | Measured | Baseline | Ratio | Goal | Result |',
    '|---|---|---|---|---|---|',
    ...rows,
    ...failed,
  ].join('\n');
  return report.peers ? `${table}\n\n${renderPeerTable(report.peers)}` : table;
}

/**
 * The server comparison as Markdown: each server's median req/s (range over the rounds), its
 * process's CPU per request, and its rate ÷ the API's on the same request, per round.
 */
export function renderPeerTable(peers: PeerTable): string {
  const load = peers.loadAverage.map((round) => (round.before[0] ?? 0).toFixed(2)).join(', ');
  return [
    `Servers side by side (${peers.rounds} rounds, medians, min–max over the rounds; load ` +
      `average at each round's start: ${load}):`,
    '',
    '| Server | Request | req/s | Server CPU ms/request | ÷ API |',
    '|---|---|---|---|---|',
    ...peers.rows.map(
      (row) =>
        `| ${row.server} | ${row.request} | ${formatNumber(Math.round(row.rps.median))} ` +
        `(${range(Math.round(row.rps.min), Math.round(row.rps.max))}) | ` +
        `${row.cpuMsPerRequest === null ? 'n/a' : formatNumber(row.cpuMsPerRequest)} | ` +
        `${formatNumber(row.vsApi.median)} (${range(row.vsApi.min, row.vsApi.max)}) |`,
    ),
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
      `${settings.rounds} rounds of the server comparison, ` +
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
        `**${formatNumber(figure.ratio)}**` +
        (figure.spread
          ? ` (median of the rounds; ${range(figure.spread.min, figure.spread.max)})`
          : '') +
        ` (goal ${figure.goal.text}): ` +
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
