import type { Scope } from '../shared/scopes';
import { isScope } from '../shared/scopes';
import { hashToken, randomToken } from '../shared/tokens';
import type { ApiKey } from './api-key.model';
import { ApiKeyModel } from './api-key.model';
import type { DocumentPolicy } from './document-policy';

/** The key a request was made with, as the context holds it. */
export interface ApiKeyPrincipal {
  id: string;
  name: string;
  scopes: readonly Scope[];
  /** Whether the API believes the `X-Client-IP` this key's requests send (the render server). */
  forwardsClientIp: boolean;
  /** Whether the key's requests may carry full documents (`any`) or only manifest ids. */
  documentPolicy: DocumentPolicy;
}

/** What a key may do besides its scopes (both default to the least special: false, `any`). */
export interface ApiKeyOptions {
  forwardsClientIp?: boolean;
  documentPolicy?: DocumentPolicy;
}

/**
 * How long a process believes what it read about a key. Keys are looked up on every request;
 * one indexed read per key per second per process keeps that off the database, and bounds how
 * long a revoked or changed key keeps working anywhere: at most this long (plus one read).
 */
export const API_KEY_CACHE_TTL_MS = 1000;

export class ApiKeyService {
  /** Per token hash: the lookup (settled or in flight, so a burst shares one read) and its age. */
  private readonly cache = new Map<
    string,
    { lookup: Promise<ApiKeyPrincipal | null>; expires: number }
  >();

  /** The key with this token (not revoked), or null. */
  findByToken(token: string): Promise<ApiKeyPrincipal | null> {
    const tokenHash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(tokenHash);
    if (cached && cached.expires > now) return cached.lookup;
    const lookup = ApiKeyModel.findOne({ tokenHash, revokedAt: null })
      .lean<ApiKey>()
      .then((key) => (key ? toPrincipal(key) : null));
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(tokenHash, { lookup, expires: now + API_KEY_CACHE_TTL_MS });
    // A failed read (the database gone) is not remembered.
    lookup.catch(() => {
      if (this.cache.get(tokenHash)?.lookup === lookup) this.cache.delete(tokenHash);
    });
    return lookup;
  }

  /**
   * Revokes a key: every process refuses it within {@link API_KEY_CACHE_TTL_MS}. True when a
   * live key was revoked.
   */
  async revoke(keyId: string): Promise<boolean> {
    const result = await ApiKeyModel.updateOne(
      { _id: keyId, revokedAt: null },
      { $set: { revokedAt: new Date() } },
    );
    this.cache.clear();
    return result.modifiedCount > 0;
  }

  /** Makes sure a key with exactly this token exists with these scopes; true when created. */
  async ensure(
    name: string,
    token: string,
    scopes: readonly Scope[],
    options: ApiKeyOptions = {},
  ): Promise<boolean> {
    const result = await ApiKeyModel.updateOne(
      { tokenHash: hashToken(token) },
      {
        $set: {
          scopes: [...scopes],
          forwardsClientIp: options.forwardsClientIp ?? false,
          documentPolicy: options.documentPolicy ?? 'any',
        },
        $setOnInsert: { name },
      },
      { upsert: true },
    );
    this.cache.clear();
    return result.upsertedCount > 0;
  }

  /** Creates a key with a random token; the token is returned here and never again. */
  async create(
    name: string,
    scopes: readonly Scope[],
    options: ApiKeyOptions = {},
  ): Promise<{ key: ApiKeyPrincipal; token: string }> {
    const token = randomToken();
    const key = await ApiKeyModel.create({
      name,
      tokenHash: hashToken(token),
      scopes: [...scopes],
      forwardsClientIp: options.forwardsClientIp ?? false,
      documentPolicy: options.documentPolicy ?? 'any',
    });
    return { key: toPrincipal(key.toObject<ApiKey>()), token };
  }

  async countByName(name: string): Promise<number> {
    return ApiKeyModel.countDocuments({ name });
  }
}

function toPrincipal(key: ApiKey): ApiKeyPrincipal {
  return {
    id: key._id.toHexString(),
    name: key.name,
    scopes: key.scopes.filter(isScope),
    forwardsClientIp: key.forwardsClientIp === true,
    // Keys stored before the field existed are `any` (its default); anything else that is not
    // `any` fails closed.
    documentPolicy:
      key.documentPolicy === undefined || key.documentPolicy === 'any' ? 'any' : 'persisted-only',
  };
}
