import type { Request, Response } from 'express';
import { renderToString } from 'react-dom/server';
import { accessTokenViewer } from '../auth/refresh';
import { requestSession } from '../auth/request-session';
import { assetsOf } from './assets';
import { Header } from './header';
import { escapeHtml, htmlDocument } from './html';
import { PageDataProvider } from './page-data';
import { wantsJson } from './render-page';

/** What an error page says; never a stack trace or an internal message. */
export interface ErrorPage {
  status: number;
  /** Machine-readable, for JSON callers: NOT_FOUND, SERVICE_UNAVAILABLE, ... */
  code: string;
  title: string;
  message: string;
  /** Seconds to wait (429), also sent as `Retry-After`. */
  retryAfter?: number;
}

export const ERROR_PAGES = {
  notFound: {
    status: 404,
    code: 'NOT_FOUND',
    title: 'Not found',
    message: 'There is nothing at this address.',
  },
  unavailable: {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    title: 'Temporarily unavailable',
    message: 'The catalog cannot be reached right now. Please try again in a moment.',
  },
  internal: {
    status: 500,
    code: 'INTERNAL_SERVER_ERROR',
    title: 'Something went wrong',
    message: 'Something went wrong on our side. Please try again.',
  },
  badRequest: {
    status: 400,
    code: 'BAD_REQUEST',
    title: 'Bad request',
    message: 'The request could not be understood.',
  },
} satisfies Record<string, ErrorPage>;

/** "Too many attempts. Try again in 3 minutes." (also the JSON message the page script shows). */
export function rateLimitedPage(retryAfter: number): ErrorPage {
  const minutes = Math.ceil(retryAfter / 60);
  const wait =
    retryAfter < 60
      ? `${retryAfter} second${retryAfter === 1 ? '' : 's'}`
      : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return {
    status: 429,
    code: 'RATE_LIMITED',
    title: 'Too many attempts',
    message: `Too many attempts. Try again in ${wait}.`,
    retryAfter,
  };
}

/**
 * Every page's header, also on error pages: who is signed in (from the access token cookie,
 * since the API may be the thing that failed) with the sign-out form, or the sign-in links.
 * The same Header component as the pages, fed from the token instead of the API.
 */
function errorPageHeader(res: Response): string {
  const viewer = accessTokenViewer(requestSession(res).accessToken);
  return renderToString(
    <PageDataProvider value={{ data: { me: viewer }, onListChange: null }}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
    </PageDataProvider>,
  );
}

/**
 * Sends an error page (HTML, no script: its forms and links work without it) or, to a JSON
 * caller (or when `json` says so), `{ error: { code, message } }`.
 */
export function sendErrorPage(
  req: Request,
  res: Response,
  page: ErrorPage,
  json = wantsJson(req),
): void {
  res.status(page.status).set('Cache-Control', 'no-store');
  if (page.retryAfter !== undefined) res.set('Retry-After', String(page.retryAfter));
  if (json) {
    res.json({
      error: {
        code: page.code,
        message: page.message,
        ...(page.retryAfter !== undefined ? { retryAfter: page.retryAfter } : {}),
      },
    });
    return;
  }
  const body =
    errorPageHeader(res) +
    `<main id="main" class="error-page"><h1>${escapeHtml(page.title)}</h1>` +
    `<p>${escapeHtml(page.message)}</p><p><a href="/">Back to the catalog</a></p></main>`;
  res.type('html').send(htmlDocument({ title: page.title, body, assets: assetsOf(req) }));
}
