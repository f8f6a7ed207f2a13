import type { KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import type { ApiConfig } from '../config';
import { unauthenticated } from '../shared/errors';
import type { Scope } from '../shared/scopes';
import { isScope } from '../shared/scopes';
import type { SigningKeyService } from '../signing-keys';

/** What an access token says about its holder. */
export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  /** Session id: the token dies with its session. */
  sid: string;
  name: string;
  email: string;
  scopes: Scope[];
}

/** The only algorithm signed and accepted: HS256, `none` and everything else are refused. */
const ALGORITHM = 'EdDSA';

/**
 * Signs access tokens with the current Ed25519 signing key (its `kid` in the header) and
 * verifies them with the algorithm, issuer and audience pinned and the key chosen by `kid`
 * among the keys that may still verify. Other services verify the same tokens with the public
 * keys at `/.well-known/jwks.json`; nothing they hold can mint one.
 */
export class TokenService {
  constructor(
    private readonly options: ApiConfig['jwt'],
    private readonly keys: SigningKeyService,
  ) {}

  /** A signed access token for these claims, valid `accessTokenTtlSeconds`. */
  async sign(claims: AccessTokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const key = await this.keys.current();
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.options.accessTokenTtlSeconds;
    const token = await new SignJWT({
      sid: claims.sid,
      name: claims.name,
      email: claims.email,
      scopes: claims.scopes,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.kid })
      .setSubject(claims.sub)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(key.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The token's claims, or UNAUTHENTICATED for anything invalid or expired. */
  async verify(token: string): Promise<AccessTokenClaims> {
    // A failure to read the keys (the database) is not the caller's fault: it is rethrown as
    // it is (SERVICE_UNAVAILABLE), never turned into UNAUTHENTICATED.
    let keyStoreError: { error: unknown } | undefined;
    const keyFor = async (header: JWTHeaderParameters): Promise<KeyObject> => {
      // jose has already refused any algorithm but EdDSA, before asking for a key.
      if (typeof header.kid !== 'string') throw new joseErrors.JWKSNoMatchingKey();
      let key: KeyObject | null;
      try {
        key = await this.keys.keyFor(header.kid);
      } catch (error) {
        keyStoreError = { error };
        throw error;
      }
      if (!key) throw new joseErrors.JWKSNoMatchingKey();
      return key;
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keyFor, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      }));
    } catch (error) {
      if (keyStoreError) throw keyStoreError.error;
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('Access token expired');
      throw unauthenticated('Invalid access token');
    }
    const { sub, sid, name, email, scopes } = payload;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof name !== 'string' ||
      typeof email !== 'string' ||
      !Array.isArray(scopes)
    ) {
      throw unauthenticated('Invalid access token');
    }
    return {
      sub,
      sid,
      name,
      email,
      scopes: scopes.filter((scope): scope is Scope => typeof scope === 'string' && isScope(scope)),
    };
  }
}
