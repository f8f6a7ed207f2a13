import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { trusted } from 'mongoose';
import type { ApiConfig } from '../config';
import type { Logger } from '../logger';
import { SigningKeyCipher } from './signing-key.cipher';
import { BASE64URL_32_BYTES, SigningKeyModel } from './signing-key.model';
import type { PublicJwk, SigningKey } from './signing-key.model';

const generateEd25519 = promisify(generateKeyPair);

/** A key that may still have live tokens: verifiers accept its signatures. */
export interface VerificationKey {
  kid: string;
  generation: number;
  publicJwk: PublicJwk;
  publicKey: KeyObject;
  createdAt: Date;
  /** When a newer key took over signing; null for the key that signs. */
  retiredAt: Date | null;
  /** When it stops verifying (and may be deleted); null for the key that signs. */
  notAfter: Date | null;
}

/** The key that signs new tokens. */
export interface ActiveSigningKey {
  kid: string;
  generation: number;
  privateKey: KeyObject;
  createdAt: Date;
}

/** One entry of the published key set: public members only. */
export interface PublicSigningJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** What `GET /.well-known/jwks.json` serves. */
export interface PublicJwkSet {
  keys: PublicSigningJwk[];
}

/** Options of {@link SigningKeyService}. */
export interface SigningKeyServiceOptions {
  /** The clock keys are aged and retired by (default `Date.now`; tests move it). */
  now?: () => number;
}

/** A stored key this process could decrypt, with its private half while it signs. */
interface LoadedKey extends VerificationKey {
  privateKey: KeyObject | null;
}

/** How many stored keys are read: far more than rotation ever leaves behind. */
const MAX_KEYS_READ = 100;

function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * The access tokens' Ed25519 signing keys, shared by every API process through MongoDB and
 * cached in memory. The newest generation signs; older ones verify until every token they
 * signed has expired. Keys are made with a unique generation number, so processes that create
 * one at the same moment (first start-up, the age limit, a rotation) end up with one key: the
 * losers read the winner's. Every process reloads periodically and on an unknown `kid`, so a
 * rotation anywhere is picked up everywhere.
 */
export class SigningKeyService {
  private readonly cipher: SigningKeyCipher;
  private readonly now: () => number;
  private readonly timings: ApiConfig['signingKeys'];
  /** How long a retired key keeps verifying: the token lifetime plus the margin. */
  private readonly verifyAfterRetirementMs: number;
  private readonly logger: Logger;

  /** Trusted keys, oldest generation first. */
  private keys: LoadedKey[] = [];
  /** The highest generation stored, trusted or not (the next key gets one more). */
  private maxGeneration = 0;
  private loaded = false;
  /** When an unknown kid last made this process read the keys (its clock). */
  private lastUnknownKidReloadAt = Number.NEGATIVE_INFINITY;
  /** The unknown-kid reload every such token waits for (at most one per interval). */
  private unknownKidReload: Promise<void> | null = null;
  /** Each load's ticket; only a newer read than the one applied replaces the cache. */
  private loadTicket = 0;
  private appliedTicket = 0;
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | null = null;
  /** Kids already reported as untrusted, so a reload every minute does not repeat the warning. */
  private readonly reportedUntrusted = new Set<string>();

  constructor(
    config: Pick<ApiConfig, 'jwt' | 'signingKeys'>,
    logger: Logger,
    options: SigningKeyServiceOptions = {},
  ) {
    const { signingKeys } = config;
    if (signingKeys.retirementMarginMs < signingKeys.reloadIntervalMs) {
      // Another process may sign with a retired key until its next reload: its tokens must
      // still verify for their whole lifetime.
      throw new TypeError('signingKeys.retirementMarginMs must cover reloadIntervalMs');
    }
    this.cipher = new SigningKeyCipher(config.jwt.secret);
    this.now = options.now ?? Date.now;
    this.timings = signingKeys;
    this.verifyAfterRetirementMs =
      config.jwt.accessTokenTtlSeconds * 1000 + signingKeys.retirementMarginMs;
    this.logger = logger.child({ component: 'signing-keys' });
  }

