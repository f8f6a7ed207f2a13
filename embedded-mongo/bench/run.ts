import { runCatalogBench } from './catalog.bench';
import { runFindOneBench } from './find-one.bench';

function printTable(
  sizes: [number, number],
  rows: Array<[string, number, number, number]>,
  unit: string,
): void {
  const table = [
    ['operation', `${sizes[0]} docs`, `${sizes[1]} docs`, 'ratio'],
    ...rows.map(([name, small, large, ratio]) => [
      name,
      `${small} ${unit}`,
      `${large} ${unit}`,
      ratio.toFixed(2),
    ]),
  ];
  for (const row of table)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(22) : cell.padStart(18))).join(''));
}

/**
 * `npm run bench -w embedded-mongo [-- --quick]`: prints ops/s at both sizes and the large/small
 * ratios for findOne/insertOne and for the catalog's pages.
 */
async function main(): Promise<void> {
  const uri = process.env.BENCH_MONGODB_URI;
  // --quick: a short smoke run (noisier numbers) for a shared or slow machine.
  const quick = process.argv.includes('--quick');
  const durationMs = quick ? 300 : undefined;
  const against = `${uri ?? 'a fresh embedded server'}${quick ? ' (quick)' : ''}`;
  console.log(`findOne/insertOne benchmark against ${against}`);
  const result = await runFindOneBench({ uri, durationMs });
  printTable(
    [result.smallSize, result.largeSize],
    (['findOneById', 'findOneByUniqueField', 'insertOne'] as const).map((key) => [
      key,
      result.small[key],
      result.large[key],
      result.ratios[key],
    ]),
    'ops/s',
  );
  const verdict = result.indexedLookupRatio >= 0.5 ? 'meets' : 'MISSES';
  console.log(
    `indexed lookups at ${result.largeSize} docs run at ${result.indexedLookupRatio.toFixed(2)}× the ${result.smallSize}-doc rate (${verdict} the ≥ 0.5× target)`,
  );
  console.log(`\ncatalog pages (sorted by title, ${21} movies) against ${against}`);
  const catalog = await runCatalogBench({ uri, durationMs });
  printTable(
    [catalog.smallSize, catalog.largeSize],
    (['firstPage', 'firstPageTagged', 'deepPage', 'deepPageTagged'] as const).map((key) => [
      key,
      catalog.small[key],
      catalog.large[key],
      catalog.ratios[key],
    ]),
    'pages/s',
  );
  const catalogVerdict = catalog.worstRatio >= 0.5 ? 'meets' : 'MISSES';
  console.log(
    `catalog pages at ${catalog.largeSize} movies run at ≥ ${catalog.worstRatio.toFixed(2)}× the ${catalog.smallSize}-movie rate (${catalogVerdict} the ≥ 0.5× target)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
