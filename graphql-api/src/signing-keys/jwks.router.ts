import express from 'express';
import type { Router } from 'express';
import type { SigningKeyService } from './signing-key.service';

/** Where the public keys are published (the usual well-known path, RFC 8414 / OpenID). */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * How long verifiers and HTTP caches may keep the key set. A verifier that meets a `kid` it
 * does not know refetches anyway (jose's remote key set does), so a new key is never blocked
 * by this; a retired key only disappears later, after its tokens have expired.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/** `GET /.well-known/jwks.json`: the public keys that may still verify access tokens. */
export function createJwksRouter(keys: SigningKeyService): Router {
  const router = express.Router();
  router.get(JWKS_PATH, async (_req, res) => {
    const jwks = await keys.jwks();
    res.set('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    res.json(jwks);
  });
  return router;
}
