import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { isEmail } from 'class-validator';
import type { DocumentPolicy } from './api-keys/document-policy';
import type { RequestBudgetConfig } from './shared/request-budget';
import type { RequestBudget } from './shared/request-limiter';

/** The deployment mode; `production` turns on the strict checks below. */
export type NodeEnv = 'development' | 'test' | 'production';

/** Everything the API reads from the environment, validated once. */
export interface ApiConfig {
  /** development | test | production (`NODE_ENV`, default development). */
  nodeEnv: NodeEnv;
  /** HTTP port (`API_PORT`, default 3000; 0 = any free port). */
  port: number;
  /** MongoDB connection string (`MONGODB_URI`); undefined = start the embedded server. */
  mongodbUri: string | undefined;
  /** Where the embedded server keeps its data when `mongodbUri` is unset: `<repo root>/.data/db`. */
  embeddedDataDir: string;
  /**
   * Trusted documents. `manifestPath`: the persisted-documents manifest codegen writes for the
   * render server (`<repo root>/gateway-render/src/__generated__/persisted-documents.json`),
   * loaded at start-up (required in production). `renderKeyPolicy`: the document policy the
   * seed gives the render key, `persisted-only` in production (manifest ids only), else `any`.
   */
  persistedDocuments: { manifestPath: string; renderKeyPolicy: DocumentPolicy };
  /**
   * Access tokens: EdDSA (Ed25519) JWTs signed with the keys in `signingkeys`, verified with the
   * algorithm, issuer and audience pinned. `secret` (`JWT_SECRET`) is the API's token secret: it
   * encrypts the signing keys' private halves and signs refresh tokens; it never signs a JWT.
   */
  jwt: { secret: string; issuer: string; audience: string; accessTokenTtlSeconds: number };
  /**
   * Signing-key lifecycle (src/signing-keys): a key signs for at most `maxAgeMs` (then the next
   * one takes over), every process reloads the keys every `reloadIntervalMs` and, on a token with
   * an unknown `kid`, at most once per `unknownKidReloadMs`; a retired key verifies for the
   * access-token lifetime plus `retirementMarginMs` (which must cover `reloadIntervalMs`: other
   * processes keep signing with it until their next reload) and is then deleted.
   */
  signingKeys: {
    maxAgeMs: number;
    reloadIntervalMs: number;
    unknownKidReloadMs: number;
    retirementMarginMs: number;
  };
  /** Token of the public API key (`PUBLIC_API_KEY_TOKEN`); the seed makes sure a key with it exists. */
  publicApiKeyToken: string | undefined;
  /** Token of the admin API key (`ADMIN_API_KEY_TOKEN`). */
  adminApiKeyToken: string | undefined;
  /**
   * Token of the render server's own key (`RENDER_API_KEY_TOKEN`): the public key's scopes, and
   * the only key whose `X-Client-IP` (the browser's address) the API believes.
   */
  renderApiKeyToken: string | undefined;
  /**
   * The site's origin (`PUBLIC_ORIGIN`): every mailed link points there, and it is the passkeys'
   * relying party (its host name is the RP ID, so production refuses an IP address).
   */
  publicOrigin: string;
  /**
   * Google ID-token verification (`GOOGLE_CLIENT_ID`, `GOOGLE_ISSUER`, `GOOGLE_JWKS_URL`):
   * tokens must be signed by a key of the JWKS, issued by the issuer, for this client id.
   * Without a client id, Google sign-in is refused.
   */
  google: { clientId: string | undefined; issuer: string; jwksUrl: string };
  /**
   * Mail (`SMTP_URL`, `MAIL_FROM`). Without an SMTP URL (development and tests only), a local
   * SMTP inbox starts in the API's process and keeps what it receives (`GET /dev/mail`).
   */
  mail: { smtpUrl: string | undefined; from: string; pollIntervalMs: number };
  /** The admin user the seed creates (`ADMIN_EMAIL` + `ADMIN_PASSWORD`), if both are set. */
  admin: { email: string; password: string } | undefined;
  /** pino level (`LOG_LEVEL`, default info). */
  logLevel: string;
  /** argon2id cost (`PASSWORD_HASH_MEMORY_KIB`, `PASSWORD_HASH_TIME_COST`): cheaper only in tests. */
  passwordHash: { memoryCost: number; timeCost: number; parallelism: number };
  /**
   * The threads argon2id runs on (`PASSWORD_HASH_THREADS`, default the machine's cores: more
   * hashes at once only share the same cores) and the nice value they take on Linux
   * (`PASSWORD_HASH_NICE`, 0–19, default 10): hashing then yields the CPU to request handling
   * and a database on the same machine.
   */
  passwordHashPool: { threads: number; niceness: number };
  /**
   * Express `trust proxy` (`TRUST_PROXY`, default false): the load balancers in front of the API
   * whose X-Forwarded-For gives the client IP. `true`/`false`, a hop count, or addresses/subnets
   * such as `10.0.0.0/8`. The render server's browsers are not counted here: see X-Client-IP.
   */
  trustProxy: boolean | number | string;
  /**
   * Failed sign-ins allowed within `windowSeconds` before RATE_LIMITED: per (e-mail, IP) and per
   * IP (the main limits, so a stranger cannot lock the owner out), and a much higher ceiling per
   * e-mail against guessing from many addresses.
   */
  signInLimits: { perEmailAndIp: number; perIp: number; perEmail: number; windowSeconds: number };
  /**
   * Seconds the previous refresh token still gets the same successor
   * (`REFRESH_REUSE_INTERVAL_SECONDS`, default 10, 0–120): concurrent refreshes of one person (two
   * tabs, several processes) all succeed; after it, the previous token is reuse and ends the session.
   */
  refreshReuseIntervalSeconds: number;
  /**
   * Budgets of other requests that cost the system (accounts made, mails sent, passkey sign-in
   * challenges stored).
   */
  requestLimits: {
    signUpPerIp: RequestBudget;
    mailPerEmail: RequestBudget;
    mailPerIp: RequestBudget;
    passkeyOptionsPerIp: RequestBudget;
  };
  /**
   * Wrong two-factor or recovery codes per user within `windowSeconds` before RATE_LIMITED (every
   * sign-in's second step and re-authentication of the account together; a challenge itself
   * allows 5 tries).
   */
  secondFactorLimits: { perUser: number; windowSeconds: number };
  /**
   * Budget of every /graphql request, counted before parsing (shared/request-budget.ts): per
   * client address without a signed-in user, per user with one. No environment variable: tests
   * and the benchmarks change it with `configure`.
   */
  requestBudget: RequestBudgetConfig;
  /**
   * The public response cache (src/response-cache): `maxBytes` (`RESPONSE_CACHE_MAX_BYTES`,
   * default 32 MiB, 0 = off) bounds each process's kept responses; `versionTrustMs`
   * (`RESPONSE_CACHE_VERSION_TRUST_MS`, default 20, at most 1000) is how long a read of the
   * catalog's change counter serves later requests, and how long each movie write waits before it
   * answers, so a write acknowledged before a request arrives is still seen by it, in every
   * process (0: a read per burst of requests, and no wait).
   */
  responseCache: { maxBytes: number; versionTrustMs: number };
  /**
   * Compiled execution (shared/jit-executor.ts): an operation is compiled with graphql-jit at its
   * `jitThreshold`-th execution (`GRAPHQL_JIT_THRESHOLD`, default 10; 1 = at once; 0 = never,
   * graphql-js runs everything). Answers are the same either way.
   */
  jitThreshold: number;
}

