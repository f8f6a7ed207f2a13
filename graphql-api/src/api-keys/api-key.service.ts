import type { Scope } from '../shared/scopes';
import { isScope } from '../shared/scopes';
import { hashToken, randomToken } from '../shared/tokens';
import type { ApiKey } from './api-key.model';
import { ApiKeyModel } from './api-key.model';

/** The key a request was made with, as the context holds it. */
export interface ApiKeyPrincipal {
  id: string;
  name: string;
  scopes: readonly Scope[];
  /** Whether the API believes the `X-Client-IP` this key's requests send (the render server). */
  forwardsClientIp: boolean;
}

/** Keys are looked up on every request; a short cache keeps that off the database. */
const CACHE_TTL_MS = 30_000;

export class ApiKeyService {
  private readonly cache = new Map<string, { principal: ApiKeyPrincipal; expires: number }>();

  /** The key with this token, or null. */
  async findByToken(token: string): Promise<ApiKeyPrincipal | null> {
    const tokenHash = hashToken(token);
    const cached = this.cache.get(tokenHash);
    if (cached && cached.expires > Date.now()) return cached.principal;
    const key = await ApiKeyModel.findOne({ tokenHash }).lean<ApiKey>();
    if (!key) return null;
    const principal = toPrincipal(key);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(tokenHash, { principal, expires: Date.now() + CACHE_TTL_MS });
    return principal;
  }

  /** Makes sure a key with exactly this token exists with these scopes; true when created. */
  async ensure(
    name: string,
    token: string,
    scopes: readonly Scope[],
    options: { forwardsClientIp?: boolean } = {},
  ): Promise<boolean> {
    const result = await ApiKeyModel.updateOne(
      { tokenHash: hashToken(token) },
      {
        $set: { scopes: [...scopes], forwardsClientIp: options.forwardsClientIp ?? false },
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
    options: { forwardsClientIp?: boolean } = {},
  ): Promise<{ key: ApiKeyPrincipal; token: string }> {
    const token = randomToken();
    const key = await ApiKeyModel.create({
      name,
      tokenHash: hashToken(token),
      scopes: [...scopes],
      forwardsClientIp: options.forwardsClientIp ?? false,
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
  };
}
