import { hash } from '@node-rs/argon2';
import { PasswordHashError, PasswordHashPool } from './password-hash.pool';
import { PasswordService } from './password.service';

// Cheap, still real argon2id (the tests' cost).
const COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('PasswordHashPool', () => {
  let pool: PasswordHashPool;
  beforeEach(() => {
    pool = new PasswordHashPool({ threads: 2, niceness: 10 });
  });
  afterEach(() => pool.stop());

  it('hashes argon2id and verifies right and wrong passwords, many at once', async () => {
    const stored = await pool.hash('right horse battery', COST);
    expect(stored.startsWith('$argon2id$')).toBe(true);
    // More jobs than threads: the rest wait their turn, every answer goes to its own caller.
    const checks = Array.from({ length: 12 }, (_, i) =>
      pool.verify(stored, i % 3 === 0 ? 'right horse battery' : `wrong ${i}`),
    );
    expect(await Promise.all(checks)).toEqual(Array.from({ length: 12 }, (_, i) => i % 3 === 0));
  });

  it('reads hashes made by the library on the main thread (existing accounts)', async () => {
    const stored = await hash('an older password', COST);
    await expect(pool.verify(stored, 'an older password')).resolves.toBe(true);
    await expect(pool.verify(stored, 'an older passwore')).resolves.toBe(false);
  });

  it('answers a hash argon2 cannot read with PasswordHashError and keeps working', async () => {
    await expect(pool.verify('not a phc string', 'x')).rejects.toBeInstanceOf(PasswordHashError);
    const stored = await pool.hash('still here', COST);
    await expect(pool.verify(stored, 'still here')).resolves.toBe(true);
  });

  it('loses only the running job when a worker dies, and starts another', async () => {
    // A slow hash (about 100 ms), so the job is still running when its worker ends.
    const stored = await hash('survivor', { memoryCost: 65536, timeCost: 3, parallelism: 1 });
    const running = pool.verify(stored, 'survivor');
    // White-box: end a worker as a crash or a resource limit would.
    const { workers } = pool as unknown as { workers: Set<{ terminate(): Promise<number> }> };
    await Promise.all([...workers].map((worker) => worker.terminate()));
    await expect(running).rejects.toThrow('password hashing worker exited');
    await expect(pool.verify(stored, 'survivor')).resolves.toBe(true);
  });

  it('rejects queued and later jobs once stopped', async () => {
    const stored = await pool.hash('p', COST);
    const settled = Promise.allSettled(Array.from({ length: 6 }, () => pool.verify(stored, 'p')));
    await pool.stop();
    const results = await settled;
    expect(results.some((result) => result.status === 'rejected')).toBe(true);
    await expect(pool.verify(stored, 'p')).rejects.toThrow('password hashing has stopped');
  });

  it('refuses a pool without threads', () => {
    expect(() => new PasswordHashPool({ threads: 0, niceness: 0 })).toThrow(RangeError);
  });
});

describe('PasswordService on the pool', () => {
  const pool = new PasswordHashPool({ threads: 1, niceness: 0 });
  const passwords = new PasswordService(COST, pool);
  afterAll(() => passwords.stop());

  it('is false for a wrong password, a missing hash and a malformed one', async () => {
    const stored = await passwords.hash('violet harbor tangerine');
    await expect(passwords.verify(stored, 'violet harbor tangerine')).resolves.toBe(true);
    await expect(passwords.verify(stored, 'violet harbor tangerin')).resolves.toBe(false);
    await expect(passwords.verify(undefined, 'violet harbor tangerine')).resolves.toBe(false);
    await expect(passwords.verify('$argon2id$garbage', 'x')).resolves.toBe(false);
  });

  it('is an error, not a wrong password, when the pool cannot hash', async () => {
    const stopped = new PasswordHashPool({ threads: 1, niceness: 0 });
    await stopped.stop();
    const service = new PasswordService(COST, stopped);
    await expect(service.verify('$argon2id$whatever', 'x')).rejects.toThrow(
      'password hashing has stopped',
    );
  });
});
