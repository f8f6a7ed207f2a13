import { createHash, randomBytes } from 'node:crypto';

/** What {@link hashToken} returns; models match stored hashes against it. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** SHA-256 (hex) of a bearer secret: what the database stores instead of the secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** 32 random bytes, base64url: refresh tokens and generated API key tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
