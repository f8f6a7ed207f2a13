import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
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

  it('refuses tokens a forger can make: HS256 with JWT_SECRET, another Ed25519 key, an unknown kid, a changed payload', async () => {
    const { token } = await createSignedInUser(api);
    const claims = decodeJwt(token);
    const { kid } = decodeProtectedHeader(token);
    const [header, , signature] = token.split('.');
    const attacker = generateKeyPairSync('ed25519').privateKey;
    const forgeries = [
      // What the API accepted before its tokens were EdDSA: the same claims, the secret as key.
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
        .sign(new TextEncoder().encode(api.jwtSecret)),
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid })
        .sign(attacker),
      await new SignJWT(claims)
        .setProtectedHeader({
          alg: 'EdDSA',
          typ: 'JWT',
          kid: randomBytes(32).toString('base64url'),
        })
        .sign(attacker),
      `${header}.${Buffer.from(JSON.stringify({ ...claims, scopes: ['create:movies'] })).toString('base64url')}.${signature}`,
    ];
    for (const forged of forgeries) {
      await expect(execute(api, ME, {}, { token: forged })).rejects.toMatchObject({
        extensions: { code: 'UNAUTHENTICATED' },
      });
    }
    // The genuine token still works.
    expect((await execute(api, ME, {}, { token })).errors).toBeUndefined();
  });
});
