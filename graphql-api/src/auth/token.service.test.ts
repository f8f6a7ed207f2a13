import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { testMongoUri } from '../../test/execute-operation';
import { loadConfig } from '../config';
import { connectDatabase, disconnectDatabase } from '../database';
import { createLogger } from '../logger';
import { Scope } from '../shared/scopes';
import { SigningKeyModel, SigningKeyService } from '../signing-keys';
import { testEnv, uniqueDbName } from '../testing';
import type { AccessTokenClaims } from './token.service';
import { TokenService } from './token.service';

const config = loadConfig(testEnv(testMongoUri()));
const CLAIMS: AccessTokenClaims = {
  sub: '65f000000000000000000001',
  sid: '65f000000000000000000002',
  name: 'Ada',
  email: 'ada@example.com',
  scopes: [Scope.ReadMovies],
};
/** A retired key verifies for the 15-minute token lifetime plus the 5-minute margin. */
const VERIFY_AFTER_RETIREMENT_MS = 20 * 60_000;

let clock: number;
let keys: SigningKeyService;
let tokens: TokenService;

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('tokens') }));
afterAll(() => disconnectDatabase());
beforeEach(async () => {
  await SigningKeyModel.deleteMany({});
  clock = Date.now();
  keys = new SigningKeyService(config, createLogger('silent'), { now: () => clock });
  tokens = new TokenService(config.jwt, keys);
  await keys.ensureKey();
});
afterEach(() => jest.restoreAllMocks());

/** The claims of a real token, for forgeries that change one thing. */
function payload(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sid: CLAIMS.sid,
    name: CLAIMS.name,
    email: CLAIMS.email,
    scopes: CLAIMS.scopes,
    sub: CLAIMS.sub,
    iss: config.jwt.issuer,
    aud: config.jwt.audience,
    iat: now,
    exp: now + 900,
    ...overrides,
  };
}

const refusal = (token: string) =>
  tokens.verify(token).then(
    () => 'accepted',
    (error: { message?: string; extensions?: { code?: string } }) =>
      `${error.extensions?.code}: ${error.message}`,
  );

describe('TokenService', () => {
  it('signs EdDSA with the current key’s kid and verifies its own tokens', async () => {
    const { token, expiresAt } = await tokens.sign(CLAIMS);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      typ: 'JWT',
      kid: (await keys.current()).kid,
    });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
    expect(await tokens.verify(token)).toEqual(CLAIMS);
  });

  it('refuses an HS256 token signed with JWT_SECRET, even with a valid kid and claims', async () => {
    const { kid } = await keys.current();
    const forged = await new SignJWT(payload())
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
      .sign(new TextEncoder().encode(config.jwt.secret));
    expect(await refusal(forged)).toBe('UNAUTHENTICATED: Invalid access token');
  });

  it('refuses alg none and other algorithms', async () => {
    const { kid } = await keys.current();
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const alg of ['none', 'None', 'RS256', 'ES256']) {
      const header = encode({ alg, typ: 'JWT', kid });
      expect(await refusal(`${header}.${encode(payload())}.`)).toBe(
        'UNAUTHENTICATED: Invalid access token',
      );
    }
  });

  it('refuses a token signed by another Ed25519 key under a known kid', async () => {
    const { kid } = await keys.current();
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = await new SignJWT(payload())
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid })
      .sign(privateKey);
    expect(await refusal(forged)).toBe('UNAUTHENTICATED: Invalid access token');
  });

  it('refuses a changed payload (more scopes) under the original signature', async () => {
    const { token } = await tokens.sign(CLAIMS);
    const [header, , signature] = token.split('.');
    const changed = Buffer.from(
      JSON.stringify(payload({ scopes: [Scope.ReadMovies, Scope.DeleteMovies] })),
    ).toString('base64url');
    expect(await refusal(`${header}.${changed}.${signature}`)).toBe(
      'UNAUTHENTICATED: Invalid access token',
    );
  });

  it('refuses an unknown kid (after one reload) and a token without a kid', async () => {
    const { privateKey } = await keys.current();
    for (const header of [
      { alg: 'EdDSA', kid: randomBytes(32).toString('base64url') },
      { alg: 'EdDSA', kid: 'not-a-kid' },
      { alg: 'EdDSA' },
    ]) {
      const token = await new SignJWT(payload()).setProtectedHeader(header).sign(privateKey);
      expect(await refusal(token)).toBe('UNAUTHENTICATED: Invalid access token');
    }
  });

  it('pins issuer and audience, and says when a token expired', async () => {
    const { kid, privateKey } = await keys.current();
    const sign = (claims: JWTPayload) =>
      new SignJWT(payload(claims)).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
    expect(await refusal(await sign({ iss: 'someone-else' }))).toBe(
      'UNAUTHENTICATED: Invalid access token',
    );
    expect(await refusal(await sign({ aud: 'another-audience' }))).toBe(
      'UNAUTHENTICATED: Invalid access token',
    );
    const past = Math.floor(Date.now() / 1000) - 60;
    expect(await refusal(await sign({ iat: past - 900, exp: past }))).toBe(
      'UNAUTHENTICATED: Access token expired',
    );
  });

  it('after a rotation: new tokens carry the new kid, old ones verify until their key’s notAfter', async () => {
    const before = await tokens.sign(CLAIMS);
    const old = await keys.current();
    const rotatedAt = clock;
    const rotated = await keys.rotate();
    const after = await tokens.sign(CLAIMS);
    expect(decodeProtectedHeader(after.token).kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(before.token).kid).toBe(old.kid);
    expect(await tokens.verify(before.token)).toEqual(CLAIMS);

    clock = rotatedAt + VERIFY_AFTER_RETIREMENT_MS - 1_000;
    expect(await tokens.verify(before.token)).toEqual(CLAIMS);
    clock = rotatedAt + VERIFY_AFTER_RETIREMENT_MS + 1_000;
    expect(await refusal(before.token)).toBe('UNAUTHENTICATED: Invalid access token');
    expect(await tokens.verify(after.token)).toEqual(CLAIMS);
  });

  it('lets a failure to read the keys through (SERVICE_UNAVAILABLE), never UNAUTHENTICATED', async () => {
    const { privateKey } = await keys.current();
    const token = await new SignJWT(payload())
      .setProtectedHeader({ alg: 'EdDSA', kid: randomBytes(32).toString('base64url') })
      .sign(privateKey);
    const down = Object.assign(new Error('connection refused'), {
      name: 'MongoServerSelectionError',
    });
    jest.spyOn(keys, 'keyFor').mockRejectedValueOnce(down);
    await expect(tokens.verify(token)).rejects.toBe(down);
  });
});
