import type { NextFunction, Request, Response } from 'express';
import { BasicStrategy } from 'passport-http';
import type { RenderConfig } from '../config';
import { apiClientFor } from '../shared/api-call';
import type { ApiFailure } from '../shared/api-errors';
import { classifyApiError } from '../shared/api-errors';
import { readRememberMe, signIn } from './sign-in.service';

/** Why a Basic sign-in was refused, kept for the route (passport-http's fail() carries no details). */
export function basicFailureOf(res: Response): ApiFailure | undefined {
  return res.locals.basicFailure as ApiFailure | undefined;
}

/**
 * The password as sent. passport-http splits the decoded credentials on every ":" and keeps
 * only the second piece, which would cut "pa:ss" to "pa"; the e-mail never holds a colon, so
 * everything after the first one is the password.
 */
function fullPassword(req: Request, fallback: string): string {
  const header = req.headers.authorization ?? '';
  const encoded = header.slice(header.indexOf(' ') + 1);
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : fallback;
}

/**
 * HTTP Basic sign-in: the credentials go to the API's `signIn`; wrong ones (or a malformed
 * e-mail) fail, a rate limit fails with its wait, an unreachable API is an error (503).
 */
export function createBasicStrategy(config: RenderConfig): BasicStrategy {
  return new BasicStrategy({ passReqToCallback: true }, (req, email, password, done) => {
    const rememberMe = readRememberMe(
      (req.body as Record<string, unknown> | undefined)?.rememberMe,
    );
    const res = req.res;
    if (!res) return done(new TypeError('Basic sign-in needs the response (express sets req.res)'));
    const client = apiClientFor(config, res, { anonymous: true });
    signIn(client, { email, password: fullPassword(req, password), rememberMe }).then(
      (signedIn) => done(null, signedIn),
      (error: unknown) => {
        const failure = classifyApiError(error);
        if (failure.kind === 'unavailable' || failure.kind === 'internal') return done(error);
        res.locals.basicFailure = failure;
        return done(null, false);
      },
    );
  });
}

/**
 * The sign-in form posts `email` and `password` fields: turn them into the same Basic
 * credentials, so one strategy (and one verify function) serves forms, scripts and API clients.
 */
export function formCredentialsToBasic(req: Request, res: Response, next: NextFunction): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (
    !req.headers.authorization &&
    typeof body.email === 'string' &&
    typeof body.password === 'string'
  ) {
    res.locals.signInForm = true;
    if (body.email !== '' && body.password !== '') {
      const credentials = Buffer.from(`${body.email}:${body.password}`, 'utf8').toString('base64');
      req.headers.authorization = `Basic ${credentials}`;
    }
  }
  next();
}
