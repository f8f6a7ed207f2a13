import { readFileSync } from 'node:fs';
import os from 'node:os';
import { runLoad } from './load';
import type { LoadOptions, LoadResult } from './load';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream build). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) a process has used so far, or null off Linux. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime)
      ? (utime + stime) / TICKS_PER_SECOND
      : null;
  } catch {
    return null;
  }
}

/** Cores each process kept busy on average during a run (1 = one core all the time). */
export type CoresUsed = Record<string, number>;

/**
 * Runs `work` and reports how many cores each named process (and this harness process, the
 * load generator, as `loadGenerator`) used on average meanwhile: where a 2-core machine's CPU
 * went. Null when /proc is not available.
 */
export async function measureCores<T>(
  pids: Record<string, number>,
  work: () => Promise<T>,
): Promise<{ result: T; cores: CoresUsed | null }> {
  const before = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)]),
  );
  const harnessBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const harness = process.cpuUsage(harnessBefore);
  const cores: CoresUsed = {};
  for (const [name, pid] of Object.entries(pids)) {
    const start = before[name];
    const end = processCpuSeconds(pid);
    if (start === null || start === undefined || end === null) return { result, cores: null };
    cores[name] = Math.round(((end - start) / seconds) * 100) / 100;
  }
  cores.loadGenerator = Math.round(((harness.user + harness.system) / 1e6 / seconds) * 100) / 100;
  return { result, cores };
}

/** {@link warmThenRun} that also reports the cores each process used in the measured part. */
export async function warmThenRunMeasured(
  options: LoadOptions,
  warmSeconds: number,
  pids: Record<string, number>,
): Promise<{ result: LoadResult; cores: CoresUsed | null }> {
  if (warmSeconds > 0) await runLoad({ ...options, duration: warmSeconds, expectBody: undefined });
  return measureCores(pids, () => runLoad(options));
}

/** The machine's CPU time so far from /proc/stat's first line (all CPUs, in ticks), or null. */
export function machineCpuTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const total = ticks.slice(0, 8).reduce((sum, n) => sum + n, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return Number.isFinite(total) && total > 0 ? { busy: total - idle, total } : null;
  } catch {
    return null;
  }
}

/** Cores the whole machine kept busy since `before` (a {@link machineCpuTicks} reading). */
export function machineBusySince(before: { busy: number; total: number } | null): number | null {
  const after = machineCpuTicks();
  if (!before || !after || after.total <= before.total) return null;
  const share = (after.busy - before.busy) / (after.total - before.total);
  return Math.round(share * os.availableParallelism() * 100) / 100;
}
