import type { Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import type { ApiConfig } from '../config';
import { rateLimited } from '../shared/errors';

/**
 * Failed sign-ins per e-mail and per IP, counted in MongoDB so every API process shares them
 * (nothing is kept in memory). Counted by the service once per call, so GraphQL aliases cannot
 * multiply attempts.
 *
 * An attempt is counted *before* the password is checked, with one atomic increment per counter:
 * reading the counters first and counting afterwards would let concurrent attempts all pass
 * the read while the counter still says 0. A success then gives its point back.
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

  /**
   * Counts an attempt that is about to run. RATE_LIMITED when either counter is already used
   * up; the refused call is then taken back off both, since it checked no password. A failed
   * attempt simply stays counted.
   */
  async begin(email: string, ip: string): Promise<void> {
    const [byEmail, byIp] = await Promise.all([
      this.byEmail.penalty(email, 1),
      this.byIp.penalty(ip, 1),
    ]);
    const blocked = [
      { res: byEmail, points: this.byEmail.points },
      { res: byIp, points: this.byIp.points },
    ].filter(({ res, points }) => res.consumedPoints > points);
    if (blocked.length === 0) return;
    await Promise.all([this.byEmail.reward(email, 1), this.byIp.reward(ip, 1)]);
    throw rateLimited(Math.max(...blocked.map(({ res }) => res.msBeforeNext)) / 1000);
  }

  /** The attempt succeeded: the e-mail's failures are forgiven, the IP gets its point back. */
  async succeeded(email: string, ip: string): Promise<void> {
    await Promise.all([this.byEmail.delete(email), this.byIp.reward(ip, 1)]);
  }
}
