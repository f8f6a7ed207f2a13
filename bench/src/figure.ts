/** One side of a figure: what was measured, in what unit. */
export interface Measurement {
  label: string;
  value: number;
  unit: string;
}

/** The goal a ratio is held to. */
export interface Goal {
  op: '>=' | '<=' | '==';
  value: number;
  /** How the goal reads in the table, e.g. "≥ 0.30". */
  text: string;
}

/** One row of the table: two measurements, their ratio, the goal, met or not, and why. */
export interface Figure {
  id: string;
  title: string;
  measured: Measurement;
  baseline: Measurement;
  ratio: number;
  /**
   * For a ratio taken in several rounds (the peer figures): the lowest and highest round's
   * ratio; `ratio` is then their median.
   */
  spread?: { min: number; max: number };
  goal: Goal;
  met: boolean;
  /** "missed by 12%" style summary; empty when met. */
  shortfall: string;
  /** Raw numbers behind the figure (latencies, counts, settings). */
  details: Record<string, unknown>;
  /** Why the figure is where it is; always given when the goal is missed. */
  analysis: string;
}

export function goal(op: Goal['op'], value: number): Goal {
  const symbol = op === '>=' ? '≥' : op === '<=' ? '≤' : '=';
  return { op, value, text: `${symbol} ${value}` };
}

export function meets(ratio: number, target: Goal): boolean {
  if (!Number.isFinite(ratio)) return false;
  if (target.op === '>=') return ratio >= target.value;
  if (target.op === '<=') return ratio <= target.value;
  return ratio === target.value;
}

/** How far a ratio is from its goal, as the results file states it. */
export function shortfallText(ratio: number, target: Goal): string {
  if (meets(ratio, target)) return '';
  if (!Number.isFinite(ratio)) return 'not measurable';
  if (target.op === '==') return `is ${formatNumber(ratio)}, goal ${target.value}`;
  const percent = Math.abs((ratio - target.value) / target.value) * 100;
  return target.op === '>='
    ? `missed by ${percent.toFixed(0)}% (${formatNumber(ratio)} vs ${target.value})`
    : `over by ${percent.toFixed(0)}% (${formatNumber(ratio)} vs ${target.value})`;
}

/**
 * Builds a ratio figure: measured ÷ baseline against the goal. With `rounds` (one ratio per
 * round), the ratio is their median and `spread` their range; `measured` and `baseline` are
 * then the sides' medians, whose quotient may differ slightly from the median ratio.
 */
export function ratioFigure(input: {
  id: string;
  title: string;
  measured: Measurement;
  baseline: Measurement;
  goal: Goal;
  rounds?: number[];
  details?: Record<string, unknown>;
  analysis: string;
}): Figure {
  const rounds = input.rounds && input.rounds.length > 0 ? input.rounds : null;
  const ratio = rounds ? median(rounds) : input.measured.value / input.baseline.value;
  const met = meets(ratio, input.goal);
  return {
    id: input.id,
    title: input.title,
    measured: input.measured,
    baseline: input.baseline,
    ratio,
    ...(rounds ? { spread: { min: Math.min(...rounds), max: Math.max(...rounds) } } : {}),
    goal: input.goal,
    met,
    shortfall: shortfallText(ratio, input.goal),
    details: input.details ?? {},
    analysis: input.analysis,
  };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
