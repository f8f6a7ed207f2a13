import mongoose, { Types } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import request from 'supertest';
import { errorCode, execute, firstError, startApi } from '../../test/execute-operation';
import { createMovie, createSignedInUser, signIn } from '../../test/factories';
import { linkToken, mailTo } from '../../test/mail-helpers';
import type { TestApi } from '../testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi(undefined, { monitorCommands: true });
});
afterAll(() => api.stop());

const ME = '{ me { id myListCount } }';
const ADD = 'mutation ($movieId: ID!) { addUserMovie(movieId: $movieId) { id } }';
const REMOVE = 'mutation ($movieId: ID!) { removeUserMovie(movieId: $movieId) }';

/** A signed-in user with `count` movies on their list. */
async function userWithList(count: number) {
  const signedIn = await createSignedInUser(api);
  const movies = [];
  for (let i = 0; i < count; i += 1) {
    const movie = await createMovie(api);
    await api.api.services.userMovies.add(signedIn.user._id, movie._id);
    movies.push(movie);
  }
  return { ...signedIn, movies };
}

const myListCount = async (token: string): Promise<number | undefined> => {
  const result = await execute<{ me: { id: string; myListCount: number } }>(
    api,
    ME,
    {},
    { apiKey: api.publicApiKey, token },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.me.myListCount;
};

describe('User.myListCount', () => {
  it("counts the caller's own list, and follows adds and removes", async () => {
    const ada = await userWithList(3);
    const bob = await userWithList(1);
    expect(await myListCount(ada.token)).toBe(3);
    expect(await myListCount(bob.token)).toBe(1);

    const extra = await createMovie(api);
    const movieId = extra._id.toHexString();
    const credentials = { apiKey: api.publicApiKey, token: ada.token };
    await execute(api, ADD, { movieId }, credentials);
    await execute(api, ADD, { movieId }, credentials); // idempotent: still one entry
    expect(await myListCount(ada.token)).toBe(4);
    await execute(api, REMOVE, { movieId }, credentials);
    expect(await myListCount(ada.token)).toBe(3);
    expect(await myListCount(bob.token)).toBe(1);
    expect(await myListCount((await userWithList(0)).token)).toBe(0);
  });

  it('is one count on the list collection', async () => {
    const { token } = await userWithList(2);
    const commands: string[] = [];
    const client = mongoose.connection.getClient();
    const listener = (event: CommandStartedEvent) => {
      if (event.command[event.commandName] === 'usermovies') commands.push(event.commandName);
    };
    client.on('commandStarted', listener);
    try {
      expect(await myListCount(token)).toBe(2);
    } finally {
      client.off('commandStarted', listener);
    }
    // countDocuments is an aggregate ($match on the indexed user, then $group).
    expect(commands).toEqual(['aggregate']);
  });

  it("shows on the user of the request's own sign-in, sign-up and refresh answers (the render server's header fragment)", async () => {
    const ada = await userWithList(2);
    const bob = await userWithList(5);
    const SIGN_IN =
      'mutation ($input: SignInInput!) { signIn(input: $input) { ... on AuthPayload { refreshToken user { id myListCount } } } }';
    const input = { input: { email: ada.user.email, password: ada.user.password } };
    // The password proves the person: the answer is Ada's own, with or without a token on the
    // request (here someone else's), never the token holder's count.
    for (const token of [undefined, bob.token]) {
      const signedIn = await execute<{
        signIn: { refreshToken: string; user: { id: string; myListCount: number } };
      }>(api, SIGN_IN, input, { apiKey: api.publicApiKey, token });
      expect(signedIn.errors).toBeUndefined();
      expect(signedIn.data?.signIn.user).toEqual({
        id: ada.user._id.toHexString(),
        myListCount: 2,
      });
    }
    const refreshed = await execute<{ refreshSession: { user: { myListCount: number } } }>(
      api,
      'mutation ($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { user { myListCount } } }',
      { refreshToken: ada.auth.refreshToken },
      { apiKey: api.publicApiKey },
    );
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data?.refreshSession.user.myListCount).toBe(2);
    const signedUp = await execute<{ signUp: { myListCount: number } }>(
      api,
      'mutation ($input: SignUpInput!) { signUp(input: $input) { id myListCount } }',
      {
        input: {
          name: 'Newcomer',
          email: `new-${new Types.ObjectId().toHexString()}@example.com`,
          password: 'violet harbor tangerine',
        },
      },
      { apiKey: api.publicApiKey },
    );
    expect(signedUp.errors).toBeUndefined();
    expect(signedUp.data?.signUp.myListCount).toBe(0);
  });

  it('is not reachable for anyone else: FORBIDDEN where the request has not proven to be the user', async () => {
    const ada = await userWithList(2);
    const bob = await userWithList(5);
    // A key alone has no `me`.
    const anonymous = await execute<{ me: null }>(api, ME, {}, { apiKey: api.publicApiKey });
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data?.me).toBeNull();

    // A user reached through a mailed link's token (no sign-in): the link holder is not
    // proven to be the user, so no count.
    const email = `verify-${new Types.ObjectId().toHexString()}@example.com`;
    await execute(
      api,
      'mutation ($input: SignUpInput!) { signUp(input: $input) { id } }',
      { input: { name: 'Vera', email, password: 'violet harbor tangerine' } },
      { apiKey: api.publicApiKey },
    );
    const token = linkToken(api, await mailTo(api, email, /confirm/i), '/verify-email');
    const verified = await execute(
      api,
      'mutation ($token: String!) { verifyEmail(token: $token) { id myListCount } }',
      { token },
      { apiKey: api.publicApiKey, token: bob.token },
    );
    expect(errorCode(verified)).toBe('FORBIDDEN');
    expect(firstError(verified).message).toBe('myListCount is only available on your own user');
    expect(firstError(verified).path).toEqual(['verifyEmail', 'myListCount']);
    expect(JSON.stringify(verified)).not.toContain('"myListCount":5');

    // The rule lives in the service: a request proven to be someone else is refused there too.
    const service = api.api.services.userMovies;
    await expect(
      service.count(new Set([bob.user._id.toHexString()]), ada.user._id),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(service.count(new Set(), ada.user._id)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(service.count(new Set([ada.user._id.toHexString()]), ada.user._id)).resolves.toBe(
      2,
    );
  });

  it('needs read:user-movies, like the list itself', async () => {
    const key = await api.api.services.apiKeys.create('no-list', ['signin:auth', 'read:movies']);
    const signedIn = await createSignedInUser(api);
    const auth = await signIn(api, signedIn.user, key.token);
    const result = await execute(api, ME, {}, { apiKey: key.token, token: auth.accessToken });
    expect(errorCode(result)).toBe('FORBIDDEN');
    expect(firstError(result).extensions?.missingScopes).toEqual(['read:user-movies']);
  });

  it('is never cached: a response with it is no-store, even next to the catalog', async () => {
    const { token } = await userWithList(1);
    const response = await request(api.api.app)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('X-API-Key', api.publicApiKey)
      .set('Authorization', `Bearer ${token}`)
      .send(
        JSON.stringify({
          query: '{ movies(first: 1) { edges { node { id } } } me { myListCount } }',
        }),
      );
    expect(response.status).toBe(200);
    expect(response.body.data.me.myListCount).toBe(1);
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
