import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('works with no environment in development (the .env.example values)', () => {
    const config = loadConfig({});
    expect(config).toEqual(
      expect.objectContaining({
        nodeEnv: 'development',
        port: 8000,
        apiUrl: 'http://localhost:3000/graphql',
        publicOrigin: 'http://localhost:8000',
        google: null,
      }),
    );
    expect(config.apiKey.length).toBeGreaterThanOrEqual(16);
    expect(config.cookieSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses the example secrets and missing ones in production', () => {
    const example = loadConfig({});
    expect(() =>
      loadConfig({ NODE_ENV: 'production', RENDER_API_KEY_TOKEN: 'k'.repeat(40) }),
    ).toThrow(/COOKIE_SECRET is required/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        RENDER_API_KEY_TOKEN: 'k'.repeat(40),
        COOKIE_SECRET: example.cookieSecret,
      }),
    ).toThrow(/COOKIE_SECRET still has the \.env\.example value/);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        RENDER_API_KEY_TOKEN: 'k'.repeat(40),
        COOKIE_SECRET: 's'.repeat(40),
      }).nodeEnv,
    ).toBe('production');
  });

  it('defaults API_URL from API_PORT, so moving the API alone keeps the two connected', () => {
    expect(loadConfig({ API_PORT: '4100' }).apiUrl).toBe('http://localhost:4100/graphql');
    expect(loadConfig({}).apiUrl).toBe('http://localhost:3000/graphql');
    expect(loadConfig({ API_PORT: '4100', API_URL: 'http://api:80/graphql' }).apiUrl).toBe(
      'http://api:80/graphql',
    );
  });

  it('names the bad key', () => {
    expect(() => loadConfig({ RENDER_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ RENDER_PORT: 'eighty' })).toThrow(/RENDER_PORT/);
    expect(() => loadConfig({ API_URL: 'ftp://x' })).toThrow(/API_URL must be an http\(s\) URL/);
    expect(() => loadConfig({ COOKIE_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV/);
    // Above 4.5 s the 503 page could not arrive within 5 s.
    expect(() => loadConfig({ API_TIMEOUT_MS: '10000' })).toThrow(/API_TIMEOUT_MS/);
    expect(loadConfig({ API_TIMEOUT_MS: '4500' }).apiTimeoutMs).toBe(4500);
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id' })).toThrow(/set together/);
  });

  it('enables Google with both credentials, defaulting the callback to the public origin', () => {
    const config = loadConfig({
      PUBLIC_ORIGIN: 'https://movies.example/',
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
    });
    expect(config.publicOrigin).toBe('https://movies.example');
    expect(config.google).toEqual(
      expect.objectContaining({
        callbackUrl: 'https://movies.example/auth/google/callback',
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      }),
    );
  });
});
