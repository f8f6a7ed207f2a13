import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { ApiConfig } from '../config';
import { unauthenticated } from '../shared/errors';
import type { Scope } from '../shared/scopes';
import { isScope } from '../shared/scopes';

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

const ALGORITHM = 'HS256';

/** Signs and verifies HS256 access tokens with the algorithm, issuer and audience pinned. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(private readonly options: ApiConfig['jwt']) {
    this.key = new TextEncoder().encode(options.secret);
  }

  async sign(claims: AccessTokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.options.accessTokenTtlSeconds;
    const token = await new SignJWT({
      sid: claims.sid,
      name: claims.name,
      email: claims.email,
      scopes: claims.scopes,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The token's claims, or UNAUTHENTICATED for anything invalid or expired. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      });
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
        scopes: scopes.filter(
          (scope): scope is Scope => typeof scope === 'string' && isScope(scope),
        ),
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('Access token expired');
      throw unauthenticated('Invalid access token');
    }
  }
}
