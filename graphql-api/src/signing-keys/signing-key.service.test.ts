import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { testMongoUri } from '../../test/execute-operation';
import type { ApiConfig } from '../config';
import { loadConfig } from '../config';
import { connectDatabase, disconnectDatabase } from '../database';
import { createLogger } from '../logger';
import { testEnv, uniqueDbName } from '../testing';
import { SigningKeyCipher } from './signing-key.cipher';
import { SigningKeyModel } from './signing-key.model';
import { SigningKeyService } from './signing-key.service';

const base = loadConfig(testEnv(testMongoUri()));
const logger = createLogger('silent');
const DAY_MS = 86_400_000;
/** How long a retired key verifies: the 15-minute token lifetime plus the 5-minute margin. */
const VERIFY_AFTER_RETIREMENT_MS = 15 * 60_000 + 5 * 60_000;

/** The clock every service of a test shares (moved by the test; the database's is real). */
let clock: number;

/** One API process's key service (its own memory, the shared database). */
function processKeys(
  overrides: { secret?: string; signingKeys?: Partial<ApiConfig['signingKeys']> } = {},
): SigningKeyService {
  return new SigningKeyService(
    {
      jwt: { ...base.jwt, secret: overrides.secret ?? base.jwt.secret },
      signingKeys: { ...base.signingKeys, ...overrides.signingKeys },
    },
    logger,
    { now: () => clock },
  );
}

const started: SigningKeyService[] = [];

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('signing_keys') }));
afterAll(() => disconnectDatabase());
beforeEach(async () => {
  clock = Date.now();
  await SigningKeyModel.deleteMany({});
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((keys) => keys.stop()));
  jest.restoreAllMocks();
});

/** Every property name anywhere in a stored document. */
function propertyNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(propertyNames);
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  if ('_bsontype' in value) return [];
  return Object.entries(value).flatMap(([name, inner]) => [name, ...propertyNames(inner)]);
}

