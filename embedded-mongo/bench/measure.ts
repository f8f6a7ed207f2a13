/** Runs `op` back to back for `durationMs` (after a warm-up) and returns operations per second. */
export async function measure(
  durationMs: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  for (let i = 0; i < 50; i += 1) await op(i); // warm-up
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let count = 0;
  let now = start;
  while (now < end) {
    await op(count);
    count += 1;
    now = process.hrtime.bigint();
  }
  return Math.round((count * 1e9) / Number(now - start));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures each operation on both subjects in alternating rounds and keeps the median:
 * measuring all of the small size first would hand the large one a warmer JIT and make the
 * ratio look better than it is.
 */
export async function measureAlternating<S, K extends string>(
  operations: Record<K, (subject: S, i: number) => Promise<unknown>>,
  small: S,
  large: S,
  durationMs: number,
  rounds = 3,
): Promise<{ small: Record<K, number>; large: Record<K, number> }> {
  const result = { small: {} as Record<K, number>, large: {} as Record<K, number> };
  for (const name of Object.keys(operations) as K[]) {
    const op = operations[name];
    const runs = { small: [] as number[], large: [] as number[] };
    for (let round = 0; round < rounds; round += 1) {
      runs.small.push(await measure(durationMs / rounds, (i) => op(small, i)));
      runs.large.push(await measure(durationMs / rounds, (i) => op(large, i)));
    }
    result.small[name] = median(runs.small);
    result.large[name] = median(runs.large);
  }
  return result;
}

/** large ÷ small ops/s per operation, to three decimals. */
export function ratiosOf<K extends string>(
  small: Record<K, number>,
  large: Record<K, number>,
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const name of Object.keys(small) as K[]) {
    out[name] = small[name] > 0 ? Number((large[name] / small[name]).toFixed(3)) : 0;
  }
  return out;
}
