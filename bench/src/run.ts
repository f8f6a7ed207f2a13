import './production-mode';
import { loadBenchConfig, machineInfo } from './bench-config';
import type { BenchConfig } from './bench-config';
import { createBenchEnv } from './bench-env';
import type { BenchEnv } from './bench-env';
import type { Figure } from './figure';
import { renderTable, resultText, writeReport } from './report';
import type { BenchReport } from './report';
import { latencyFigure } from './scenarios/api-throughput';
import { embeddedFindFigure } from './scenarios/embedded-find';
import { hostileDocumentFigure } from './scenarios/hostile-documents';
import { pageLoadFigures } from './scenarios/page-load';
import { peerFigures } from './scenarios/peers';
import { renderFigure } from './scenarios/render';
import { roundTripFigure } from './scenarios/round-trips';
import { scaleOutFigures } from './scenarios/scale-out';
import { schemaExecutionFigure } from './scenarios/schema-execution';
import { signInFigures } from './scenarios/sign-in';

/** One step of the run: which figure ids it produces and how. */
interface Step {
  ids: string[];
  run(env: BenchEnv): Promise<Figure | Figure[]>;
}

/** In order: P1 first, since P5 and P7 run at shares of the maximum rate P1 measures. */
const STEPS: Step[] = [
  // The API, its peers and the limits in rounds: P1 (raw), P1a/P1b/P1m (Apollo plain, Yoga,
  // Mercurius), P1c/P1cm (the anonymous catalog ÷ raw, ÷ Mercurius), P2 (plain express).
  { ids: ['P1', 'P1a', 'P1b', 'P1m', 'P1c', 'P1cm', 'P2'], run: peerFigures },
  { ids: ['P3'], run: schemaExecutionFigure },
  { ids: ['P4'], run: roundTripFigure },
  { ids: ['P5'], run: latencyFigure },
  { ids: ['P6'], run: renderFigure },
  // One step: P7b's reads run at a share of the same API's rate while P7a's sign-ins load it.
  { ids: ['P7a', 'P7b'], run: signInFigures },
  { ids: ['P8'], run: embeddedFindFigure },
  // P9's reads run at a share of the maximum rate P1 measured, like P7b's.
  { ids: ['P9'], run: hostileDocumentFigure },
  // Two API processes behind a round-robin proxy ÷ one: reads (P10a), then sign-ins (P10b).
  { ids: ['P10a', 'P10b'], run: scaleOutFigures },
  // The catalog and a movie page in throttled Chromium: interactive (P11a, P11b), JS (P11c, P11d).
  { ids: ['P11a', 'P11b', 'P11c', 'P11d'], run: pageLoadFigures },
];

/**
 * Runs every figure (or those in BENCH_ONLY) on this machine in one go, writes
 * `latest.md` + `latest.json` and returns the report. A figure that fails is recorded as
 * not measured; the others still run.
 */
export async function runBench(
  config: BenchConfig = loadBenchConfig(),
  log: (line: string) => void = (line) => console.log(line),
): Promise<{ report: BenchReport; files: { markdown: string; json: string } }> {
  const started = performance.now();
  const machine = machineInfo();
  log(
    `bench: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}${config.quick ? ' (quick)' : ''}`,
  );
  log('bench: starting the embedded database and seeding it…');
  const env = await createBenchEnv(config);
  const figures: Figure[] = [];
  const failures: BenchReport['failures'] = [];
  try {
    for (const step of STEPS) {
      if (config.only && !step.ids.some((id) => config.only?.has(id))) continue;
      // A step measures all of its figures together (P1 with P2, P7a with P7b): all are kept.
      log(`bench: ${step.ids.join(', ')}…`);
      try {
        const produced = await step.run(env);
        for (const figure of Array.isArray(produced) ? produced : [produced]) {
          figures.push(figure);
          log(
            `  ${figure.id}: ratio ${figure.ratio.toFixed(3)} (goal ${figure.goal.text}) ${resultText(figure)}`,
          );
        }
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        failures.push({ id: step.ids.join('/'), error: message });
        log(`  ${step.ids.join('/')} failed: ${message}`);
      }
    }
  } finally {
    await env.stop();
  }
  const report: BenchReport = {
    machine,
    settings: {
      quick: config.quick,
      durationSeconds: config.duration,
      latencyDurationSeconds: config.latencyDuration,
      connections: config.connections,
      rounds: config.rounds,
      movies: config.movies,
      users: config.users,
      listEntriesPerUser: 50,
    },
    figures,
    ...(env.peers ? { peers: env.peers } : {}),
    failures,
    elapsedSeconds: (performance.now() - started) / 1000,
  };
  const files = writeReport(config, report);
  log('');
  log(renderTable(report));
  log('');
  log(`bench: wrote ${files.markdown} and ${files.json}`);
  return { report, files };
}

if (require.main === module) {
  runBench().then(
    ({ report }) => {
      process.exitCode = report.failures.length > 0 ? 1 : 0;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
