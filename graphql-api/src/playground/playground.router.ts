import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import type { Request, Router } from 'express';
import { contentSecurityPolicy } from 'helmet';
import type { ApiConfig } from '../config';
import { findRepoRoot } from '../config';
import type { Logger } from '../logger';
import { SCHEMA_FILE } from '../schema';
import type { PlaygroundSettings } from './browser/playground-settings';
import { playgroundExamples } from './playground-examples';
import { PLAYGROUND_ASSETS_PATH, renderHomePage, renderPlaygroundPage } from './playground.page';
import type { HomeLink } from './playground.page';

/**
 * Where `scripts/build-playground.cjs` writes the bundle: `graphql-api/dist/public/playground`
 * (resolved from the repository root, so it is the same from `src/` under jest and `dist/src/`).
 */
export const PLAYGROUND_BUNDLE_DIR = path.join(
  findRepoRoot(),
  'graphql-api',
  'dist',
  'public',
  'playground',
);

/**
 * The playground page's policy: the helmet defaults the rest of the API sends, narrowed to this
 * origin (no `https:` sources: the page must work offline, so nothing may come from elsewhere)
 * and widened only where GraphiQL 5 needs it.
 */
export const PLAYGROUND_CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  // The page script and nothing else: the settings travel in a JSON block, which never runs.
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // Monaco's language services run in web workers loaded from this origin.
  'worker-src': ["'self'"],
  // Operations and introspection go to this origin's /graphql only.
  'connect-src': ["'self'"],
  // Monaco writes a <style> element and Monaco, GraphiQL and its popovers set hundreds of style
  // attributes at run time: without 'unsafe-inline' Chromium refuses them (no script can run
  // from a style, so script-src stays strict).
  'style-src': ["'self'", "'unsafe-inline'"],
  // GraphiQL's stylesheet embeds its fonts (Roboto, Fira Code, Monaco's codicons) as data: URLs.
  'font-src': ["'self'", 'data:'],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  // No upgrade-insecure-requests (helmet's default): the development API is plain http, also
  // when opened by a LAN address or a container name, where an upgrade to https would fail.
};

/** Options of {@link createPlaygroundRouter}. */
export interface PlaygroundRouterOptions {
  logger: Logger;
  /** Whether `GET /dev/mail` is served (the home page links it). */
  devInbox?: boolean;
  /** The built bundle's directory (default {@link PLAYGROUND_BUNDLE_DIR}). */
  bundleDir?: string;
}

/** Whether a request to /graphql is a browser asking for a page rather than a GraphQL client. */
function prefersHtml(req: Request): boolean {
  // The order breaks ties: `Accept: */*` or no Accept at all is a GraphQL client (Apollo's answer).
  const preferred = req.accepts([
    'application/graphql-response+json',
    'application/json',
    'multipart/mixed',
    'text/html',
  ]);
  return preferred === 'text/html';
}

/**
 * The development-only pages of the API (app.ts mounts this in development only, in front of
 * Apollo): GraphiQL on `GET /graphql` for browsers (every other request to /graphql goes on to
 * Apollo), its bundle under `/playground/`, a home page on `GET /` and the SDL on
 * `GET /schema.graphql`.
 */
export function createPlaygroundRouter(
  config: ApiConfig,
  options: PlaygroundRouterOptions,
): Router {
  const bundleDir = options.bundleDir ?? PLAYGROUND_BUNDLE_DIR;
  if (!existsSync(path.join(bundleDir, 'playground.js'))) {
    options.logger.warn(
      { bundleDir },
      'the playground bundle is not built: run `npm run build -w graphql-api` (GET /graphql shows how)',
    );
  }
  const examples = playgroundExamples(config.publicApiKeyToken);
  const settings: PlaygroundSettings = {
    endpoint: '/graphql',
    publicApiKey: config.publicApiKeyToken ?? null,
    tabs: examples.tabs,
    defaultHeaders: examples.defaultHeaders,
    workers: {
      editor: `${PLAYGROUND_ASSETS_PATH}/editor.worker.js`,
      json: `${PLAYGROUND_ASSETS_PATH}/json.worker.js`,
      graphql: `${PLAYGROUND_ASSETS_PATH}/graphql.worker.js`,
    },
  };
  const playgroundPage = renderPlaygroundPage(settings);
  const links: HomeLink[] = [
    { href: '/graphql', label: 'Playground', description: 'GraphiQL, with the public key preset' },
    { href: '/schema.graphql', label: 'Schema', description: 'the SDL (schema/schema.graphql)' },
    { href: '/health', label: 'Health', description: 'liveness' },
    { href: '/ready', label: 'Ready', description: 'the database is reachable' },
  ];
  if (options.devInbox) {
    links.push({
      href: '/dev/mail',
      label: 'Mail',
      description: 'the local inbox the API sends to (JSON)',
    });
  }
  links.push({
    href: config.publicOrigin,
    label: 'Site',
    description: 'the render server, what people use',
  });
  const homePage = renderHomePage(links);
  const playgroundCsp = contentSecurityPolicy({
    useDefaults: false,
    directives: PLAYGROUND_CSP_DIRECTIVES,
  });

  const router = express.Router();
  router.get('/', (_req, res) => {
    res.type('html').send(homePage);
  });
  router.get(
    '/graphql',
    (req, res, next) => (prefersHtml(req) ? playgroundCsp(req, res, next) : next('route')),
    (_req, res) => {
      res.set('Cache-Control', 'no-store');
      // Apollo varies its answer on Accept too: a cache must not serve this page to a client.
      res.vary('Accept');
      res.type('html').send(playgroundPage);
    },
  );
  router.get('/schema.graphql', async (_req, res) => {
    // Read on each request: `npm run emit-schema` may have rewritten it since the start.
    res.type('text/plain').send(await readFile(SCHEMA_FILE, 'utf8'));
  });
  router.use(PLAYGROUND_ASSETS_PATH, express.static(bundleDir, { index: false }));
  return router;
}

/**
 * What app.ts mounts instead outside development: a browser asking for the /graphql page gets
 * a plain 404, not Apollo's "GET query missing" 400 (its landing page is disabled); every other
 * request goes on to Apollo. `/`, the SDL and the bundle are simply not routed (404).
 */
export function createNoPlaygroundRouter(): Router {
  const router = express.Router();
  router.get('/graphql', (req, res, next) => {
    if (!prefersHtml(req)) return next('route');
    res.vary('Accept');
    res.status(404).type('text').send('Not Found');
  });
  return router;
}
