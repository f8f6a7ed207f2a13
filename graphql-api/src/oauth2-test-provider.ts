import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findRepoRoot } from './config';

/** The claims of an ID token (Google's OpenID Connect names). */
export interface IdTokenClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** Options of {@link OAuth2TestProvider.idToken}: what to get wrong on purpose. */
export interface IdTokenOptions {
  /** Seconds until it expires (negative: expired that long ago). Default 3600. */
  expiresIn?: number;
  /** `aud`; default the provider's client id. */
  audience?: string;
  /** `iss`; default the provider's own URL. */
  issuer?: string;
}

/**
 * A local OpenID Connect provider (oauth2-mock-server, in a child process) for tests: it signs
 * ID tokens with its own RS256 key and serves the JWKS, the authorization and token endpoints
 * of the code flow, and /userinfo.
 */
export interface OAuth2TestProvider {
  /** Its URL, the `iss` of its tokens. */
  issuer: string;
  clientId: string;
  /** The API's Google settings pointing here (GOOGLE_CLIENT_ID, GOOGLE_ISSUER, GOOGLE_JWKS_URL). */
  apiEnv: Record<string, string>;
  /** The render server's Google settings pointing here (client id and secret, endpoints). */
  renderEnv: Record<string, string>;
  /** Who approves the next authorization: the code flow's ID token and /userinfo carry these. */
  setUser(claims: IdTokenClaims): Promise<void>;
  /** An ID token signed by the provider's key. */
  idToken(claims: IdTokenClaims, options?: IdTokenOptions): Promise<string>;
  stop(): Promise<void>;
}

interface Ack {
  type: 'ack';
  id: number;
  token?: string;
  error?: string;
}

/** Starts the provider; `stop()` it in `afterAll`. */
export async function startOAuth2TestProvider(
  clientId = 'test-client-id',
): Promise<OAuth2TestProvider> {
  const script = path.join(findRepoRoot(), 'graphql-api', 'test', 'oauth2-provider.process.mjs');
  const child: ChildProcess = fork(script, [clientId], { stdio: 'inherit' });
  const issuer = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { type: string; issuer: string }) => resolve(message.issuer));
    child.once('exit', (code) => reject(new TypeError(`OAuth2 provider exited (${code})`)));
  });
  let nextId = 0;
  const call = (message: Record<string, unknown>): Promise<Ack> => {
    nextId += 1;
    const id = nextId;
    return new Promise((resolve) => {
      const onMessage = (reply: Ack) => {
        if (reply.type !== 'ack' || reply.id !== id) return;
        child.off('message', onMessage);
        resolve(reply);
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });
  };
  return {
    issuer,
    clientId,
    apiEnv: {
      GOOGLE_CLIENT_ID: clientId,
      GOOGLE_ISSUER: issuer,
      GOOGLE_JWKS_URL: `${issuer}/jwks`,
    },
    renderEnv: {
      GOOGLE_CLIENT_ID: clientId,
      GOOGLE_CLIENT_SECRET: 'test-client-secret',
      GOOGLE_AUTHORIZATION_URL: `${issuer}/authorize`,
      GOOGLE_TOKEN_URL: `${issuer}/token`,
      GOOGLE_USERINFO_URL: `${issuer}/userinfo`,
    },
    async setUser(claims) {
      await call({ type: 'user', claims });
    },
    async idToken(claims, options = {}) {
      const reply = await call({ type: 'token', claims, ...options });
      if (!reply.token) throw new TypeError(`The provider built no token: ${reply.error}`);
      return reply.token;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
