import type { ApiConfig } from '../config';
import { PasswordHashError } from './password-hash.pool';
import type { PasswordHashPool } from './password-hash.pool';

/**
 * argon2id hashing on the password hash pool's worker threads (never on the event loop). The
 * cost comes from the config: real parameters in production, cheaper ones in tests.
 */
export class PasswordService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly cost: ApiConfig['passwordHash'],
    private readonly pool: PasswordHashPool,
  ) {}

  hash(password: string): Promise<string> {
    // @node-rs/argon2 defaults to argon2id; its Algorithm enum is a const enum (not importable
    // under isolatedModules), so the default is relied on and the test suite checks the prefix.
    return this.pool.hash(password, {
      memoryCost: this.cost.memoryCost,
      timeCost: this.cost.timeCost,
      parallelism: this.cost.parallelism,
    });
  }

  /**
   * False for a missing hash too, after the same work, so timing does not reveal accounts. A
   * stored hash argon2 cannot read is a wrong password; a pool that cannot hash (stopped, a
   * worker lost) is an error, never a wrong password.
   */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    if (passwordHash === undefined) {
      // A failed dummy hash (the pool stopping) is not kept: the next call makes it again.
      this.dummyHash ??= this.hash('not-a-real-password').catch((error: unknown) => {
        this.dummyHash = undefined;
        throw error;
      });
      await this.pool.verify(await this.dummyHash, password);
      return false;
    }
    try {
      return await this.pool.verify(passwordHash, password);
    } catch (error) {
      if (error instanceof PasswordHashError) return false;
      throw error;
    }
  }

  /** Ends the hashing threads (the app's `stop()`). */
  stop(): Promise<void> {
    return this.pool.stop();
  }
}
