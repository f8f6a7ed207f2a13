import type { ApiConfig } from '../config';
import type { Services } from '../services';
import { ADMIN_KEY_SCOPES, PUBLIC_KEY_SCOPES } from '../shared/scopes';
import { SAMPLE_MOVIES, slugify } from './sample-movies';

/** The demo user the development start-up prints (never created in production). */
export const DEMO_USER = {
  name: 'Demo User',
  email: 'demo@example.com',
  password: 'demo-password',
};

/** What a seed run did; `newKeyTokens` holds tokens that exist nowhere else (print them once). */
export interface SeedReport {
  newKeyTokens: { name: string; token: string }[];
  ensuredKeys: string[];
  adminCreated: boolean;
  moviesInserted: number;
  demoUserCreated: boolean;
}

/** Options for {@link seedDatabase}. */
export interface SeedOptions {
  /** Insert the sample movies when the catalog is empty (default true). */
  movies?: boolean;
  /** Create the demo user (default: outside production only). */
  demoUser?: boolean;
}

/**
 * Idempotent seed: API keys (the configured tokens, else generated once), the admin from the
 * environment, the sample movies into an empty catalog, and the demo user.
 */
export async function seedDatabase(
  config: ApiConfig,
  services: Services,
  options: SeedOptions = {},
): Promise<SeedReport> {
  const report: SeedReport = {
    newKeyTokens: [],
    ensuredKeys: [],
    adminCreated: false,
    moviesInserted: 0,
    demoUserCreated: false,
  };

  const keys = [
    { name: 'public', token: config.publicApiKeyToken, scopes: PUBLIC_KEY_SCOPES },
    { name: 'admin', token: config.adminApiKeyToken, scopes: ADMIN_KEY_SCOPES },
    // The render server's own key: the public scopes, and it may forward the browser's address.
    // In production it may send only ids of the persisted-documents manifest (its own operations).
    {
      name: 'render',
      token: config.renderApiKeyToken,
      scopes: PUBLIC_KEY_SCOPES,
      forwardsClientIp: true,
      documentPolicy: config.persistedDocuments.renderKeyPolicy,
    },
  ];
  for (const key of keys) {
    if (key.token !== undefined) {
      await services.apiKeys.ensure(key.name, key.token, key.scopes, {
        forwardsClientIp: key.forwardsClientIp ?? false,
        documentPolicy: key.documentPolicy ?? 'any',
      });
      report.ensuredKeys.push(key.name);
    } else if ((await services.apiKeys.countByName(key.name)) === 0) {
      const { token } = await services.apiKeys.create(key.name, key.scopes, {
        forwardsClientIp: key.forwardsClientIp ?? false,
        documentPolicy: key.documentPolicy ?? 'any',
      });
      report.newKeyTokens.push({ name: key.name, token });
    }
  }

  if (config.admin) {
    const passwordHash = await services.passwords.hash(config.admin.password);
    const { created } = await services.users.ensureAdmin({
      name: 'Admin',
      email: config.admin.email,
      passwordHash,
    });
    report.adminCreated = created;
  }

  if ((options.movies ?? true) && (await services.movies.isEmpty())) {
    for (const movie of SAMPLE_MOVIES) {
      const slug = slugify(movie.title);
      // Placeholders on a reserved domain (RFC 2606) that never loads, since the contract
      // requires http(s) URLs: the render server treats them as absent (`usableImageUrl`),
      // shows the movie's generated poster and hides the "Source" link.
      await services.movies.create({
        ...movie,
        cover: `https://covers.example.com/${slug}.jpg`,
        source: `https://stream.example.com/${slug}`,
      });
    }
    report.moviesInserted = SAMPLE_MOVIES.length;
  }

  if (options.demoUser ?? config.nodeEnv !== 'production') {
    const existing = await services.users.findByEmailWithPassword(DEMO_USER.email);
    if (existing) {
      // Made before addresses were verified: the operator's demo account still counts as verified.
      if (existing.emailVerified !== true) {
        await services.users.markEmailVerified(existing._id, existing.email);
      }
    } else {
      // Made by the operator, not signed up: its address counts as verified and no mail goes out.
      await services.users.createWithPassword({
        name: DEMO_USER.name,
        email: DEMO_USER.email,
        passwordHash: await services.passwords.hash(DEMO_USER.password),
        emailVerified: true,
      });
      report.demoUserCreated = true;
    }
  }
  return report;
}
