import type { Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import { rateLimited } from '../shared/errors';

/** Wrong codes a user may enter per window, over all their sign-ins, before RATE_LIMITED. */
export interface SecondFactorLimits {
  perUser: number;
  windowSeconds: number;
}

/**
 * Wrong two-factor and recovery codes per user, counted in MongoDB (every process shares them).
 * Per user, not per IP: a code is guessed against one account, and whoever tries already passed
 * its password. Like SignInLimiter, an attempt is counted before the code is checked (concurrent
 * guesses cannot all pass a read of 0), and a right code clears the count.
 */
export class SecondFactorLimiter {
  private readonly limiter: RateLimiterMongo;

  constructor(connection: Connection, limits: SecondFactorLimits) {
    this.limiter = new RateLimiterMongo({
      storeClient: connection,
      tableName: 'signinlimits',
      keyPrefix: 'second-factor-user',
      points: limits.perUser,
      duration: limits.windowSeconds,
    });
  }

  /** Counts an attempt about to be checked; RATE_LIMITED (the attempt taken back) when used up. */
  async begin(userId: string): Promise<void> {
    const result = await this.limiter.penalty(userId, 1);
    if (result.consumedPoints <= this.limiter.points) return;
    await this.limiter.reward(userId, 1);
    throw rateLimited(result.msBeforeNext / 1000);
  }

  /** The code was right: the owner is here, earlier mistakes are forgiven. */
  async succeeded(userId: string): Promise<void> {
    await this.limiter.delete(userId);
  }
}
