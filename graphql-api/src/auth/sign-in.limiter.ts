import type { Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import type { ApiConfig } from '../config';
import { rateLimited } from '../shared/errors';

/**
 * Failed sign-ins, counted in MongoDB so every API process shares them (nothing is kept in
 * memory). Counted by the service once per call, so GraphQL aliases cannot multiply attempts.
 *
 * The main limits are per (e-mail, IP) and per IP, so a stranger guessing someone's password
 * locks out only themselves: the owner signing in from elsewhere still gets in. A much higher
 * per-e-mail ceiling still stops a guessing campaign spread over many addresses.
 *
 * An attempt is counted *before* the password is checked, with one atomic increment per counter:
 * reading the counters first and counting afterwards would let concurrent attempts all pass
 * the read while the counter still says 0. A success then gives its points back.
 */
export class SignInLimiter {
  private readonly counters: {
    limiter: RateLimiterMongo;
    key: (email: string, ip: string) => string;
  }[];

  constructor(connection: Connection, limits: ApiConfig['signInLimits']) {
    const counter = (keyPrefix: string, points: number) =>
      new RateLimiterMongo({
        storeClient: connection,
        tableName: 'signinlimits',
        keyPrefix,
        points,
        duration: limits.windowSeconds,
      });
    this.counters = [
      { limiter: counter('email-ip', limits.perEmailAndIp), key: (email, ip) => `${email} ${ip}` },
      { limiter: counter('ip', limits.perIp), key: (_email, ip) => ip },
      { limiter: counter('email', limits.perEmail), key: (email) => email },
    ];
  }

  /**
   * Counts an attempt that is about to run. RATE_LIMITED when any counter is already used up;
   * the refused call is then taken back off every counter, since it checked no password. A
   * failed attempt simply stays counted.
   */
  async begin(email: string, ip: string): Promise<void> {
    const results = await Promise.all(
      this.counters.map(({ limiter, key }) => limiter.penalty(key(email, ip), 1)),
    );
    const blocked = results.filter(
      (res, index) => res.consumedPoints > (this.counters[index]?.limiter.points ?? 0),
    );
    if (blocked.length === 0) return;
    await Promise.all(this.counters.map(({ limiter, key }) => limiter.reward(key(email, ip), 1)));
    throw rateLimited(Math.max(...blocked.map((res) => res.msBeforeNext)) / 1000);
  }

  /**
   * The attempt succeeded: this address's failures from this IP are forgiven, and the success
   * does not count against the IP or the e-mail's ceiling.
   */
  async succeeded(email: string, ip: string): Promise<void> {
    const [emailIp, ...others] = this.counters;
    await Promise.all([
      emailIp?.limiter.delete(emailIp.key(email, ip)),
      ...others.map(({ limiter, key }) => limiter.reward(key(email, ip), 1)),
    ]);
  }
}
