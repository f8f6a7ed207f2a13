import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { ApiConfig } from '../config';
import { serviceUnavailable, unauthenticated } from '../shared/errors';
import type { Logger } from '../logger';

/** An identity a provider proved: read from a verified ID token, never from the caller. */
export interface VerifiedIdentity {
  /** The provider's stable subject (`sub`): identities are keyed by it, never by e-mail. */
  subject: string;
  email: string;
  /** The provider says it verified that the subject owns this address. */
  emailVerified: boolean;
  /** A display name, cut to the model's 100 characters; the e-mail when the token has none. */
  name: string;
}

/** Verifies a provider's ID token and returns the identity in it. */
export interface IdTokenVerifier {
  verify(idToken: string): Promise<VerifiedIdentity>;
}

/** Google publishes both spellings of its issuer (OpenID Connect discovery says the first). */
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/**
 * Google ID tokens (OpenID Connect): the RS256 signature against Google's JWKS (fetched and
 * cached by jose's remote key set), `iss`, `aud` = our client id, `exp` and `iat`. Anything
 * that does not verify is UNAUTHENTICATED; a JWKS that cannot be fetched is the API's problem,
 * not the caller's (SERVICE_UNAVAILABLE, logged).
 */
export class GoogleIdTokenVerifier implements IdTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly issuers: string[];

  constructor(
    private readonly config: ApiConfig['google'],
    private readonly logger: Logger,
  ) {
    this.keys = config.clientId
      ? createRemoteJWKSet(new URL(config.jwksUrl), {
          timeoutDuration: 5000,
          cooldownDuration: 30_000,
          cacheMaxAge: 10 * 60_000,
        })
      : null;
    this.issuers = GOOGLE_ISSUERS.includes(config.issuer) ? GOOGLE_ISSUERS : [config.issuer];
  }

  async verify(idToken: string): Promise<VerifiedIdentity> {
    if (!this.keys || !this.config.clientId) {
      throw unauthenticated('Google sign-in is not configured on this API (GOOGLE_CLIENT_ID)');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.keys, {
        algorithms: ['RS256'],
        issuer: this.issuers,
        audience: this.config.clientId,
        requiredClaims: ['sub', 'iat', 'exp'],
        // Google's ID tokens live an hour; a small allowance for clocks that disagree.
        clockTolerance: 30,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
        this.logger.error({ err: error }, 'could not fetch the Google JWKS');
        throw serviceUnavailable('Google sign-in is unavailable right now; try again later');
      }
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The ID token has expired');
      throw unauthenticated('Invalid ID token');
    }
    return identityFrom(payload);
  }
}

function identityFrom(payload: JWTPayload): VerifiedIdentity {
  const {
    sub,
    email,
    email_verified: emailVerified,
    name,
  } = payload as JWTPayload & {
    email?: unknown;
    email_verified?: unknown;
    name?: unknown;
  };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) {
    throw unauthenticated('Invalid ID token');
  }
  if (typeof email !== 'string' || email.length === 0 || email.length > 254) {
    throw unauthenticated('The ID token carries no e-mail address (ask for the "email" scope)');
  }
  const displayName = typeof name === 'string' && name.trim() ? name.trim() : email;
  return {
    subject: sub,
    email: email.trim().toLowerCase(),
    emailVerified: emailVerified === true,
    name: [...displayName].slice(0, 100).join(''),
  };
}
