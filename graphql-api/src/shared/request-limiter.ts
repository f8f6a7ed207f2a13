import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from './errors';

/** A budget: `points` requests per `seconds`. */
export interface RequestBudget {
  points: number;
  seconds: number;
}

/**
 * Counts requests per key (an IP, an e-mail) in MongoDB, in the collection the sign-in limits
 * use, so every API process shares the counters. Each call is one atomic increment; over the
 * budget it is RATE_LIMITED with the wait.
 */
export class RequestLimiter {
  private readonly limiter: RateLimiterMongo;

  constructor(connection: Connection, name: string, budget: RequestBudget) {
    this.limiter = new RateLimiterMongo({
      storeClient: connection,
      tableName: 'signinlimits',
      keyPrefix: name,
      points: budget.points,
      duration: budget.seconds,
    });
  }

  /** Counts one request for `key`; RATE_LIMITED when the budget is used up. */
  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key, 1);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw rateLimited(error.msBeforeNext / 1000);
      throw error;
    }
  }
}
