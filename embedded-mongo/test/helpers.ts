import { randomBytes } from 'node:crypto';

/** The server under test: a real mongod from MONGODB_URI, or the suite's embedded server. */
export function serverUri(): string {
  const uri = process.env.MONGODB_URI ?? process.env.CONFORMANCE_MONGODB_URI;
  if (!uri) throw new TypeError('no server: jest global setup did not run');
  return uri;
}

export function isExternalServer(): boolean {
  return Boolean(process.env.MONGODB_URI);
}

/** A database name no other test uses, so tests never see each other's data. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
