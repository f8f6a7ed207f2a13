import { errorCode, execute, startApi } from '../../test/execute-operation';
import { createSignedInUser } from '../../test/factories';
import type { TestApi } from '../testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const ME = `{ me { id name email isAdmin hasPassword providers createdAt updatedAt } }`;

describe('me', () => {
  it('returns the signed-in user (with or without the key alongside)', async () => {
    const { user, token } = await createSignedInUser(api);
    for (const credentials of [{ token }, { token, apiKey: api.publicApiKey }]) {
      const result = await execute<{ me: Record<string, unknown> }>(api, ME, {}, credentials);
      expect(result.errors).toBeUndefined();
      expect(result.data?.me).toMatchObject({
        id: user._id.toHexString(),
        name: user.name,
        email: user.email,
        isAdmin: false,
        hasPassword: true,
        providers: [],
      });
      expect(Date.parse(String(result.data?.me.createdAt))).not.toBeNaN();
    }
  });

  it('is null for an API key alone', async () => {
    const result = await execute<{ me: null }>(api, ME, {}, { apiKey: api.publicApiKey });
    expect(result.errors).toBeUndefined();
    expect(result.data?.me).toBeNull();
  });

  it('is UNAUTHENTICATED without credentials', async () => {
    expect(errorCode(await execute(api, ME))).toBe('UNAUTHENTICATED');
  });

  it('fails the request for a bad API key or a malformed, forged or foreign token', async () => {
    await expect(execute(api, ME, {}, { apiKey: 'unknown-key' })).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(execute(api, ME, {}, { token: 'not.a.jwt' })).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const { token } = await createSignedInUser(api);
    const [header, payload] = token.split('.');
    // alg "none" and a re-signed payload are both refused (the algorithm is pinned).
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    await expect(execute(api, ME, {}, { token: none })).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(
      execute(api, ME, {}, { token: `${header}.${payload}.AAAA` }),
    ).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
