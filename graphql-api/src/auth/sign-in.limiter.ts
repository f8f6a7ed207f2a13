import type { Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import type { ApiConfig } from '../config';
import { rateLimited } from '../shared/errors';

/**
 * Failed sign-ins per e-mail and per IP, counted in MongoDB so every API process shares them.
 * Checked and counted by the service on each call, so GraphQL aliases cannot multiply attempts.
 */
export class SignInLimiter {
  private readonly byEmail: RateLimiterMongo;
  private readonly byIp: RateLimiterMongo;

  constructor(connection: Connection, limits: ApiConfig['signInLimits']) {
    const common = {
      storeClient: connection,
      tableName: 'signinlimits',
      duration: limits.windowSeconds,
    };
    this.byEmail = new RateLimiterMongo({ ...common, keyPrefix: 'email', points: limits.perEmail });
    this.byIp = new RateLimiterMongo({ ...common, keyPrefix: 'ip', points: limits.perIp });
  }

  /** RATE_LIMITED once either counter has used up its failures. */
  async check(email: string, ip: string): Promise<void> {
    const [byEmail, byIp] = await Promise.all([this.byEmail.get(email), this.byIp.get(ip)]);
    const blocked = [
      { res: byEmail, points: this.byEmail.points },
      { res: byIp, points: this.byIp.points },
    ].filter(({ res, points }) => res !== null && res.consumedPoints >= points);
    if (blocked.length > 0) {
      const waitMs = Math.max(...blocked.map(({ res }) => res?.msBeforeNext ?? 0));
      throw rateLimited(waitMs / 1000);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([this.byEmail.penalty(email, 1), this.byIp.penalty(ip, 1)]);
  }

  /** A successful sign-in clears the e-mail's failures (the IP's stay). */
  async recordSuccess(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }
}
