import { FIGURE_IDS, loadBenchConfig } from './bench-config';

describe('loadBenchConfig BENCH_ONLY', () => {
  it('runs every figure when BENCH_ONLY is unset or empty', () => {
    expect(loadBenchConfig({}).only).toBeNull();
    expect(loadBenchConfig({ BENCH_ONLY: ' ' }).only).toBeNull();
  });

  it('accepts figure ids in any case, P7a and P7b included', () => {
    expect([...(loadBenchConfig({ BENCH_ONLY: 'p1, P7a,p7B' }).only ?? [])]).toEqual([
      'P1',
      'P7a',
      'P7b',
    ]);
  });

  it('reads P7 as both P7a and P7b', () => {
    expect([...(loadBenchConfig({ BENCH_ONLY: 'P7' }).only ?? [])]).toEqual(['P7a', 'P7b']);
  });

  it('reads P10 as both P10a and P10b, and P1 as P1 alone', () => {
    expect([...(loadBenchConfig({ BENCH_ONLY: 'p10' }).only ?? [])]).toEqual(['P10a', 'P10b']);
    expect([...(loadBenchConfig({ BENCH_ONLY: 'P1' }).only ?? [])]).toEqual(['P1']);
  });

  it('accepts the peer figures by their own ids, P1c apart from P1cm', () => {
    expect([...(loadBenchConfig({ BENCH_ONLY: 'p1a,P1B,p1m,P1c' }).only ?? [])]).toEqual([
      'P1a',
      'P1b',
      'P1m',
      'P1c',
    ]);
    expect([...(loadBenchConfig({ BENCH_ONLY: 'P1CM' }).only ?? [])]).toEqual(['P1cm']);
  });

  it('runs 3 rounds of the server comparison unless BENCH_ROUNDS says otherwise', () => {
    expect(loadBenchConfig({}).rounds).toBe(3);
    expect(loadBenchConfig({ BENCH_QUICK: '1' }).rounds).toBe(3);
    expect(loadBenchConfig({ BENCH_ROUNDS: '5' }).rounds).toBe(5);
    expect(() => loadBenchConfig({ BENCH_ROUNDS: '0' })).toThrow('BENCH_ROUNDS');
  });

  it('reads P11 as all of P11a–P11d', () => {
    expect([...(loadBenchConfig({ BENCH_ONLY: 'P11' }).only ?? [])]).toEqual([
      'P11a',
      'P11b',
      'P11c',
      'P11d',
    ]);
  });

  it('refuses an unknown id and names the valid ones', () => {
    expect(() => loadBenchConfig({ BENCH_ONLY: 'P1,P99' })).toThrow(
      `BENCH_ONLY: unknown figure "P99" (valid: ${FIGURE_IDS.join(', ')}`,
    );
  });
});
