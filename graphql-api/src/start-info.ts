import type { Express, RequestHandler } from 'express';
import type { ApiConfig } from './config';
import { DEMO_USER } from './seed/seed';
import type { Services } from './services';

/** A person to sign in as; `password` is null when the stored one no longer matches it. */
export interface StartAccount {
  email: string;
  password: string | null;
}

/**
 * What a newcomer needs after `npm start`, as the API knows it: served at `GET /dev/start-info`
 * in development only, so the render server's banner can show it under its own address.
 */
export interface StartInfo {
  /** GraphiQL, on the API's own port. */
  playgroundUrl: string;
  /** The seeded demo user (null when the seed made none). */
  demoUser: StartAccount | null;
  /** The admin from ADMIN_EMAIL / ADMIN_PASSWORD (null when not configured). */
  adminUser: StartAccount | null;
  /** Whether mail goes to the local inbox (no SMTP_URL): the render server shows it at /dev/mail. */
  devInbox: boolean;
}

const START_INFO_KEY = 'startInfo';

/**
 * The seeded accounts with the passwords that really sign them in: the seed never overwrites
 * an existing user's password, so one changed since (a reset, an older ADMIN_PASSWORD) is
 * reported as such instead of printing a password that fails.
 */
export async function readStartInfo(
  config: ApiConfig,
  port: number,
  services: Services,
  devInbox: boolean,
): Promise<StartInfo> {
  const account = async (email: string, password: string): Promise<StartAccount | null> => {
    const user = await services.users.findByEmailWithPassword(email);
    if (!user) return null;
    const matches = await services.passwords.verify(user.passwordHash, password);
    return { email: user.email, password: matches ? password : null };
  };
  return {
    playgroundUrl: `http://localhost:${port}/graphql`,
    demoUser: await account(DEMO_USER.email, DEMO_USER.password),
    adminUser: config.admin ? await account(config.admin.email, config.admin.password) : null,
    devInbox,
  };
}

/** Makes `info` available at `GET /dev/start-info` (registered by createApp in development). */
export function publishStartInfo(app: Express, info: StartInfo): void {
  app.locals[START_INFO_KEY] = info;
}

/** The handler of `GET /dev/start-info`: 404 until index.ts has published the info. */
export function startInfoHandler(app: Express): RequestHandler {
  return (_req, res) => {
    const info = app.locals[START_INFO_KEY] as StartInfo | undefined;
    res.set('Cache-Control', 'no-store');
    if (info) res.json(info);
    else res.status(404).json({ error: 'not started yet' });
  };
}

/** One account line of a banner. */
export function accountLine(label: string, account: StartAccount): string {
  return account.password === null
    ? `${label} ${account.email} (its password changed since the seed)`
    : `${label} ${account.email} / ${account.password}`;
}