/** Thrown by {@link loadConfig}: the message lists every problem at once. */
export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid graphql-api configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The repository root: the nearest ancestor holding `.env.example` (works from src/ and dist/src/). */
export function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, '.env.example'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
}

/** Loads `<repo root>/.env` into `process.env` when it exists (existing variables win). */
export function loadDotEnv(): void {
  const file = path.join(findRepoRoot(), '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** The development values of `.env.example`, so `npm install && npm start` works without a `.env`. */
export function readExampleEnv(): Record<string, string> {
  const file = path.join(findRepoRoot(), '.env.example');
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) values[key] = value;
  return values;
}

function integer(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * Reads and validates the API's configuration. In development, missing variables fall back
 * to the values in `.env.example`; production refuses those example secrets and
 * requires MONGODB_URI. Throws a {@link ConfigError} naming every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const problems: string[] = [];
  const rawNodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'test', 'production'].includes(rawNodeEnv)) {
    problems.push(`NODE_ENV must be development, test or production (got "${rawNodeEnv}")`);
  }
  const nodeEnv = (
    ['development', 'test', 'production'].includes(rawNodeEnv) ? rawNodeEnv : 'development'
  ) as NodeEnv;
  const production = nodeEnv === 'production';
  const example = readExampleEnv();
  // Development may run on the example values; production must set every secret itself, and
  // tests pass theirs explicitly.
  const read = (name: string): string | undefined => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    return nodeEnv === 'development' ? example[name] : undefined;
  };
  const isExampleValue = (name: string, value: string | undefined): boolean =>
    value !== undefined && example[name] !== undefined && example[name] === value;

  const port = integer(read('API_PORT'), 'API_PORT', 3000, 0, 65535, problems);

  const mongodbUri = env.MONGODB_URI || undefined;
  if (mongodbUri === undefined && production) {
    problems.push(
      'MONGODB_URI is required in production (the embedded database is for development and tests only)',
    );
  }
  if (mongodbUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    problems.push('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  }

  const jwtSecret = read('JWT_SECRET');
  if (jwtSecret === undefined) problems.push('JWT_SECRET is required (at least 32 characters)');
  else if (jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters long');
  else if (production && isExampleValue('JWT_SECRET', jwtSecret)) {
    problems.push('JWT_SECRET still has the .env.example value; set a secret of your own');
  }

  const keyToken = (name: string): string | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    if (value.length < 32) problems.push(`${name} must be at least 32 characters long`);
    if (production && isExampleValue(name, value)) {
      problems.push(`${name} still has the .env.example value; set a token of your own`);
    }
    return value;
  };
  const publicApiKeyToken = keyToken('PUBLIC_API_KEY_TOKEN');
  const adminApiKeyToken = keyToken('ADMIN_API_KEY_TOKEN');
  const renderApiKeyToken = keyToken('RENDER_API_KEY_TOKEN');
  const keyTokens = [publicApiKeyToken, adminApiKeyToken, renderApiKeyToken].filter(
    (token) => token !== undefined,
  );
  if (new Set(keyTokens).size !== keyTokens.length) {
    problems.push('PUBLIC_API_KEY_TOKEN, ADMIN_API_KEY_TOKEN and RENDER_API_KEY_TOKEN must differ');
  }

  const url = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError();
      return value;
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${value}")`);
      return fallback;
    }
  };
  // The site is the render server: by default on this machine at its port (RENDER_PORT), as the
  // render server itself defaults, so setting only RENDER_PORT keeps mailed links right.
  const renderPortText = read('RENDER_PORT') ?? '';
  const renderPort = /^[1-9]\d{0,4}$/.test(renderPortText) ? renderPortText : '8000';
  const publicOrigin = new URL(url('PUBLIC_ORIGIN', `http://localhost:${renderPort}`)).origin;
  if (production && !env.PUBLIC_ORIGIN) {
    problems.push('PUBLIC_ORIGIN is required in production (every mailed link points there)');
  }
  // Passkeys are bound to the host name (the WebAuthn RP ID), which browsers refuse as an IP
  // address. Development and tests may use an IP origin (passkeys then do not work in a
  // browser; everything else does).
  if (production && isIP(new URL(publicOrigin).hostname.replace(/^\[|\]$/g, '')) !== 0) {
    problems.push(
      `PUBLIC_ORIGIN must name a host, not an IP address, in production (passkeys are bound to it; got "${publicOrigin}")`,
    );
  }
  const google = {
    clientId: read('GOOGLE_CLIENT_ID'),
    issuer: read('GOOGLE_ISSUER') ?? 'https://accounts.google.com',
    jwksUrl: url('GOOGLE_JWKS_URL', 'https://www.googleapis.com/oauth2/v3/certs'),
  };

  const smtpUrl = read('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) {
    problems.push('SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465');
  }
  const mailFrom = read('MAIL_FROM');
  if (production && smtpUrl === undefined) {
    problems.push('SMTP_URL is required in production (the local dev inbox is not a mail server)');
  }
  if (production && mailFrom === undefined) {
    problems.push(
      'MAIL_FROM is required in production (e.g. "Movie catalog <no-reply@example.com>")',
    );
  }
  if (mailFrom !== undefined && !/^[^\r\n]{3,254}$/.test(mailFrom)) {
    problems.push('MAIL_FROM must be one line, e.g. "Movie catalog <no-reply@example.com>"');
  }

  const adminEmail = read('ADMIN_EMAIL');
  const adminPassword = read('ADMIN_PASSWORD');
  let admin: ApiConfig['admin'];
  if (adminEmail !== undefined && adminPassword !== undefined) {
    if ([...adminPassword].length < 8 || [...adminPassword].length > 256) {
      problems.push('ADMIN_PASSWORD must be 8 to 256 characters long');
    }
    if (!isEmail(adminEmail.trim())) problems.push(`ADMIN_EMAIL must be an e-mail address`);
    if (production && isExampleValue('ADMIN_PASSWORD', adminPassword)) {
      problems.push('ADMIN_PASSWORD still has the .env.example value; choose a password');
    }
    admin = { email: adminEmail.trim().toLowerCase(), password: adminPassword };
  } else if (adminEmail !== undefined || adminPassword !== undefined) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  // OWASP's argon2id minimum is 19 MiB with 2 passes; production may not go below it.
  const minMemory = production ? 19456 : 8;
  const memoryCost = integer(
    read('PASSWORD_HASH_MEMORY_KIB'),
    'PASSWORD_HASH_MEMORY_KIB',
    19456,
    minMemory,
    4194304,
    problems,
  );
  const timeCost = integer(
    read('PASSWORD_HASH_TIME_COST'),
    'PASSWORD_HASH_TIME_COST',
    2,
    production ? 2 : 1,
    20,
    problems,
  );

  const hashThreads = integer(
    read('PASSWORD_HASH_THREADS'),
    'PASSWORD_HASH_THREADS',
    availableParallelism(),
    1,
    64,
    problems,
  );
  const hashNiceness = integer(
    read('PASSWORD_HASH_NICE'),
    'PASSWORD_HASH_NICE',
    10,
    0,
    19,
    problems,
  );

  const refreshReuseIntervalSeconds = integer(
    read('REFRESH_REUSE_INTERVAL_SECONDS'),
    'REFRESH_REUSE_INTERVAL_SECONDS',
    10,
    0,
    120,
    problems,
  );

  const responseCacheMaxBytes = integer(
    read('RESPONSE_CACHE_MAX_BYTES'),
    'RESPONSE_CACHE_MAX_BYTES',
    32 * 1024 * 1024,
    0,
    2 ** 32,
    problems,
  );
  const responseCacheVersionTrustMs = integer(
    read('RESPONSE_CACHE_VERSION_TRUST_MS'),
    'RESPONSE_CACHE_VERSION_TRUST_MS',
    20,
    0,
    1000,
    problems,
  );

  const jitThreshold = integer(
    read('GRAPHQL_JIT_THRESHOLD'),
    'GRAPHQL_JIT_THRESHOLD',
    10,
    0,
    1_000_000,
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv,
    port,
    mongodbUri,
    embeddedDataDir: path.join(findRepoRoot(), '.data', 'db'),
    persistedDocuments: {
      manifestPath: path.join(
        findRepoRoot(),
        'gateway-render',
        'src',
        '__generated__',
        'persisted-documents.json',
      ),
      renderKeyPolicy: production ? 'persisted-only' : 'any',
    },
    jwt: {
      secret: jwtSecret ?? '',
      issuer: 'movie-catalog-api',
      audience: 'movie-catalog',
      accessTokenTtlSeconds: 15 * 60,
    },
    signingKeys: {
      maxAgeMs: 30 * 24 * 3600_000,
      reloadIntervalMs: 60_000,
      unknownKidReloadMs: 5_000,
      retirementMarginMs: 5 * 60_000,
    },
    publicApiKeyToken,
    adminApiKeyToken,
    renderApiKeyToken,
    publicOrigin,
    google,
    mail: {
      smtpUrl,
      from: mailFrom ?? 'Movie catalog <no-reply@localhost>',
      pollIntervalMs: 1000,
    },
    admin,
    logLevel,
    passwordHash: { memoryCost, timeCost, parallelism: 1 },
    passwordHashPool: { threads: hashThreads, niceness: hashNiceness },
    // No proxy is trusted unless named: a client talking to the API directly cannot pick its
    // address with X-Forwarded-For (the render server forwards it as X-Client-IP instead).
    trustProxy: parseTrustProxy(read('TRUST_PROXY') ?? 'false'),
    refreshReuseIntervalSeconds,
    signInLimits: { perEmailAndIp: 10, perIp: 100, perEmail: 50, windowSeconds: 15 * 60 },
    requestLimits: {
      signUpPerIp: { points: 20, seconds: 3600 },
      mailPerEmail: { points: 5, seconds: 3600 },
      mailPerIp: { points: 30, seconds: 3600 },
      // A sign-in page asks for one per visit (and the autofill prompt another).
      passkeyOptionsPerIp: { points: 200, seconds: 15 * 60 },
    },
    // Ten wrong codes in 15 minutes: a person mistypes a few; a guesser gets 10 of 10^6 (×3
    // with the drift window) per quarter hour.
    secondFactorLimits: { perUser: 10, windowSeconds: 15 * 60 },
    // 10 requests a second per address, 20 per user, on average over a minute: a person's
    // pages make 1 or 2 API calls each (anonymous catalog pages mostly none: the render server
    // caches them), so only scripts reach these, or many people behind one address.
    requestBudget: {
      perIp: { points: 600, seconds: 60 },
      perUser: { points: 1200, seconds: 60 },
      flushIntervalMs: 500,
    },
    responseCache: {
      maxBytes: responseCacheMaxBytes,
      versionTrustMs: responseCacheVersionTrustMs,
    },
    jitThreshold,
  };
}
