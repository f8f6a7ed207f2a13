import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import request from 'supertest';
import { createApp } from '../src/app';
import { SigningKeyModel } from '../src/signing-keys';
import type { TestApi } from '../src/testing';
import { startApi } from './execute-operation';
import { createSignedInUser } from './factories';

let api: TestApi;
let jwksUrl: URL;
beforeAll(async () => {
  api = await startApi();
  jwksUrl = new URL('/.well-known/jwks.json', api.url);
});
afterAll(() => api.stop());

/**
 * Another service: it knows the API's JWKS URL, issuer and audience, and nothing else (no
 * secret, no database). A fresh key set each time, as a service that has not cached it yet.
 */
function anotherService() {
  const keySet = createRemoteJWKSet(jwksUrl);
  return (token: string) =>
    jwtVerify(token, keySet, {
      issuer: api.config.jwt.issuer,
      audience: api.config.jwt.audience,
      algorithms: ['EdDSA'],
    });
}

const ME = { query: '{ me { id } }' };
const me = (token: string) =>
  request(api.api.app).post('/graphql').set('Authorization', `Bearer ${token}`).send(ME);

const kidOf = (token: string): string | undefined => decodeProtectedHeader(token).kid;

async function publishedKids(): Promise<string[]> {
  const response = await fetch(jwksUrl);
  const body = (await response.json()) as { keys: { kid: string }[] };
  return body.keys.map((key) => key.kid);
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes the verification keys with a public cache hint and no private member', async () => {
    const response = await fetch(jwksUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.length).toBeGreaterThan(0);
    for (const key of body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    }
    expect(body.keys.map((key) => key.kid)).toContain(
      (await api.api.services.signingKeys.current()).kid,
    );
  });

  it('lets another service verify the API’s tokens with the JWKS alone', async () => {
    const { user, token } = await createSignedInUser(api);
    const { payload, protectedHeader } = await anotherService()(token);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: user._id.toHexString(), email: user.email });
  });

  it('gives a forger nothing: HS256 with JWT_SECRET is refused by the API and by the other service', async () => {
    const { token } = await createSignedInUser(api);
    const { kid } = decodeProtectedHeader(token);
    const forged = await new SignJWT({ ...(await anotherService()(token)).payload })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
      .sign(new TextEncoder().encode(api.jwtSecret));
    await expect(anotherService()(forged)).rejects.toBeInstanceOf(joseErrors.JOSEAlgNotAllowed);
    const response = await me(forged);
    expect(response.status).toBe(401);
    expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('after a rotation: new tokens carry the new kid, old ones verify until the old key’s notAfter, then it is gone', async () => {
    const before = (await createSignedInUser(api)).token;
    const oldKid = kidOf(before);
    const rotated = await api.api.services.signingKeys.rotate();
    const after = (await createSignedInUser(api)).token;
    expect(kidOf(after)).toBe(rotated.kid);
    expect(rotated.kid).not.toBe(oldKid);

    expect(await publishedKids()).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
    for (const token of [before, after]) {
      await anotherService()(token);
      expect((await me(token)).status).toBe(200);
    }
    const stored = await SigningKeyModel.findOne({ kid: oldKid }).lean();
    expect(stored?.notAfter?.getTime()).toBe(
      (stored?.retiredAt?.getTime() ?? 0) + (15 + 5) * 60_000,
    );

    // The old key's notAfter passes (moved, rather than waiting 20 minutes).
    await SigningKeyModel.updateOne(
      { kid: oldKid },
      { $set: { notAfter: new Date(Date.now() - 1000) } },
    );
    await api.api.services.signingKeys.reload();
    expect(await publishedKids()).toEqual([rotated.kid]);
    await expect(anotherService()(before)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    const refused = await me(before);
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await me(after)).status).toBe(200);
  });

  it('is shared by a second API instance: it verifies the first one’s tokens and follows its rotations', async () => {
    // (Counting documents would race the TTL monitor deleting the key the last test expired.)
    const newest = async () =>
      (await SigningKeyModel.findOne().sort({ generation: -1 }).lean())?.generation;
    const newestBefore = await newest();
    const other = await createApp({
      ...api.config,
      signingKeys: { ...api.config.signingKeys, reloadIntervalMs: 100 },
    });
    try {
      // It found the key the first one made instead of making its own.
      expect(await newest()).toBe(newestBefore);
      expect((await other.services.signingKeys.current()).kid).toBe(
        (await api.api.services.signingKeys.current()).kid,
      );
      const { token } = await createSignedInUser(api);
      await expect(other.services.tokens.verify(token)).resolves.toMatchObject({
        sub: expect.any(String),
      });

      // A rotation in the first: its next token (a kid the second never saw) verifies there,
      // and the second signs with the new key from then on.
      const second = await api.api.services.signingKeys.rotate();
      const fresh = (await createSignedInUser(api)).token;
      expect(kidOf(fresh)).toBe(second.kid);
      await expect(other.services.tokens.verify(fresh)).resolves.toBeDefined();
      expect((await other.services.signingKeys.current()).kid).toBe(second.kid);

      // Another rotation, with no token to tell it: the periodic reload picks it up.
      const third = await api.api.services.signingKeys.rotate();
      const deadline = Date.now() + 5_000;
      while ((await other.services.signingKeys.current()).kid !== third.kid) {
        if (Date.now() > deadline) throw new Error('the second instance never reloaded');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const { body } = await request(other.app).get('/.well-known/jwks.json').expect(200);
      expect(body.keys.map((key: { kid: string }) => key.kid)).toEqual(
        expect.arrayContaining([second.kid, third.kid]),
      );
      // Its tokens verify on the first instance and for the other service.
      const signed = await other.services.tokens.sign({
        sub: '65f000000000000000000001',
        sid: '65f000000000000000000002',
        name: 'Ada',
        email: 'ada@example.com',
        scopes: [],
      });
      expect(kidOf(signed.token)).toBe(third.kid);
      await expect(api.api.services.tokens.verify(signed.token)).resolves.toBeDefined();
      await anotherService()(signed.token);
    } finally {
      await other.stop();
    }
  });
});
