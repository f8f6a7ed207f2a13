import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Request, RequestHandler } from 'express';

/** The URLs of the files every page links: the browser script, the stylesheet, the icon. */
export interface PageAssets {
  script: string;
  stylesheet: string;
  icon: string;
}

/** The manifest `scripts/build-client.cjs` writes: source name → content-hashed file name. */
export const ASSET_MANIFEST_FILE = 'manifest.json';

// Before the first build (or in a test that never built the bundle) pages still render; they
// link names that answer 404, and plain forms and links keep working.
const UNBUILT: PageAssets = {
  script: '/assets/client.js',
  stylesheet: '/assets/styles.css',
  icon: '/assets/favicon.svg',
};

/** Hashed names end in `-<8 or more base32/hex characters>.<ext>` (esbuild's `[hash]`). */
const HASHED_NAME = /-[A-Z0-9]{8,}\.(?:js|css|svg)$/;

/** Reads the build's manifest from `publicDir`; the unbuilt names when there is none. */
export function loadPageAssets(publicDir: string): PageAssets {
  const file = path.join(publicDir, ASSET_MANIFEST_FILE);
  if (!existsSync(file)) return UNBUILT;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const url = (name: string, fallback: string) =>
    manifest[name] ? `/assets/${manifest[name]}` : fallback;
  return {
    script: url('client.js', UNBUILT.script),
    stylesheet: url('styles.css', UNBUILT.stylesheet),
    icon: url('favicon.svg', UNBUILT.icon),
  };
}

/** The page assets createApp loaded (kept in `app.locals.assets`). */
export function assetsOf(req: Request): PageAssets {
  return (req.app.locals as { assets?: PageAssets }).assets ?? UNBUILT;
}

/**
 * Serves the built files at /assets. A content-hashed name never changes meaning, so it is
 * cached for a year and never revalidated; anything else (the manifest, an unhashed name)
 * must be revalidated. Source maps are not public: the build keeps them outside this folder.
 */
export function assetsMiddleware(publicDir: string): RequestHandler {
  return express.static(publicDir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, filePath) => {
      res.setHeader(
        'Cache-Control',
        HASHED_NAME.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
