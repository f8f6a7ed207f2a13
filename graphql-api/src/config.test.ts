import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ConfigError, findRepoRoot, loadConfig, readExampleEnv } from './config';

const strong = (c: string) => c.repeat(40);
const productionEnv = {
  NODE_ENV: 'production',
  MONGODB_URI: 'mongodb://db.internal:27017/movies',
  JWT_SECRET: strong('j'),
  PUBLIC_API_KEY_TOKEN: strong('p'),
  ADMIN_API_KEY_TOKEN: strong('a'),
  RENDER_API_KEY_TOKEN: strong('r'),
  PUBLIC_ORIGIN: 'https://movies.example.com',
  SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587',
  MAIL_FROM: 'Movie catalog <no-reply@movies.example.com>',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('loadConfig', () => {
  it('runs in development on the .env.example values with the embedded database', () => {
    const config = loadConfig({});
    const example = readExampleEnv();
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      mongodbUri: undefined,
      publicApiKeyToken: example.PUBLIC_API_KEY_TOKEN,
      adminApiKeyToken: example.ADMIN_API_KEY_TOKEN,
      jwt: { secret: example.JWT_SECRET, accessTokenTtlSeconds: 900 },
    });
    expect(config.embeddedDataDir).toBe(path.join(findRepoRoot(), '.data', 'db'));
    expect(config.passwordHash.memoryCost).toBeGreaterThanOrEqual(19456);
  });

  it('points mailed links at the render server: PUBLIC_ORIGIN, else localhost at RENDER_PORT', () => {
    expect(loadConfig({}).publicOrigin).toBe('http://localhost:8000');
    expect(loadConfig({ RENDER_PORT: '8100' }).publicOrigin).toBe('http://localhost:8100');
    // Port 0 (any free port) and junk cannot name the site: the default stands.
    expect(loadConfig({ RENDER_PORT: '0' }).publicOrigin).toBe('http://localhost:8000');
    expect(loadConfig({ RENDER_PORT: '80; x' }).publicOrigin).toBe('http://localhost:8000');
    expect(
      loadConfig({ RENDER_PORT: '8100', PUBLIC_ORIGIN: 'https://movies.example.com' }).publicOrigin,
    ).toBe('https://movies.example.com');
    // Production never guesses: links to localhost would reach nobody.
    const { PUBLIC_ORIGIN: _unset, ...withoutOrigin } = productionEnv;
    expect(() => loadConfig(withoutOrigin)).toThrow(/PUBLIC_ORIGIN is required in production/);
    // It is the passkeys' relying party, whose id browsers refuse as an IP address.
    expect(() => loadConfig({ ...productionEnv, PUBLIC_ORIGIN: 'https://203.0.113.7' })).toThrow(
      /PUBLIC_ORIGIN must name a host, not an IP address/,
    );
    expect(() => loadConfig({ ...productionEnv, PUBLIC_ORIGIN: 'https://[2001:db8::1]' })).toThrow(
      /PUBLIC_ORIGIN must name a host/,
    );
    expect(loadConfig({ PUBLIC_ORIGIN: 'http://127.0.0.1:8000' }).publicOrigin).toBe(
      'http://127.0.0.1:8000',
    );
  });

  it('ages, reloads and retires the signing keys on the documented schedule', () => {
    const { jwt, signingKeys } = loadConfig(productionEnv);
    expect(signingKeys).toEqual({
      maxAgeMs: 30 * 24 * 3600_000,
      reloadIntervalMs: 60_000,
      unknownKidReloadMs: 5_000,
      retirementMarginMs: 5 * 60_000,
    });
    // Other processes sign with a retired key until their next reload: the margin covers it.
    expect(signingKeys.retirementMarginMs).toBeGreaterThanOrEqual(signingKeys.reloadIntervalMs);
    expect(jwt.accessTokenTtlSeconds).toBe(900);
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(productionEnv);
    expect(config).toMatchObject({
      nodeEnv: 'production',
      mongodbUri: productionEnv.MONGODB_URI,
      admin: undefined,
      publicOrigin: 'https://movies.example.com',
      mail: { smtpUrl: productionEnv.SMTP_URL, from: productionEnv.MAIL_FROM },
      google: { clientId: undefined, issuer: 'https://accounts.google.com' },
    });
  });

  it('refuses to start in production without a mail server and sender', () => {
    const { SMTP_URL: _url, MAIL_FROM: _from, ...env } = productionEnv;
    const message = problemsOf(env);
    expect(message).toMatch(/SMTP_URL is required in production/);
    expect(message).toMatch(/MAIL_FROM is required in production/);
    expect(problemsOf({ ...productionEnv, SMTP_URL: 'http://smtp.example.com' })).toMatch(
      /SMTP_URL must look like/,
    );
  });

  it('needs distinct key tokens, the render key included', () => {
    expect(
      problemsOf({ ...productionEnv, RENDER_API_KEY_TOKEN: productionEnv.PUBLIC_API_KEY_TOKEN }),
    ).toMatch(/must differ/);
  });

  it('runs development mail through the local inbox (no SMTP_URL in .env.example)', () => {
    expect(loadConfig({}).mail.smtpUrl).toBeUndefined();
  });

  it('refuses to start in production without MONGODB_URI', () => {
    const { MONGODB_URI: _uri, ...env } = productionEnv;
    expect(problemsOf(env)).toMatch(/MONGODB_URI is required in production/);
  });

  it('refuses the .env.example secrets in production', () => {
    const example = readExampleEnv();
    const message = problemsOf({
      ...productionEnv,
      JWT_SECRET: example.JWT_SECRET ?? '',
      PUBLIC_API_KEY_TOKEN: example.PUBLIC_API_KEY_TOKEN ?? '',
      ADMIN_API_KEY_TOKEN: example.ADMIN_API_KEY_TOKEN ?? '',
      RENDER_API_KEY_TOKEN: example.RENDER_API_KEY_TOKEN ?? '',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: example.ADMIN_PASSWORD ?? '',
    });
    expect(message).toMatch(/JWT_SECRET still has the .env.example value/);
    expect(message).toMatch(/PUBLIC_API_KEY_TOKEN still has the .env.example value/);
    expect(message).toMatch(/ADMIN_API_KEY_TOKEN still has the .env.example value/);
    expect(message).toMatch(/RENDER_API_KEY_TOKEN still has the .env.example value/);
    expect(message).toMatch(/ADMIN_PASSWORD still has the .env.example value/);
  });

  it('refuses a short JWT secret in production', () => {
    expect(problemsOf({ ...productionEnv, JWT_SECRET: 'short-secret' })).toMatch(
      /JWT_SECRET must be at least 32 characters long/,
    );
  });

  it('does not fall back to example values in production', () => {
    const message = problemsOf({ NODE_ENV: 'production', MONGODB_URI: productionEnv.MONGODB_URI });
    expect(message).toMatch(/JWT_SECRET is required/);
  });

  it('refuses weak or malformed values with one message listing them all', () => {
    const message = problemsOf({
      NODE_ENV: 'test',
      JWT_SECRET: 'short',
      API_PORT: 'eighty',
      MONGODB_URI: 'http://nope',
      LOG_LEVEL: 'loud',
      ADMIN_EMAIL: 'a@example.com',
    });
    expect(
      problemsOf({
        NODE_ENV: 'test',
        JWT_SECRET: strong('s'),
        ADMIN_EMAIL: 'nope',
        ADMIN_PASSWORD: 'long enough',
      }),
    ).toMatch(/ADMIN_EMAIL must be an e-mail address/);
    expect(message).toMatch(/JWT_SECRET must be at least 32 characters/);
    expect(message).toMatch(/API_PORT must be an integer/);
    expect(message).toMatch(/MONGODB_URI must start with mongodb/);
    expect(message).toMatch(/LOG_LEVEL must be one of/);
    expect(message).toMatch(/ADMIN_EMAIL and ADMIN_PASSWORD must be set together/);
  });

  it('keeps production password hashing at or above the argon2id minimum', () => {
    expect(problemsOf({ ...productionEnv, PASSWORD_HASH_MEMORY_KIB: '1024' })).toMatch(
      /PASSWORD_HASH_MEMORY_KIB must be an integer between 19456/,
    );
    expect(
      loadConfig({
        NODE_ENV: 'test',
        JWT_SECRET: strong('t'),
        PASSWORD_HASH_MEMORY_KIB: '1024',
        PASSWORD_HASH_TIME_COST: '1',
      }).passwordHash,
    ).toEqual({
      memoryCost: 1024,
      timeCost: 1,
      parallelism: 1,
    });
  });

  it('hashes on one thread per core at nice 10 unless told otherwise', () => {
    expect(loadConfig(productionEnv).passwordHashPool).toEqual({
      threads: availableParallelism(),
      niceness: 10,
    });
    expect(
      loadConfig({ ...productionEnv, PASSWORD_HASH_THREADS: '3', PASSWORD_HASH_NICE: '0' })
        .passwordHashPool,
    ).toEqual({ threads: 3, niceness: 0 });
    const message = problemsOf({
      ...productionEnv,
      PASSWORD_HASH_THREADS: '0',
      PASSWORD_HASH_NICE: '20',
    });
    expect(message).toMatch(/PASSWORD_HASH_THREADS must be an integer between 1 and 64/);
    expect(message).toMatch(/PASSWORD_HASH_NICE must be an integer between 0 and 19/);
  });

  it('reads TRUST_PROXY as express expects it', () => {
    const base = { NODE_ENV: 'test', JWT_SECRET: strong('s') };
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
    // Nobody is trusted by default: a direct client cannot choose its address.
    expect(loadConfig(base).trustProxy).toBe(false);
  });

  it('reads no variable that .env.example does not list', () => {
    const text = readFileSync(path.join(findRepoRoot(), '.env.example'), 'utf8');
    // Listed keys, including the commented-out optional ones (`# MONGODB_URI=...`).
    const listed = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const read = new Set<string>();
    const recording = (values: Record<string, string>): NodeJS.ProcessEnv =>
      new Proxy(values, {
        get(target, key) {
          if (typeof key === 'string') read.add(key);
          return target[key as string];
        },
      });
    loadConfig(recording({}));
    loadConfig(recording({ NODE_ENV: 'test', JWT_SECRET: strong('s') }));
    loadConfig(recording({ ...productionEnv }));
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((key) => !listed.has(key))).toEqual([]);
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(problemsOf({ NODE_ENV: 'staging' })).toMatch(
      /NODE_ENV must be development, test or production/,
    );
  });
});
