import type { ApolloClient } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import type { Request, Response } from 'express';
import { renderToString } from 'react-dom/server';
import { ViewerDocument } from '../__generated__/graphql';
import type { RenderConfig } from '../config';
import { apiClientFor, runQuery } from './api-call';
import { AppShell } from './app-shell';
import { htmlDocument } from './html';
import { noticeFromQuery, withoutNotice } from './notices';
import { PAGE_ELEMENT_ID, STATE_ELEMENT_ID } from './page-props';
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
  /** The request's Apollo Client, whose cache already holds the page query's result. */
  client: ApolloClient;
  /** Which page, with its query variables and form state: the props the browser hydrates. */
  page: PageProps;
  /** The document title, before " · Movie catalog". */
  title: string;
  /** The page query's result (sent as JSON for in-place navigation). */
  data: unknown;
  /** HTTP status; default 200 (401 or 400 for a form shown again with a message). */
  status?: number;
}

/**
 * Answers a page request: HTML rendered from the request's Apollo cache with the cache and
 * the page props embedded as JSON for hydration, or, for the page script, the same page as
 * JSON. No inline script runs, so the CSP needs no 'unsafe-inline' and no nonce.
 */
export async function renderPage(req: Request, res: Response, options: RenderPageOptions) {
  const { client, title, data, status = 200 } = options;
  const page = withPageCommon(req, options.page);
  // Pages hold personal data (who is signed in, their list): never cached by anyone.
  res.set('Cache-Control', 'no-store');
  res.vary('Accept');
  if (wantsJson(req)) {
    const body: PageData = { page, title, data };
    res.status(status).json(body);
    return;
  }
  // One render: the route has already put every query of the page into the request's cache
  // (the header's viewer included), so a second, data-gathering pass would find nothing.
  const result = renderToString(
    <ApolloProvider client={client}>
      <AppShell page={page} navigate={null} />
    </ApolloProvider>,
  );
  const html = htmlDocument({
    title,
    body: result,
    json: { [STATE_ELEMENT_ID]: client.extract(), [PAGE_ELEMENT_ID]: page },
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
  return { ...page, notice, here };
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
  await renderPage(req, res, { client, data, ...options });
}
