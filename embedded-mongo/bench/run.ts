import { runFindOneBench } from './find-one.bench';

/** `npm run bench -w embedded-mongo [-- --quick]`: prints ops/s at both sizes and the large/small ratios. */
async function main(): Promise<void> {
  const uri = process.env.BENCH_MONGODB_URI;
  // --quick: a short smoke run (noisier numbers) for a shared or slow machine.
  const quick = process.argv.includes('--quick');
  console.log(
    `findOne/insertOne benchmark against ${uri ?? 'a fresh embedded server'}${quick ? ' (quick)' : ''}`,
  );
  const result = await runFindOneBench({ uri, durationMs: quick ? 300 : undefined });
  const rows = [
    ['operation', `${result.smallSize} docs`, `${result.largeSize} docs`, 'ratio'],
    ...(['findOneById', 'findOneByUniqueField', 'insertOne'] as const).map((key) => [
      key,
      `${result.small[key]} ops/s`,
      `${result.large[key]} ops/s`,
      result.ratios[key].toFixed(2),
    ]),
  ];
  for (const row of rows)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(22) : cell.padStart(16))).join(''));
  const verdict = result.indexedLookupRatio >= 0.5 ? 'meets' : 'MISSES';
  console.log(
    `indexed lookups at ${result.largeSize} docs run at ${result.indexedLookupRatio.toFixed(2)}× the ${result.smallSize}-doc rate (${verdict} the ≥ 0.5× target)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
