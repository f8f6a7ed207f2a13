import type { ErrorRequestHandler, Request, Response } from 'express';
import { clearSessionCookies } from '../auth/cookies';
import type { RenderConfig } from '../config';
import { classifyApiError } from './api-errors';
import { ERROR_PAGES, rateLimitedPage, sendErrorPage } from './error-pages';
import { wantsJson } from './render-page';
import { safeReturnTo, signInUrl } from './return-to';

function isClientHttpError(error: unknown): error is { status: number; expose?: boolean } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Where a person goes back to after signing in: the page itself, or a form's return path. */
function returnPathOf(req: Request): string {
  if (req.method === 'GET') return req.originalUrl;
  const body = (req.body ?? {}) as Record<string, unknown>;
  return safeReturnTo(body.returnTo);
}

function sendSignInRedirect(req: Request, res: Response, config: RenderConfig): void {
  // The API refused our token (revoked or signed out elsewhere): forget it.
  clearSessionCookies(res, config);
  const location = signInUrl(returnPathOf(req));
  if (wantsJson(req) || req.is('application/json')) {
    res.status(401).json({
      error: { code: 'UNAUTHENTICATED', message: 'Please sign in', redirect: location },
    });
    return;
  }
  res.redirect(303, location);
}

/**
 * The one place a failure becomes a response: API failures map to their page (sign-in,
 * 404, 429 with the wait, 503), malformed requests to 400, everything else to a masked 500
 * that is logged. No stack trace or internal message ever reaches the response.
 */
export function errorHandler(config: RenderConfig): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (isClientHttpError(error)) {
      // body-parser: malformed JSON, too large, bad charset.
      return sendErrorPage(req, res, { ...ERROR_PAGES.badRequest, status: error.status });
    }
    const failure = classifyApiError(error);
    switch (failure.kind) {
      case 'unauthenticated':
        return sendSignInRedirect(req, res, config);
      case 'not-found':
        return sendErrorPage(req, res, ERROR_PAGES.notFound);
      case 'rate-limited':
        return sendErrorPage(req, res, rateLimitedPage(failure.retryAfter));
      case 'unavailable':
        req.log.warn({ err: error }, 'API unavailable');
        return sendErrorPage(req, res, ERROR_PAGES.unavailable);
      case 'bad-input':
        return sendErrorPage(req, res, { ...ERROR_PAGES.badRequest, message: failure.message });
      case 'forbidden':
        return sendErrorPage(req, res, {
          status: 403,
          code: 'FORBIDDEN',
          title: 'Forbidden',
          message: 'You may not do that.',
        });
      // Routes that make sensitive changes ask for the re-authentication on the spot
      // (pages/account/account-actions.ts); this is only what is left for any other.
      case 'reauthentication-required':
        return sendErrorPage(req, res, {
          status: 403,
          code: 'REAUTHENTICATION_REQUIRED',
          title: 'Confirm it is you',
          message: failure.message,
        });
      case 'conflict':
        return sendErrorPage(req, res, {
          status: 409,
          code: 'CONFLICT',
          title: 'Conflict',
          message: failure.message,
        });
      default:
        req.log.error({ err: error }, 'request failed');
        return sendErrorPage(req, res, ERROR_PAGES.internal);
    }
  };
}
