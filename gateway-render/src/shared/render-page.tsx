import type { Request, Response } from 'express';
import { renderToString } from 'react-dom/server';
import { ViewerDocument } from '../__generated__/graphql';
import type { RenderConfig } from '../config';
import { apiClientFor, runQuery } from './api-call';
import { AppShell } from './app-shell';
import { assetsOf } from './assets';
import { htmlDocument } from './html';
import { noticeFromQuery, withoutNotice } from './notices';
import { PAGE_ELEMENT_ID } from './page-props';
import type { PageData, PageProps } from './page-props';
import { safeReturnTo } from './return-to';

/** True when the caller asked for JSON (the page script's in-place navigation and form posts). */
export function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/** A script or API client: it sent JSON or asked for JSON back. */
export function isJsonClient(req: Request): boolean {
  return Boolean(req.is('application/json')) || wantsJson(req);
}

export interface RenderPageOptions {
  /** Which page, with its query variables and form state: the props the browser hydrates. */
  page: PageProps;
  /** The document title, before " · Movie catalog". */
  title: string;
  /** The page query's result: what the page renders from, embedded for hydration and sent as JSON for in-place navigation. */
  data: unknown;
  /** HTTP status; default 200 (401 or 400 for a form shown again with a message). */
  status?: number;
}

/**
 * Answers a page request: HTML rendered from the page query's data, with the page props and
 * that data embedded as JSON for hydration, or, for the page script, the same as JSON. No
 * inline script runs, so the CSP needs no 'unsafe-inline' and no nonce.
 */
export async function renderPage(req: Request, res: Response, options: RenderPageOptions) {
  const { title, data, status = 200 } = options;
  const page = withPageCommon(req, options.page);
  // Pages hold personal data (who is signed in, their list): never cached by anyone.
  res.set('Cache-Control', 'no-store');
  res.vary('Accept');
  const body: PageData = { page, title, data };
  if (wantsJson(req)) {
    res.status(status).json(body);
    return;
  }
  // One render from data the route already has (the header's viewer included).
  const result = renderToString(<AppShell page={page} data={data} navigate={null} />);
  const html = htmlDocument({
    title,
    body: result,
    json: { [PAGE_ELEMENT_ID]: body },
    assets: assetsOf(req),
    script: true,
  });
  res.status(status).type('html').send(html);
}

/**
 * The page with what every page carries: the notice a redirect asked for (unless the route
 * wrote one) and the way back to the page for its forms. A page shown by a POST (a form again)
 * has no URL of its own to come back to: its route names one, else the catalog.
 */
function withPageCommon(req: Request, page: PageProps): PageProps {
  const notice = page.notice !== undefined ? page.notice : noticeFromQuery(req.query);
  const here =
    page.here ?? (req.method === 'GET' ? safeReturnTo(withoutNotice(req.originalUrl)) : '/');
  const offerPasskey = req.method === 'GET' && req.query.notice === 'welcome';
  return { ...page, notice, here, ...(offerPasskey ? { offerPasskey } : {}) };
}

/**
 * Renders a page whose only data is the header's viewer: the sign-in, sign-up, forgot and
 * reset password forms and the mailed links' pages, also when shown again with a message.
 */
export async function renderViewerPage(
  config: RenderConfig,
  req: Request,
  res: Response,
  options: { page: PageProps; title: string; status?: number },
): Promise<void> {
  const client = apiClientFor(config, res);
  const data = await runQuery(client, ViewerDocument, {});
  await renderPage(req, res, { data, ...options });
}
