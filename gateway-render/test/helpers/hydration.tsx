import { renderToString } from 'react-dom/server';
import { AppShell } from '../../src/shared/app-shell';
import { PAGE_ELEMENT_ID } from '../../src/shared/page-props';
import type { PageData } from '../../src/shared/page-props';

function jsonBlock<T>(html: string, id: string): T {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`).exec(html);
  if (!match?.[1]) throw new TypeError(`no #${id} block`);
  return JSON.parse(match[1]) as T;
}

/** The server's markup inside `#root`. */
export function serverRoot(html: string): string {
  const start = html.indexOf('<div id="root">') + '<div id="root">'.length;
  const end = html.indexOf(`</div><script type="application/json" id="${PAGE_ELEMENT_ID}">`);
  return html.slice(start, end);
}

/**
 * What the page script's first render produces from the page's embedded state: equal to
 * {@link serverRoot} when the page hydrates without a mismatch.
 */
export function browserRender(html: string): string {
  const { page, data } = jsonBlock<PageData>(html, PAGE_ELEMENT_ID);
  return renderToString(<AppShell page={page} data={data} navigate={null} />);
}
