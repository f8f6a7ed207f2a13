import { hash, verify } from '@node-rs/argon2';
import type { ApiConfig } from '../config';

/**
 * argon2id hashing on the libuv thread pool (never blocks the event loop). The cost comes
 * from the config: real parameters in production, cheaper ones in tests.
 */
export class PasswordService {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly cost: ApiConfig['passwordHash']) {}

  hash(password: string): Promise<string> {
    // @node-rs/argon2 defaults to argon2id; its Algorithm enum is a const enum (not importable
    // under isolatedModules), so the default is relied on and the test suite checks the prefix.
    return hash(password, {
      memoryCost: this.cost.memoryCost,
      timeCost: this.cost.timeCost,
      parallelism: this.cost.parallelism,
    });
  }

  /** False for a missing hash too, after the same work, so timing does not reveal accounts. */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    if (passwordHash === undefined) {
      this.dummyHash ??= this.hash('not-a-real-password');
      await verify(await this.dummyHash, password);
      return false;
    }
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }
}
