import { mongo } from 'mongoose';
import type { BenchEnv } from '../bench-env';
import { startChild } from '../children';
import type { Figure } from '../figure';
import { goal, ratioFigure } from '../figure';
import { alternate, opsPerSecond } from '../load';

const BATCH = 1000;

async function fill(collection: mongo.Collection, count: number): Promise<void> {
  await collection.createIndex({ key: 1 });
  for (let start = 0; start < count; start += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => ({
      key: start + i,
      name: `document ${start + i}`,
      tags: ['a', 'b', 'c'],
      score: (start + i) % 97,
    }));
    await collection.insertMany(docs, { ordered: false });
  }
}

/**
 * P8: the embedded server's indexed `findOne({ key })` rate on a 100,000-document collection ÷
 * on a 1,000-document one, with the official driver, random keys, a fresh server of its own.
 */
export async function embeddedFindFigure(env: BenchEnv): Promise<Figure> {
  const server = await startChild('mongo', { nodeArgs: env.nodeArgs('mongo-p8') });
  const client = new mongo.MongoClient(server.url);
  try {
    await client.connect();
    const db = client.db('bench_p8');
    const small = db.collection('small');
    const large = db.collection('large');
    const { p8SmallDocs, p8LargeDocs, duration, warmup, connections } = env.config;
    const fillStarted = performance.now();
    await fill(small, p8SmallDocs);
    await fill(large, p8LargeDocs);
    const fillSeconds = (performance.now() - fillStarted) / 1000;

    const finder = (collection: mongo.Collection, size: number) => async () => {
      const key = Math.floor(Math.random() * size);
      const found = await collection.findOne({ key });
      if (found?.key !== key) throw new Error(`P8: findOne({ key: ${key} }) found nothing`);
    };
    await opsPerSecond(warmup, connections, finder(small, p8SmallDocs));
    await opsPerSecond(warmup, connections, finder(large, p8LargeDocs));
    const measured = await alternate(
      duration,
      connections,
      finder(large, p8LargeDocs),
      finder(small, p8SmallDocs),
    );
    return ratioFigure({
      id: 'P8',
      title: `embedded server: indexed findOne at ${p8LargeDocs.toLocaleString('en-US')} ÷ at ${p8SmallDocs.toLocaleString('en-US')} documents`,
      measured: { label: `${p8LargeDocs} docs`, value: measured.a, unit: 'finds/s' },
      baseline: { label: `${p8SmallDocs} docs`, value: measured.b, unit: 'finds/s' },
      goal: goal('>=', 0.5),
      details: {
        segments: { large: measured.segments.a, small: measured.segments.b },
        concurrency: connections,
        fillSeconds: Math.round(fillSeconds * 10) / 10,
      },
      analysis:
        'An indexed equality lookup should not depend on the collection size; a ratio well below 1 ' +
        'means the lookup scans or copies per document (see embedded-mongo/src/storage).',
    });
  } finally {
    await client.close();
    await server.stop();
  }
}
