import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What a refresh token names: a session and the step of its refresh counter. */
export interface RefreshTokenParts {
  sessionId: string;
  counter: number;
}

const SESSION_ID = /^[0-9a-f]{24}$/;
const COUNTER = /^(0|[1-9][0-9]{0,14})$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

/**
 * Refresh tokens as `sessionId.counter.mac` (Supabase's and Auth0's design): the MAC is
 * HMAC-SHA256, keyed from the API's token secret, over the session id and the counter. Nothing
 * secret is stored: the session keeps its current counter, and the token for any counter can
 * be derived again, so concurrent refreshes from any number of processes all get the same
 * successor.
 */
export class RefreshTokenCodec {
  private readonly key: Buffer;

  /** @param secret the API's token secret (`JWT_SECRET`); a key for this use only is derived from it. */
  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'movie-catalog', 'refresh-token-mac-v1', 32));
  }

  encode({ sessionId, counter }: RefreshTokenParts): string {
    return `${sessionId}.${counter}.${this.mac(sessionId, counter).toString('base64url')}`;
  }

  /** The parts of a token this API made; null for anything else (checked in constant time). */
  decode(token: string): RefreshTokenParts | null {
    const [sessionId = '', counterText = '', mac = '', ...rest] = token.split('.');
    if (
      rest.length > 0 ||
      !SESSION_ID.test(sessionId) ||
      !COUNTER.test(counterText) ||
      !MAC.test(mac)
    ) {
      return null;
    }
    const counter = Number(counterText);
    if (!Number.isSafeInteger(counter)) return null;
    const expected = this.mac(sessionId, counter);
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? { sessionId, counter }
      : null;
  }

  private mac(sessionId: string, counter: number): Buffer {
    return createHmac('sha256', this.key).update(`${sessionId}.${counter}`).digest();
  }
}
