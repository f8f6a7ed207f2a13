import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RenderConfig } from '../config';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses cross-site state changes (CSRF): a POST/DELETE whose `Origin` is not the site's own
 * origin, or, when a browser sends no usable Origin, whose `Sec-Fetch-Site` is not
 * `same-origin`, gets a 403. The site's origin is PUBLIC_ORIGIN; the request's own Host origin
 * is accepted too (a browser never lets a foreign page forge Host with the victim's cookies).
 * Requests with neither header come from non-browser clients (curl, scripts), which carry no
 * ambient cookies an attacker could ride on.
 */
export function sameOriginMiddleware(config: RenderConfig): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin');
    // "null" is what a browser sends for an opaque origin (a sandboxed frame, or a form post
    // under a no-referrer policy): undecidable by itself, so Sec-Fetch-Site decides.
    if (origin !== undefined && origin !== 'null') {
      const ownOrigin = `${req.protocol}://${req.get('host') ?? ''}`;
      if (origin === config.publicOrigin || origin === ownOrigin) return next();
      return refuse(req, res);
    }
    const site = req.get('sec-fetch-site');
    if (site === 'same-origin' || site === 'none') return next();
    if (site === undefined && origin === undefined) return next();
    return refuse(req, res);
  };
}

function refuse(req: Request, res: Response): void {
  res.status(403);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } });
  } else {
    res.type('text/plain').send('Cross-site request refused');
  }
}
