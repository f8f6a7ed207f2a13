import mongoose, { Types } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { execute, testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { startTestApi, uniqueDbName } from '../testing';
import type { TestApi } from '../testing';
import { MovieModel } from './movie.model';
import { MovieService } from './movie.service';

/** A movie as an earlier version of the API stored it: no `titleSearch`. */
function storedBefore(title: string, extra: Record<string, unknown> = {}) {
  const now = new Date();
  return {
    _id: new Types.ObjectId(),
    title,
    year: 2001,
    cover: 'https://covers.example.com/old.jpg',
    description: 'Stored before titles were folded.',
    duration: 120,
    contentRating: 'R',
    source: 'https://stream.example.com/old',
    tags: ['old'],
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

/** The commands `work` sends to the movies collection. */
async function movieCommandsOf(work: () => Promise<unknown>): Promise<string[]> {
  const commands: string[] = [];
  const client = mongoose.connection.getClient();
  const listener = (event: CommandStartedEvent) => {
    if (event.command[event.commandName] === 'movies') commands.push(event.commandName);
  };
  client.on('commandStarted', listener);
  try {
    await work();
  } finally {
    client.off('commandStarted', listener);
  }
  return commands;
}

describe('MovieService.backfillTitleSearch', () => {
  beforeAll(() =>
    connectDatabase(testMongoUri(), { dbName: uniqueDbName('backfill'), monitorCommands: true }),
  );
  afterAll(() => disconnectDatabase());

  it('folds the titles of movies stored without one, in batches, and is idempotent', async () => {
    const service = new MovieService();
    const current = await service.create({
      title: 'Fresh Über',
      year: 2020,
      cover: 'https://covers.example.com/new.jpg',
      description: 'Made by the service.',
      duration: 90,
      contentRating: 'PG',
      source: 'https://stream.example.com/new',
      tags: [],
    });
    const old = [
      storedBefore('Amélie'),
      storedBefore('Straße', { titleSearch: null }),
      // Not text: written by something else; refolded from the title.
      storedBefore('Æon Flux', { titleSearch: 42 }),
      // More than one batch of 500.
      ...Array.from({ length: 510 }, (_, i) => storedBefore(`Old Movie ${i}`)),
    ];
    await MovieModel.collection.insertMany(old);

    const before = await service.list({ search: 'amelie' }, { first: 5 });
    expect(before.edges).toHaveLength(0);

    await expect(service.backfillTitleSearch()).resolves.toBe(old.length);
    const folded = await MovieModel.collection
      .find({ _id: { $in: old.slice(0, 3).map((movie) => movie._id) } })
      .sort({ title: 1 })
      .toArray();
    expect(folded.map((movie) => [movie.title, movie.titleSearch])).toEqual([
      ['Amélie', 'amelie'],
      ['Straße', 'strasse'],
      ['Æon Flux', 'aeon flux'],
    ]);
    expect(await MovieModel.countDocuments({ titleSearch: 'old movie 509' })).toBe(1);
    // The service's own movie was already folded and is left alone.
    expect((await MovieModel.collection.findOne({ _id: current._id }))?.updatedAt).toEqual(
      current.updatedAt,
    );

    const after = await service.list({ search: 'AMELIE' }, { first: 5 });
    expect(after.edges.map((edge) => edge.node.title)).toEqual(['Amélie']);

    // Run again (every start-up does): nothing to do, and one query to find that out.
    let second: number | undefined;
    const commands = await movieCommandsOf(async () => {
      second = await service.backfillTitleSearch();
    });
    expect(second).toBe(0);
    expect(commands).toEqual(['find']);
  });

  it('is safe when two processes start together', async () => {
    const service = new MovieService();
    const ids = Array.from({ length: 20 }, (_, i) => storedBefore(`Concurrent Café ${i}`));
    await MovieModel.collection.insertMany(ids);
    const [a, b] = await Promise.all([
      service.backfillTitleSearch(),
      service.backfillTitleSearch(),
    ]);
    expect((a ?? 0) + (b ?? 0)).toBe(ids.length);
    expect(await MovieModel.countDocuments({ titleSearch: /^concurrent cafe/ })).toBe(ids.length);
  });
});

describe('start-up', () => {
  const dbName = uniqueDbName('backfill_startup');
  let api: TestApi | undefined;
  afterAll(() => api?.stop());

  it('backfills a database from before, so its movies are found by search', async () => {
    await connectDatabase(testMongoUri(), { dbName });
    await MovieModel.collection.insertOne(storedBefore('Le Fabuleux Destin d’Amélie Poulain'));
    await disconnectDatabase();

    api = await startTestApi({ mongoUri: testMongoUri(), dbName });
    const result = await execute<{ movies: { edges: { node: { title: string } }[] } }>(
      api,
      'query ($search: String) { movies(first: 5, filter: { search: $search }) { edges { node { title } } } }',
      { search: 'destin d’amelie' },
      { apiKey: api.publicApiKey },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.movies.edges.map((edge) => edge.node.title)).toEqual([
      'Le Fabuleux Destin d’Amélie Poulain',
    ]);
  });
});
