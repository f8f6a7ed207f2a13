import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/** Thrown when the environment cannot make a working render server; the message says which key and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Google sign-in settings; present only when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are both set. */
export interface GoogleConfig {
  /** OAuth 2.0 client id from the Google Cloud console. */
  clientId: string;
  /** OAuth 2.0 client secret. */
  clientSecret: string;
  /** Absolute URL Google redirects back to; default `<PUBLIC_ORIGIN>/auth/google/callback`. */
  callbackUrl: string;
  /** Authorization endpoint (overridable so tests can use a local OAuth 2.0 provider). */
  authorizationUrl: string;
  /** Token endpoint. */
  tokenUrl: string;
  /** OpenID Connect userinfo endpoint. */
  userInfoUrl: string;
}

/** Everything the render server reads from the environment, validated once. */
export interface RenderConfig {
  /** `development`, `test` or `production`. Production means Secure `__Host-` cookies and no example secrets. */
  nodeEnv: 'development' | 'test' | 'production';
  /** Port to listen on (`RENDER_PORT`, default 8000; 0 picks a free one). */
  port: number;
  /** The API's GraphQL endpoint (`API_URL`, default `http://localhost:<API_PORT or 3000>/graphql`). */
  apiUrl: string;
  /**
   * The render server's own API key (`RENDER_API_KEY_TOKEN`), sent as `X-API-Key` on every API
   * call: the public key's scopes, and the one key whose `X-Client-IP` (the browser's address)
   * the API believes. A server-side secret.
   */
  apiKey: string;
  /** Secret for signed cookies (the OAuth state cookie); at least 32 characters. */
  cookieSecret: string;
  /** The site's own origin (`PUBLIC_ORIGIN`), used for the same-origin check and the Google callback URL. */
  publicOrigin: string;
  /**
   * Milliseconds all API calls of one request may take together before the page answers 503
   * (`API_TIMEOUT_MS`, default 4000; at most 4500 so the 503 page arrives within 5 s).
   */
  apiTimeoutMs: number;
  /** pino level (`LOG_LEVEL`, default `info`; `silent` in tests). */
  logLevel: string;
  /** Google sign-in, or null when not configured (the button is hidden and the routes answer 404). */
  google: GoogleConfig | null;
}

// Secrets whose .env.example values stand in outside production (and are refused in it).
const EXAMPLE_FALLBACK_KEYS = ['RENDER_API_KEY_TOKEN', 'COOKIE_SECRET'];

const GOOGLE_DEFAULTS = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
};

// The issue promises the 503 page within 5 s of an API that is down or hangs; leave room
// for rendering the page itself.
const MAX_API_TIMEOUT_MS = 4500;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The repository root: the nearest folder above holding `.env.example` (from src/ or dist/src/). */
export function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, '.env.example'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
  return dir;
}

/** Loads the repository root's `.env` into `process.env` when it exists (set variables win). */
export function loadDotEnv(): void {
  const file = path.join(findRepoRoot(), '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** The `.env.example` values: development defaults, and the values production refuses. */
export function readExampleEnv(): Record<string, string> {
  const file = path.join(findRepoRoot(), '.env.example');
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (value !== undefined) values[key] = value;
  }
  return values;
}

function readUrl(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const value = env[key] || fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('not http(s)');
    return value;
  } catch {
    throw new ConfigError(`${key} must be an http(s) URL, got "${value}"`);
  }
}

function readInt(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number) {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/**
 * Reads and validates the render server's configuration. Throws a {@link ConfigError} naming
 * the bad key. Outside production, missing secrets fall back to the `.env.example` values;
 * production requires them and refuses the example values.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RenderConfig {
  const nodeEnv = env.NODE_ENV || 'development';
  if (nodeEnv !== 'development' && nodeEnv !== 'test' && nodeEnv !== 'production') {
    throw new ConfigError(`NODE_ENV must be development, test or production, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';

  const examples = readExampleEnv();
  const secret = (key: string, minLength: number): string => {
    const fallback = production || !EXAMPLE_FALLBACK_KEYS.includes(key) ? '' : examples[key];
    const value = env[key] || fallback || '';
    if (!value) throw new ConfigError(`${key} is required`);
    if (value.length < minLength) {
      throw new ConfigError(`${key} must be at least ${minLength} characters`);
    }
    if (production && value === examples[key]) {
      throw new ConfigError(
        `${key} still has the .env.example value; set a real secret in production`,
      );
    }
    return value;
  };

  const port = readInt(env, 'RENDER_PORT', 8000, 0, 65535);
  const publicOrigin = new URL(
    readUrl(env, 'PUBLIC_ORIGIN', `http://localhost:${port === 0 ? 8000 : port}`),
  ).origin;
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const clientId = env.GOOGLE_CLIENT_ID || '';
  const clientSecret = env.GOOGLE_CLIENT_SECRET || '';
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    throw new ConfigError('GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together');
  }
  const google: GoogleConfig | null = clientId
    ? {
        clientId,
        clientSecret,
        callbackUrl: readUrl(env, 'GOOGLE_CALLBACK_URL', `${publicOrigin}/auth/google/callback`),
        authorizationUrl: readUrl(
          env,
          'GOOGLE_AUTHORIZATION_URL',
          GOOGLE_DEFAULTS.authorizationUrl,
        ),
        tokenUrl: readUrl(env, 'GOOGLE_TOKEN_URL', GOOGLE_DEFAULTS.tokenUrl),
        userInfoUrl: readUrl(env, 'GOOGLE_USERINFO_URL', GOOGLE_DEFAULTS.userInfoUrl),
      }
    : null;

  return {
    nodeEnv,
    port,
    apiUrl: readUrl(env, 'API_URL', `http://localhost:${env.API_PORT || 3000}/graphql`),
    apiKey: secret('RENDER_API_KEY_TOKEN', 32),
    cookieSecret: secret('COOKIE_SECRET', 32),
    publicOrigin,
    apiTimeoutMs: readInt(env, 'API_TIMEOUT_MS', 4000, 100, MAX_API_TIMEOUT_MS),
    logLevel,
    google,
  };
}
