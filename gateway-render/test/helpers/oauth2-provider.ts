import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The userinfo claims the provider answers with (Google's OpenID Connect names). */
export interface UserInfo {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** A local OAuth 2.0 provider in a child process (see oauth2-provider-process.mjs). */
export interface OAuth2Provider {
  issuer: string;
  /** The Google endpoint overrides pointing at this provider. */
  env: Record<string, string>;
  setUser(userinfo: UserInfo): Promise<void>;
  stop(): Promise<void>;
}

function nextMessage(child: ChildProcess, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new TypeError(`OAuth2 provider exited (${code})`)));
  });
}

export async function startOAuth2Provider(): Promise<OAuth2Provider> {
  const child = fork(path.join(__dirname, 'oauth2-provider-process.mjs'), [], { stdio: 'inherit' });
  const { issuer } = (await nextMessage(child, 'ready')) as { issuer: string };
  return {
    issuer,
    env: {
      GOOGLE_CLIENT_ID: 'test-client-id',
      GOOGLE_CLIENT_SECRET: 'test-client-secret',
      GOOGLE_AUTHORIZATION_URL: `${issuer}/authorize`,
      GOOGLE_TOKEN_URL: `${issuer}/token`,
      GOOGLE_USERINFO_URL: `${issuer}/userinfo`,
    },
    async setUser(userinfo) {
      const ack = nextMessage(child, 'ack');
      child.send({ type: 'user', userinfo });
      await ack;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