  /**
   * Start-up: makes sure a usable key exists, applies the age limit, then reloads and rechecks
   * every `reloadIntervalMs`. Rejects when the database cannot give it a key.
   */
  async start(): Promise<void> {
    await this.ensureKey();
    await this.enforceAgeLimit();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh().finally(() => {
        this.refreshing = null;
      });
    }, this.timings.reloadIntervalMs);
    // The reload must never keep the process alive on its own (graceful shutdown, jest).
    this.timer.unref();
  }

  /** Stops the periodic reload; resolves once a reload in progress has settled. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /**
   * What the timer runs: reloads the keys, makes a key if none can sign, and rotates when the
   * signing key has reached the age limit. Never throws: on a database error the keys in
   * memory stay in use (their `notAfter` still applies) and the next tick tries again.
   */
  async refresh(): Promise<void> {
    try {
      await this.reload();
      if (!this.signing()) await this.ensureKey();
      await this.enforceAgeLimit();
    } catch (error) {
      this.logger.warn({ err: error }, 'signing keys: reload failed; keeping the keys in memory');
    }
  }

  /** Reads the keys from the database now (concurrent calls share one read). */
  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /**
   * The key that signs: the newest generation, when this process can decrypt it and it has not
   * been retired. Creates the first key when none exists.
   */
  async current(): Promise<ActiveSigningKey> {
    if (!this.loaded) await this.reload();
    return this.signing() ?? (await this.ensureKey());
  }

  /**
   * Makes sure a key can sign: creates generation 1 on an empty collection (or the next one
   * when no stored key is usable here). Safe to call from several processes at once: exactly
   * one key is made, and every caller gets it.
   */
  async ensureKey(): Promise<ActiveSigningKey> {
    // The unique index on `generation` is what serialises concurrent creators.
    await SigningKeyModel.init();
    await this.reload();
    return this.signing() ?? (await this.create(this.maxGeneration + 1));
  }

  /**
   * Adds a key that signs from now on; the previous one stops signing and keeps verifying until
   * its tokens have expired. When another process rotates at the same moment, its new key is
   * the one (one rotation, not two) and is returned.
   */
  async rotate(): Promise<ActiveSigningKey> {
    await SigningKeyModel.init();
    // A read of its own: one in flight may predate another rotation, whose generation this
    // would then collide with instead of adding the next.
    await this.load();
    return this.create(this.maxGeneration + 1);
  }

  /** Every key that may still have live tokens, oldest first (from memory; loads once). */
  async verificationKeys(): Promise<VerificationKey[]> {
    if (!this.loaded) await this.reload();
    return this.live().map(
      ({ kid, generation, publicJwk, publicKey, createdAt, retiredAt, notAfter }) => ({
        kid,
        generation,
        publicJwk,
        publicKey,
        createdAt,
        retiredAt,
        notAfter,
      }),
    );
  }

  /**
   * The public key for a token's `kid`, or null. An unknown kid may be a key another process
   * just made, so the keys are read again once, and only for a kid shaped like ours. Those reads
   * happen at most once per `unknownKidReloadMs`: a token arriving sooner waits for the next one
   * (shared by every such token) instead of being refused, so a genuine new key is never
   * missed, and a stream of forged kids costs one read per interval and only slows itself.
   */
  async keyFor(kid: string): Promise<KeyObject | null> {
    if (!this.loaded) await this.reload();
    const known = this.live().find((key) => key.kid === kid);
    if (known) return known.publicKey;
    if (!BASE64URL_32_BYTES.test(kid)) return null;
    await this.reloadForUnknownKid();
    return this.live().find((key) => key.kid === kid)?.publicKey ?? null;
  }

  /** The public key set other services verify access tokens with: never a private member. */
  async jwks(): Promise<PublicJwkSet> {
    const keys = await this.verificationKeys();
    return {
      keys: keys.map(({ kid, publicJwk }) => ({
        kty: 'OKP',
        crv: 'Ed25519',
        x: publicJwk.x,
        kid,
        alg: 'EdDSA',
        use: 'sig',
      })),
    };
  }

  private reloadForUnknownKid(): Promise<void> {
    this.unknownKidReload ??= (async () => {
      const wait = this.lastUnknownKidReloadAt + this.timings.unknownKidReloadMs - this.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
      }
      this.lastUnknownKidReloadAt = this.now();
      // A read of its own, not a share of one in flight that may have started before the key
      // was made.
      await this.load();
    })().finally(() => {
      this.unknownKidReload = null;
    });
    return this.unknownKidReload;
  }

  /** Trusted keys that have not passed their `notAfter` by this process's clock. */
  private live(): LoadedKey[] {
    const now = this.now();
    return this.keys.filter((key) => key.notAfter === null || key.notAfter.getTime() > now);
  }

  /** The newest stored generation, if it is trusted here and still signs. */
  private signing(): ActiveSigningKey | null {
    const newest = this.keys.at(-1);
    if (
      !newest?.privateKey ||
      newest.generation !== this.maxGeneration ||
      newest.retiredAt !== null
    ) {
      return null;
    }
    const { kid, generation, privateKey, createdAt } = newest;
    return { kid, generation, privateKey, createdAt };
  }

  /** Rotates when the signing key is older than the age limit (one new key across processes). */
  private async enforceAgeLimit(): Promise<void> {
    const current = this.signing();
    if (!current) return;
    const ageMs = this.now() - current.createdAt.getTime();
    if (ageMs < this.timings.maxAgeMs) return;
    this.logger.info(
      { kid: current.kid, ageDays: Math.floor(ageMs / 86_400_000) },
      'signing key reached its age limit: rotating',
    );
    await this.create(this.maxGeneration + 1);
  }

  /** Makes key `generation`; when another process made it first, returns that one instead. */
  private async create(generation: number): Promise<ActiveSigningKey> {
    const { publicKey, privateKey } = await generateEd25519('ed25519');
    const { x } = publicKey.export({ format: 'jwk' });
    if (typeof x !== 'string') throw new TypeError('Ed25519 public key without x');
    const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const createdAt = new Date(this.now());
    try {
      await SigningKeyModel.create({
        generation,
        kid,
        publicJwk,
        privateKey: this.cipher.encrypt(pkcs8, kid),
        createdAt,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Another process made this generation first: its key is the one (read it, not ours).
      await this.load();
      const winner = this.signing();
      if (!winner) {
        throw new Error(
          `signing key generation ${generation} was made by another process but cannot be used here (a different JWT_SECRET?)`,
        );
      }
      return winner;
    }
    await this.retireOlderThan(generation, createdAt);
    this.logger.info({ kid, generation }, 'new access-token signing key');
    await this.load();
    return this.signing() ?? { kid, generation, privateKey, createdAt };
  }

  /** Ends signing for every key older than `generation`: it verifies until its tokens expire. */
  private async retireOlderThan(generation: number, at: Date): Promise<void> {
    await SigningKeyModel.updateMany(
      { generation: trusted({ $lt: generation }), retiredAt: null },
      {
        $set: { retiredAt: at, notAfter: new Date(at.getTime() + this.verifyAfterRetirementMs) },
      },
    );
  }

  private async load(): Promise<void> {
    const ticket = ++this.loadTicket;
    const docs = (
      await SigningKeyModel.find()
        .sort({ generation: -1 })
        .limit(MAX_KEYS_READ)
        .lean<SigningKey[]>()
        .exec()
    ).reverse();
    const newest = docs.at(-1);
    // A creator that stopped between its insert and retiring the older keys left them "active":
    // any reader finishes the job, with the values the creator would have written.
    if (newest && docs.some((doc) => doc.generation < newest.generation && !doc.retiredAt)) {
      await this.retireOlderThan(newest.generation, newest.createdAt);
      const notAfter = new Date(newest.createdAt.getTime() + this.verifyAfterRetirementMs);
      for (const doc of docs) {
        if (doc.generation < newest.generation && !doc.retiredAt) {
          doc.retiredAt = newest.createdAt;
          doc.notAfter = notAfter;
        }
      }
    }
    const keys: LoadedKey[] = [];
    for (const doc of docs) {
      const key = await this.trust(doc);
      if (key) keys.push(key);
    }
    if (ticket < this.appliedTicket) return;
    this.appliedTicket = ticket;
    this.keys = keys;
    this.maxGeneration = newest?.generation ?? 0;
    this.loaded = true;
  }

  /**
   * A stored key, if it is one of ours: its private half decrypts with this API's secret and
   * matches the public half and the kid. So write access to the database alone cannot add a
   * key that verifies (the public half is stored in clear), and a secret that changed makes the
   * old keys stop signing and verifying (a new one is made).
   */
  private async trust(doc: SigningKey): Promise<LoadedKey | null> {
    try {
      const privateKey = createPrivateKey({
        key: this.cipher.decrypt(doc.privateKey, doc.kid),
        format: 'der',
        type: 'pkcs8',
      });
      const publicKey = createPublicKey(privateKey);
      const { x } = publicKey.export({ format: 'jwk' });
      const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: doc.publicJwk.x };
      if (
        privateKey.asymmetricKeyType !== 'ed25519' ||
        x !== doc.publicJwk.x ||
        doc.kid !== (await calculateJwkThumbprint(publicJwk, 'sha256'))
      ) {
        throw new TypeError('the private key does not match the public key and kid');
      }
      return {
        kid: doc.kid,
        generation: doc.generation,
        publicJwk,
        publicKey,
        // Only the signing key's private half stays in memory.
        privateKey: doc.retiredAt ? null : privateKey,
        createdAt: doc.createdAt,
        retiredAt: doc.retiredAt ?? null,
        notAfter: doc.notAfter ?? null,
      };
    } catch (error) {
      if (!this.reportedUntrusted.has(doc.kid)) {
        this.reportedUntrusted.add(doc.kid);
        this.logger.error(
          { kid: doc.kid, generation: doc.generation, reason: (error as Error).message },
          'signing key does not decrypt with this JWT_SECRET (was the secret changed?): it neither signs nor verifies here',
        );
      }
      return null;
    }
  }
}
