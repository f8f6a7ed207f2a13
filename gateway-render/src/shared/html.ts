import type { PageAssets } from './assets';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The URL when it is an absolute http(s) URL, else null. Links built from stored data use it,
 * so a `javascript:` or `data:` value that slipped past the API never becomes a clickable link.
 */
export function httpUrl(value: string): string | null {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}

const SCRIPT_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON safe inside `<script type="application/json">`: escaping every `<` means no
 * `</script>` or `<!--` in the data can end the element early (stored XSS through a title).
 */
export function jsonForScript(value: unknown): string {
  // One pass over the JSON (the page data is several KB) instead of one per character.
  return JSON.stringify(value).replace(/[<\u2028\u2029]/g, (char) => SCRIPT_ESCAPES[char] ?? char);
}

/** The product's name, in the header and after every page's own title. */
export const SITE_NAME = 'Movie catalog';

/** The document title for a page's own title (the same on the server and after in-place navigation). */
export function pageTitle(title: string): string {
  return `${title} · ${SITE_NAME}`;
}

/** The page around a rendered body: icon, stylesheet, the JSON state blocks and the deferred script. */
export function htmlDocument(options: {
  title: string;
  body: string;
  /** The hashed URLs of the script, stylesheet and icon (see shared/assets.ts). */
  assets: PageAssets;
  /** JSON blocks by element id, read by the browser script; omitted for script-less pages. */
  json?: Record<string, unknown>;
  script?: boolean;
}): string {
  const { assets } = options;
  const blocks = Object.entries(options.json ?? {})
    .map(
      ([id, value]) =>
        `<script type="application/json" id="${id}">${jsonForScript(value)}</script>`,
    )
    .join('');
  const script = options.script ? `<script src="${assets.script}" defer></script>` : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="color-scheme" content="dark"><meta name="theme-color" content="#101219">' +
    `<title>${escapeHtml(pageTitle(options.title))}</title>` +
    `<link rel="icon" href="${assets.icon}" type="image/svg+xml">` +
    `<link rel="stylesheet" href="${assets.stylesheet}">` +
    `${script}</head><body><div id="root">${options.body}</div>${blocks}</body></html>`
  );
}
