import path from 'node:path';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { posterRoutes } from './assets/poster.routes';
import { authRoutes } from './auth/auth.routes';
import { passkeyAuthRoutes } from './auth/passkey.routes';
import { createPassport } from './auth/passport';
import { SessionRefresher, sessionMiddleware } from './auth/refresh';
import { secondFactorAuthRoutes } from './auth/second-factor.routes';
import type { RenderConfig } from './config';
import { requestLogMessages, requestLogger } from './logger';
import { accountRoutes } from './pages/account/account.routes';
import { catalogRoutes } from './pages/catalog/catalog.routes';
import { devMailRoutes } from './pages/dev-mail/dev-mail.routes';
import { emailLinkRoutes } from './pages/email-link/email-link.routes';
import { forgotPasswordRoutes } from './pages/forgot-password/forgot-password.routes';
import { movieRoutes } from './pages/movie/movie.routes';
import { myListRoutes } from './pages/my-list/my-list.routes';
import { resetPasswordRoutes } from './pages/reset-password/reset-password.routes';
import { secondFactorRoutes } from './pages/second-factor/second-factor.routes';
import { signInRoutes } from './pages/sign-in/sign-in.routes';
import { signUpRoutes } from './pages/sign-up/sign-up.routes';
import { ACCOUNT_LINK_PATHS, noReferrerMiddleware } from './shared/account-link';
import { assetsMiddleware, loadPageAssets } from './shared/assets';
import type { PageAssets } from './shared/assets';
import { apiDeadlineMiddleware } from './shared/api-call';
import type { AppLocals } from './shared/api-call';
import { ApiFailureError } from './shared/api-errors';
import { errorHandler } from './shared/error-handler';
import { PublicResponseCache } from './shared/public-response-cache';
import type { RouteDeps } from './shared/route-deps';
import { sameOriginMiddleware } from './shared/same-origin.middleware';
import { workspaceDir } from './shared/workspace-dir';
import { userMovieRoutes } from './user-movies/user-movies.routes';

/** Options for {@link createApp}. */
export interface CreateAppOptions {
  /** Logger to use; default a pino logger at `config.logLevel`. */
  logger?: Logger;
  /** Folder served at /assets (the hashed script, stylesheet and icon, and their manifest); default `<workspace>/dist/public`. */
  publicDir?: string;
}

/**
 * Paths whose query strings must stay out of the logs: OAuth codes and state, and the tokens
 * of mailed links (whoever reads the log could use them).
 */
function logUrl(url: string): string {
  const path = url.split('?')[0] ?? url;
  // Routing ignores case and a trailing slash; so must this check.
  const route = path.toLowerCase().replace(/\/+$/, '');
  const secret = route.startsWith('/auth/') || ACCOUNT_LINK_PATHS.includes(route);
  return secret ? path : url;
}

/** Builds the render server (no listen): security headers, cookies, sign-in, pages, errors. */
export function createApp(config: RenderConfig, options: CreateAppOptions = {}): express.Express {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const publicDir = options.publicDir ?? path.join(workspaceDir(), 'dist', 'public');
  const production = config.nodeEnv === 'production';
  const passport = createPassport(config);
  const deps: RouteDeps = { config, passport, refresher: new SessionRefresher(config) };

  const app = express();
  const assets: PageAssets = loadPageAssets(publicDir);
  const locals: AppLocals = { publicResponseCache: new PublicResponseCache(), assets };
  Object.assign(app.locals, locals);
  app.disable('x-powered-by');
  app.set('trust proxy', production ? 1 : false);

  app.use(
    requestLogger({
      logger,
      // Cookies and Authorization carry tokens and passwords; never log them.
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          url: logUrl(req.url),
        }),
        // The status is enough; response headers would repeat the CSP and Set-Cookie.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // One short line per request in development (pretty-printed by logger.ts); JSON elsewhere.
      ...requestLogMessages(config.nodeEnv === 'development', logUrl),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // Generated posters are ours; a movie's own cover may be hosted elsewhere (https only).
          imgSrc: ["'self'", 'data:', 'https:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          // Over plain http (development, tests) upgrading would break every asset.
          upgradeInsecureRequests: production ? [] : null,
        },
      },
      strictTransportSecurity: production,
      // helmet's default "no-referrer" makes browsers send `Origin: null` on form posts,
      // which the same-origin check needs; same-origin keeps referrers off other sites.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(ACCOUNT_LINK_PATHS, noReferrerMiddleware());
  // HTML, JSON, scripts, styles and SVG posters: brotli when the browser takes it, else gzip.
  app.use(compression());
  app.use('/assets', assetsMiddleware(publicDir));
  // Browsers ask for /favicon.ico whatever the page links; answer with the icon.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, assets.icon));
  // Before cookies and sessions: a poster needs nobody signed in, and 30 posters must not
  // trigger 30 session refreshes for a browser whose access token just expired.
  app.use(posterRoutes(deps));
  app.use(cookieParser(config.cookieSecret));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(express.json({ limit: '16kb' }));
  app.use(sameOriginMiddleware(config));
  app.use(apiDeadlineMiddleware(config));
  // Only the sign-in routes and the account's Google connect authenticate with Passport
  // (`passport.authenticate` sets up the request itself); elsewhere initialize() would only
  // add its helpers to every page request.
  app.use(['/auth', '/account'], passport.initialize());
  app.use(sessionMiddleware(config, deps.refresher));

  app.use(authRoutes(deps));
  app.use(secondFactorAuthRoutes(deps));
  app.use(passkeyAuthRoutes(deps));
  app.use(userMovieRoutes(deps));
  app.use(catalogRoutes(deps));
  app.use(movieRoutes(deps));
  app.use(myListRoutes(deps));
  app.use(signInRoutes(deps));
  app.use(signUpRoutes(deps));
  app.use(secondFactorRoutes(deps));
  app.use(forgotPasswordRoutes(deps));
  app.use(resetPasswordRoutes(deps));
  app.use(emailLinkRoutes(deps));
  app.use(accountRoutes(deps));
  app.use(devMailRoutes(deps));

  app.use(() => {
    throw new ApiFailureError({ kind: 'not-found', message: 'No such page' });
  });
  app.use(errorHandler(config));
  return app;
}
