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

/**
 * JSON safe inside `<script type="application/json">`: escaping every `<` means no
 * `</script>` or `<!--` in the data can end the element early (stored XSS through a title).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The page around a rendered body: stylesheet, the JSON state blocks and the deferred script. */
export function htmlDocument(options: {
  title: string;
  body: string;
  /** JSON blocks by element id, read by the browser script; omitted for script-less pages. */
  json?: Record<string, unknown>;
  script?: boolean;
}): string {
  const blocks = Object.entries(options.json ?? {})
    .map(
      ([id, value]) =>
        `<script type="application/json" id="${id}">${jsonForScript(value)}</script>`,
    )
    .join('');
  const script = options.script ? '<script src="/assets/client.js" defer></script>' : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(options.title)} · Movie catalog</title>` +
    '<link rel="stylesheet" href="/assets/styles.css">' +
    `${script}</head><body><div id="root">${options.body}</div>${blocks}</body></html>`
  );
}