describe('SigningKeyService', () => {
  it('makes the first key at start-up, and exactly one when several processes start at once', async () => {
    const processes = Array.from({ length: 6 }, () => processKeys());
    const made = await Promise.all(processes.map((keys) => keys.ensureKey()));
    expect(await SigningKeyModel.countDocuments()).toBe(1);
    const kid = made[0]?.kid;
    expect(made.map((key) => key.kid)).toEqual(processes.map(() => kid));
    // Every process signs with it, and a later start-up reuses it.
    for (const keys of processes) expect((await keys.current()).kid).toBe(kid);
    const later = processKeys();
    started.push(later);
    await later.start();
    expect((await later.current()).kid).toBe(kid);
    expect(await SigningKeyModel.countDocuments()).toBe(1);
  });

  it('stores the private key only encrypted (no JWK `d`, not its bytes), bound to its kid', async () => {
    const keys = processKeys();
    const { kid, privateKey } = await keys.ensureKey();
    const raw = await SigningKeyModel.collection.findOne({ kid });
    expect(raw).not.toBeNull();
    expect(propertyNames(raw)).not.toContain('d');
    const { d } = privateKey.export({ format: 'jwk' });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const text = JSON.stringify(raw);
    for (const secret of [d, pkcs8.toString('base64url'), pkcs8.toString('base64')]) {
      expect(typeof secret === 'string' && secret.length > 0).toBe(true);
      expect(text).not.toContain(secret);
    }
    expect(raw?.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    expect(raw?.privateKey).toEqual({
      alg: 'A256GCM',
      iv: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      tag: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      ciphertext: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
    // The ciphertext opens only with the secret and for this kid.
    const cipher = new SigningKeyCipher(base.jwt.secret);
    const encrypted = raw?.privateKey as Parameters<SigningKeyCipher['decrypt']>[0];
    expect(cipher.decrypt(encrypted, kid)).toEqual(pkcs8);
    expect(() => cipher.decrypt(encrypted, 'A'.repeat(43))).toThrow();
    expect(() => new SigningKeyCipher('x'.repeat(40)).decrypt(encrypted, kid)).toThrow();
  });

  it('drops a private JWK member a writer passes: the schema has no place for it', async () => {
    const keys = processKeys();
    await keys.ensureKey();
    const found = await SigningKeyModel.collection.findOne({});
    if (!found) throw new Error('no key stored');
    const { _id: _ignored, ...raw } = found;
    await SigningKeyModel.deleteMany({});
    // A careless writer (a script, a future change) passes the whole private JWK along.
    const careless: Record<string, unknown> = {
      ...raw,
      publicJwk: { ...raw.publicJwk, d: 'private-part' },
      d: 'private-part',
    };
    const created = await new SigningKeyModel(careless).save();
    const stored = await SigningKeyModel.collection.findOne({ _id: created._id });
    expect(stored?.kid).toBe(raw.kid);
    expect(propertyNames(stored)).not.toContain('d');
  });

  it('rotates: the new key signs, the old one verifies for the token lifetime plus the margin, then is gone', async () => {
    const keys = processKeys();
    const first = await keys.ensureKey();
    clock += 3 * DAY_MS;
    const rotatedAt = clock;
    const second = await keys.rotate();
    expect(second.kid).not.toBe(first.kid);
    expect(second.generation).toBe(first.generation + 1);
    expect((await keys.current()).kid).toBe(second.kid);

    const verifying = await keys.verificationKeys();
    expect(verifying.map((key) => key.kid)).toEqual([first.kid, second.kid]);
    expect(verifying[0]?.retiredAt?.getTime()).toBe(rotatedAt);
    expect(verifying[0]?.notAfter?.getTime()).toBe(rotatedAt + VERIFY_AFTER_RETIREMENT_MS);
    expect(verifying[1]).toMatchObject({ retiredAt: null, notAfter: null });
    expect(await keys.keyFor(first.kid)).not.toBeNull();

    clock = rotatedAt + VERIFY_AFTER_RETIREMENT_MS - 1;
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([first.kid, second.kid]);
    clock = rotatedAt + VERIFY_AFTER_RETIREMENT_MS + 1;
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([second.kid]);
    expect(await keys.keyFor(first.kid)).toBeNull();
    // A new service (another process) sees the same.
    expect((await processKeys().verificationKeys()).map((key) => key.kid)).toEqual([second.kid]);
  });

  it('publishes public members only', async () => {
    const keys = processKeys();
    const { kid } = await keys.ensureKey();
    const jwks = await keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(Object.keys(jwk ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid });
    // The kid is the key's RFC 7638 thumbprint.
    expect(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk?.x })).toBe(kid);
  });

  it('lets MongoDB delete a key after it stops verifying (TTL index on notAfter), unique kid and generation', async () => {
    await SigningKeyModel.init();
    const indexes = await SigningKeyModel.collection.indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { notAfter: 1 }, expireAfterSeconds: 0 }),
    );
    expect(indexes).toContainEqual(expect.objectContaining({ key: { kid: 1 }, unique: true }));
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { generation: 1 }, unique: true }),
    );
  });

  it('rotates a key at the 30-day age limit, once, however many processes check at the same time', async () => {
    const processes = Array.from({ length: 4 }, () => processKeys());
    const first = await processes[0]?.ensureKey();
    await Promise.all(processes.map((keys) => keys.refresh()));
    clock += 30 * DAY_MS - 60_000;
    await Promise.all(processes.map((keys) => keys.refresh()));
    expect(await SigningKeyModel.countDocuments()).toBe(1);

    clock += 120_000;
    await Promise.all(processes.map((keys) => keys.refresh()));
    expect(await SigningKeyModel.countDocuments()).toBe(2);
    const kids = await Promise.all(processes.map(async (keys) => (await keys.current()).kid));
    expect(new Set(kids).size).toBe(1);
    expect(kids[0]).not.toBe(first?.kid);
    // The old key still verifies everywhere.
    for (const keys of processes) expect(await keys.keyFor(first?.kid ?? '')).not.toBeNull();
  });

  it('applies the age limit at start-up too', async () => {
    const old = await processKeys().ensureKey();
    clock += 31 * DAY_MS;
    const keys = processKeys();
    started.push(keys);
    await keys.start();
    expect((await keys.current()).kid).not.toBe(old.kid);
    expect(await SigningKeyModel.countDocuments()).toBe(2);
  });

  it('picks up another process’s rotation on an unknown kid, reading the keys at most once per interval', async () => {
    const a = processKeys();
    const b = processKeys({ signingKeys: { unknownKidReloadMs: 1000 } });
    const first = await a.ensureKey();
    expect((await b.current()).kid).toBe(first.kid);
    const second = await a.rotate();
    // b still signs with the first key until it reloads; a token with the new kid makes it.
    expect((await b.current()).kid).toBe(first.kid);
    expect(await b.keyFor(second.kid)).not.toBeNull();
    expect((await b.current()).kid).toBe(second.kid);

    // Forged kids right after: they wait for the next allowed read, which they share.
    const reads = jest.spyOn(SigningKeyModel, 'find');
    const startedAt = Date.now();
    const forged = Array.from({ length: 5 }, () => randomBytes(32).toString('base64url'));
    expect(await Promise.all(forged.map((kid) => b.keyFor(kid)))).toEqual(forged.map(() => null));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    expect(reads).toHaveBeenCalledTimes(1);
    // Not shaped like a kid of ours: refused without a read.
    expect(await b.keyFor('not-a-kid')).toBeNull();
    expect(reads).toHaveBeenCalledTimes(1);

    // A rotation during the wait is found by the read the token waits for.
    const waiting = b.keyFor(randomBytes(32).toString('base64url'));
    const third = await a.rotate();
    const readsBefore = reads.mock.calls.length;
    await waiting;
    expect(reads.mock.calls.length - readsBefore).toBe(1);
    expect(await b.keyFor(third.kid)).not.toBeNull();
    expect(reads.mock.calls.length - readsBefore).toBe(1);
  });

  it('picks up another process’s rotation on the periodic reload', async () => {
    const a = processKeys();
    const b = processKeys({ signingKeys: { reloadIntervalMs: 50 } });
    started.push(b);
    await b.start();
    const next = await a.rotate();
    const deadline = Date.now() + 5_000;
    while ((await b.current()).kid !== next.kid && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await b.current()).kid).toBe(next.kid);
  });

  it('finishes a rotation that stopped before retiring the previous key', async () => {
    const keys = processKeys();
    const first = await keys.ensureKey();
    const second = await keys.rotate();
    await SigningKeyModel.updateOne(
      { kid: first.kid },
      { $set: { retiredAt: null, notAfter: null } },
    );
    const other = processKeys();
    expect((await other.current()).kid).toBe(second.kid);
    const stored = await SigningKeyModel.findOne({ kid: first.kid }).lean();
    expect(stored?.retiredAt?.getTime()).toBe(second.createdAt.getTime());
    expect(stored?.notAfter?.getTime()).toBe(
      second.createdAt.getTime() + VERIFY_AFTER_RETIREMENT_MS,
    );
  });

  it('trusts no key written without the secret: a public key added to the database neither verifies nor signs', async () => {
    const keys = processKeys();
    const ours = await keys.ensureKey();
    const { publicKey } = generateKeyPairSync('ed25519');
    const { x } = publicKey.export({ format: 'jwk' });
    const publicJwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: x ?? '' };
    const kid = await calculateJwkThumbprint(publicJwk);
    await SigningKeyModel.create({
      generation: ours.generation + 1,
      kid,
      publicJwk,
      privateKey: {
        alg: 'A256GCM',
        iv: randomBytes(12).toString('base64url'),
        tag: randomBytes(16).toString('base64url'),
        ciphertext: randomBytes(48).toString('base64url'),
      },
    });
    await keys.reload();
    expect(await keys.keyFor(kid)).toBeNull();
    expect((await keys.jwks()).keys.map((key) => key.kid)).not.toContain(kid);
    // The newest generation is not ours, so it cannot sign: a new key of ours takes over.
    const current = await keys.current();
    expect(current.kid).not.toBe(kid);
    expect(current.generation).toBe(ours.generation + 2);
  });

  it('makes a new key when JWT_SECRET changed: the old ones no longer sign or verify', async () => {
    const before = await processKeys().ensureKey();
    const changed = processKeys({ secret: 'a-brand-new-token-secret-0123456789abcdef' });
    const after = await changed.ensureKey();
    expect(after.kid).not.toBe(before.kid);
    expect((await changed.verificationKeys()).map((key) => key.kid)).toEqual([after.kid]);
  });
});
