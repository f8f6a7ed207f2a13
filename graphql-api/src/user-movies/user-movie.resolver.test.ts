import mongoose, { Types } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { createMovie, createSignedInUser } from '../../test/factories';
import type { TestApi } from '../testing';
import { UserMovieModel } from './user-movie.model';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(undefined, { monitorCommands: true });
});
afterAll(() => api.stop());

const LIST = `query List($first: Int!, $after: String) {
  userMovies(first: $first, after: $after) {
    totalCount
    edges { cursor node { id createdAt movie { id title inMyList } } }
    pageInfo { endCursor hasNextPage }
  }
}`;
const ADD = `mutation Add($movieId: ID!) { addUserMovie(movieId: $movieId) { id movie { id title } createdAt } }`;
const REMOVE = `mutation Remove($movieId: ID!) { removeUserMovie(movieId: $movieId) }`;

interface ListData {
  userMovies: {
    totalCount: number;
    edges: {
      cursor: string;
      node: { id: string; movie: { id: string; title: string; inMyList: boolean } };
    }[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}

/** Adds movies one by one (distinct createdAt order). */
async function listOf(count: number) {
  const signedIn = await createSignedInUser(api);
  const movies = [];
  for (let i = 0; i < count; i += 1) {
    const movie = await createMovie(api);
    const added = await execute(
      api,
      ADD,
      { movieId: movie._id.toHexString() },
      { apiKey: api.publicApiKey, token: signedIn.token },
    );
    expect(added.errors).toBeUndefined();
    movies.push(movie);
  }
  return { ...signedIn, movies };
}

describe('userMovies', () => {
  it("returns the caller's own list, newest first, in pages", async () => {
    const { token, movies } = await listOf(5);
    await listOf(2); // someone else's list
    const page1 = await execute<ListData>(
      api,
      LIST,
      { first: 3 },
      { apiKey: api.publicApiKey, token },
    );
    expect(page1.errors).toBeUndefined();
    expect(page1.data?.userMovies.totalCount).toBe(5);
    const newestFirst = [...movies].reverse().map((movie) => movie.title);
    expect(page1.data?.userMovies.edges.map((e) => e.node.movie.title)).toEqual(
      newestFirst.slice(0, 3),
    );
    expect(page1.data?.userMovies.edges.every((e) => e.node.movie.inMyList)).toBe(true);
    expect(page1.data?.userMovies.pageInfo.hasNextPage).toBe(true);
    const page2 = await execute<ListData>(
      api,
      LIST,
      { first: 3, after: page1.data?.userMovies.pageInfo.endCursor },
      { apiKey: api.publicApiKey, token },
    );
    expect(page2.data?.userMovies.edges.map((e) => e.node.movie.title)).toEqual(
      newestFirst.slice(3),
    );
    expect(page2.data?.userMovies.pageInfo.hasNextPage).toBe(false);
  });

  /**
   * The commands `work` sends, as "command collection": credential checks left out, and so are
   * the mail worker's outbox polls, which run on their own timer in this process and can land
   * in the middle of `work`.
   */
  async function commandsOf(work: () => Promise<unknown>): Promise<string[]> {
    const commands: string[] = [];
    const client = mongoose.connection.getClient();
    const listener = (event: CommandStartedEvent) => {
      const target: unknown = event.command[event.commandName];
      if (target === 'sessions' || target === 'apikeys' || target === 'outbox') return;
      commands.push(`${event.commandName} ${String(target)}`);
    };
    client.on('commandStarted', listener);
    try {
      await work();
    } finally {
      client.off('commandStarted', listener);
    }
    return commands;
  }

  it('reads a page, its movies (and inMyList) and totalCount in one aggregate, whatever its size', async () => {
    const { token, movies } = await listOf(6);
    for (const first of [2, 10]) {
      let result: Awaited<ReturnType<typeof execute<ListData>>> | undefined;
      const commands = await commandsOf(async () => {
        result = await execute<ListData>(api, LIST, { first }, { apiKey: api.publicApiKey, token });
      });
      expect(result?.errors).toBeUndefined();
      expect(result?.data?.userMovies.totalCount).toBe(6);
      expect(result?.data?.userMovies.edges.map((e) => e.node.movie.title)).toEqual(
        [...movies]
          .reverse()
          .slice(0, first)
          .map((movie) => movie.title),
      );
      expect(result?.data?.userMovies.edges.every((e) => e.node.movie.inMyList)).toBe(true);
      // No query per entry, no batched movie query, no inMyList query, no separate count.
      expect(commands).toEqual(['aggregate usermovies']);
    }
  });

  it('does not count when totalCount is not selected, and pages the same way', async () => {
    const { token, movies } = await listOf(3);
    const query = `query List($first: Int!, $after: String) {
      userMovies(first: $first, after: $after) {
        edges { node { id movie { title } } }
        pageInfo { endCursor hasNextPage }
      }
    }`;
    type Page = Omit<ListData['userMovies'], 'totalCount'>;
    let first: { userMovies: Page } | null | undefined;
    const commands = await commandsOf(async () => {
      first = (
        await execute<{ userMovies: Page }>(
          api,
          query,
          { first: 2 },
          { apiKey: api.publicApiKey, token },
        )
      ).data;
    });
    expect(commands).toEqual(['aggregate usermovies']);
    expect(first?.userMovies.pageInfo.hasNextPage).toBe(true);
    const second = await execute<{ userMovies: Page }>(
      api,
      query,
      { first: 2, after: first?.userMovies.pageInfo.endCursor },
      { apiKey: api.publicApiKey, token },
    );
    expect(second.errors).toBeUndefined();
    expect(second.data?.userMovies.edges.map((e) => e.node.movie.title)).toEqual([
      movies[0]?.title,
    ]);
    expect(second.data?.userMovies.pageInfo.hasNextPage).toBe(false);
  });

  it('counts when totalCount is selected through a fragment', async () => {
    const { token } = await listOf(2);
    const result = await execute<{ userMovies: { totalCount: number } }>(
      api,
      '{ userMovies(first: 1) { ...Count } } fragment Count on UserMovieConnection { totalCount }',
      {},
      { apiKey: api.publicApiKey, token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.userMovies.totalCount).toBe(2);
  });

  it('batches movie(id) and inMyList lookups through the DataLoaders: one query each, not one per field', async () => {
    const { token, movies } = await listOf(3);
    const others = [await createMovie(api), await createMovie(api)];
    const ids = [...movies, ...others].map((movie) => movie._id.toHexString());
    const query = `{ ${ids
      .map((id, index) => `m${index}: movie(id: "${id}") { id inMyList }`)
      .join(' ')} }`;
    let result: Awaited<ReturnType<typeof execute>> | undefined;
    const commands = await commandsOf(async () => {
      result = await execute(api, query, {}, { apiKey: api.publicApiKey, token });
    });
    expect(result?.errors).toBeUndefined();
    expect(Object.values(result?.data ?? {})).toEqual(
      ids.map((id, index) => ({ id, inMyList: index < 3 })),
    );
    expect(commands.sort()).toEqual(['find movies', 'find usermovies']);
  });

  it('needs a user: an API key alone is UNAUTHENTICATED', async () => {
    const result = await execute(api, LIST, { first: 5 }, { apiKey: api.publicApiKey });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(errorCode(await execute(api, LIST, { first: 5 }))).toBe('UNAUTHENTICATED');
  });

  it('needs read:user-movies', async () => {
    const key = (await api.api.services.apiKeys.create('reader', ['read:movies', 'signin:auth']))
      .token;
    const { token } = await createSignedInUser(api, { keyToken: key });
    const result = await execute(api, LIST, { first: 5 }, { token });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(firstError(result).extensions?.missingScopes).toEqual(['read:user-movies']);
  });

  it('refuses first above 100 and a forged cursor', async () => {
    const { token } = await createSignedInUser(api);
    expect(
      errorCode(await execute(api, LIST, { first: 101 }, { apiKey: api.publicApiKey, token })),
    ).toBe('BAD_USER_INPUT');
    const forged = await execute(
      api,
      LIST,
      { first: 5, after: 'W10' },
      { apiKey: api.publicApiKey, token },
    );
    expect(errorCode(forged)).toBe('BAD_USER_INPUT');
    // Well-formed JSON of the right shape, but a time no Date can hold.
    for (const time of [1e300, 1.5, -9e15]) {
      const outOfRange = await execute(
        api,
        LIST,
        {
          first: 5,
          after: Buffer.from(JSON.stringify([time, 'a'.repeat(24)])).toString('base64url'),
        },
        { apiKey: api.publicApiKey, token },
      );
      expect(errorCode(outOfRange)).toBe('BAD_USER_INPUT');
      expect(firstError(outOfRange).extensions?.fields).toEqual([
        expect.objectContaining({ argument: 'after' }),
      ]);
    }
  });
});

describe('addUserMovie and removeUserMovie', () => {
  it('adds idempotently: the second add returns the same entry', async () => {
    const { token, user } = await createSignedInUser(api);
    const movie = await createMovie(api);
    const first = await execute<{ addUserMovie: { id: string; movie: { id: string } } }>(
      api,
      ADD,
      { movieId: movie._id.toHexString() },
      { apiKey: api.publicApiKey, token },
    );
    const second = await execute<{ addUserMovie: { id: string } }>(
      api,
      ADD,
      { movieId: movie._id.toHexString() },
      { apiKey: api.publicApiKey, token },
    );
    expect(first.errors).toBeUndefined();
    expect(first.data?.addUserMovie.movie.id).toBe(movie._id.toHexString());
    expect(second.data?.addUserMovie.id).toBe(first.data?.addUserMovie.id);
    expect(await UserMovieModel.countDocuments({ user: user._id })).toBe(1);
  });

  it('survives concurrent adds of the same movie with one entry', async () => {
    const { token, user } = await createSignedInUser(api);
    const movie = await createMovie(api);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        execute(
          api,
          ADD,
          { movieId: movie._id.toHexString() },
          { apiKey: api.publicApiKey, token },
        ),
      ),
    );
    expect(results.filter((result) => result.errors)).toEqual([]);
    expect(await UserMovieModel.countDocuments({ user: user._id })).toBe(1);
  });

  it('adding a missing movie is NOT_FOUND; a malformed id is BAD_USER_INPUT', async () => {
    const { token, user } = await createSignedInUser(api);
    const missing = await execute(
      api,
      ADD,
      { movieId: new Types.ObjectId().toHexString() },
      { apiKey: api.publicApiKey, token },
    );
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const malformed = await execute(
      api,
      ADD,
      { movieId: '{"$gt":""}' },
      { apiKey: api.publicApiKey, token },
    );
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(firstError(malformed).extensions?.fields).toEqual([
      expect.objectContaining({ argument: 'movieId' }),
    ]);
    expect(
      errorCode(await execute(api, REMOVE, { movieId: 'x' }, { apiKey: api.publicApiKey, token })),
    ).toBe('BAD_USER_INPUT');
    expect(await UserMovieModel.countDocuments({ user: user._id })).toBe(0);
  });

  it('leaves no dangling entry when the movie is deleted while it is being added', async () => {
    const { token, user } = await createSignedInUser(api);
    const movie = await createMovie(api);
    await api.api.services.movies.delete(movie._id);
    // As if the existence check had run just before the delete.
    const spy = jest.spyOn(api.api.services.movies, 'exists').mockResolvedValueOnce(true);
    try {
      const result = await execute(
        api,
        ADD,
        { movieId: movie._id.toHexString() },
        { apiKey: api.publicApiKey, token },
      );
      expect(errorCode(result)).toBe('NOT_FOUND');
    } finally {
      spy.mockRestore();
    }
    expect(await UserMovieModel.countDocuments({ user: user._id })).toBe(0);
    const list = await execute(api, LIST, { first: 5 }, { apiKey: api.publicApiKey, token });
    expect(list.errors).toBeUndefined();
  });

  it('removes from the caller’s list only: true when removed, false when absent', async () => {
    const owner = await listOf(1);
    const movieId = owner.movies[0]?._id.toHexString();
    const other = await createSignedInUser(api);
    const notTheirs = await execute<{ removeUserMovie: boolean }>(
      api,
      REMOVE,
      { movieId },
      { apiKey: api.publicApiKey, token: other.token },
    );
    expect(notTheirs.data?.removeUserMovie).toBe(false);
    expect(await UserMovieModel.countDocuments({ user: owner.user._id })).toBe(1);
    const removed = await execute<{ removeUserMovie: boolean }>(
      api,
      REMOVE,
      { movieId },
      { apiKey: api.publicApiKey, token: owner.token },
    );
    expect(removed.data?.removeUserMovie).toBe(true);
    const again = await execute<{ removeUserMovie: boolean }>(
      api,
      REMOVE,
      { movieId },
      { apiKey: api.publicApiKey, token: owner.token },
    );
    expect(again.data?.removeUserMovie).toBe(false);
  });

  it('need a user and the scopes', async () => {
    const movie = await createMovie(api);
    const movieId = movie._id.toHexString();
    expect(errorCode(await execute(api, ADD, { movieId }, { apiKey: api.publicApiKey }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(errorCode(await execute(api, REMOVE, { movieId }, { apiKey: api.publicApiKey }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(errorCode(await execute(api, ADD, { movieId }))).toBe('UNAUTHENTICATED');
    const key = (await api.api.services.apiKeys.create('reader', ['read:movies', 'signin:auth']))
      .token;
    const { token } = await createSignedInUser(api, { keyToken: key });
    const add = await execute(api, ADD, { movieId }, { token });
    expect(firstError(add).extensions).toMatchObject({
      code: 'FORBIDDEN',
      missingScopes: ['create:user-movies'],
    });
    const remove = await execute(api, REMOVE, { movieId }, { token });
    expect(firstError(remove).extensions).toMatchObject({
      code: 'FORBIDDEN',
      missingScopes: ['delete:user-movies'],
    });
  });
});
