import type { PlaygroundSettings } from './browser/playground-settings';

/** Where the playground's bundle (script, stylesheet, Monaco workers) is served. */
export const PLAYGROUND_ASSETS_PATH = '/playground';

/** The id of the page's settings block; the script tag names it in `data-settings`. */
const SETTINGS_ELEMENT_ID = 'playground-settings';
/** The id of the element GraphiQL renders into; the script tag names it in `data-root`. */
const ROOT_ELEMENT_ID = 'graphiql';

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<` (so no `</script>` or
 * `<!--` can end or change the block), no `>`, `&` or line separators either; `JSON.parse` reads
 * the escapes back unchanged.
 */
export function jsonForScriptBlock(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/**
 * The playground page: a short note, GraphiQL's mount point, the settings as a JSON block and the
 * bundle as an external script. Nothing inline runs, so the CSP keeps `script-src 'self'`.
 */
export function renderPlaygroundPage(settings: PlaygroundSettings): string {
  const assets = PLAYGROUND_ASSETS_PATH;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>Movie catalog API: playground</title>
    <link rel="stylesheet" href="${assets}/playground.css">
    <script type="application/json" id="${SETTINGS_ELEMENT_ID}">${jsonForScriptBlock(settings)}</script>
    <script src="${assets}/playground.js" data-settings="${SETTINGS_ELEMENT_ID}" data-root="${ROOT_ELEMENT_ID}" defer></script>
  </head>
  <body class="playground-page">
    <header class="playground-note">
      <strong>Movie catalog API playground</strong> (development only).
      Every operation carries the public API key (<code>X-API-Key</code>, in the headers editor).
      To act as a person, run the <em>SignIn</em> tab and add
      <code>"Authorization": "Bearer &lt;accessToken&gt;"</code> to the headers.
      <a href="/">API home</a> · <a href="/schema.graphql">schema</a>
    </header>
    <div id="${ROOT_ELEMENT_ID}" class="playground-root">
      <p class="playground-loading">
        Loading GraphiQL… If this stays, the playground's bundle is missing: run
        <code>npm run build -w graphql-api</code> and reload.
      </p>
    </div>
  </body>
</html>
`;
}

/** A link of the API's home page. */
export interface HomeLink {
  href: string;
  label: string;
  description: string;
}

/** The API's home page in development: what is served where. No script at all. */
export function renderHomePage(links: readonly HomeLink[]): string {
  const items = links
    .map(
      (link) =>
        `      <li><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>: ${escapeHtml(link.description)}</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>Movie catalog API</title>
  </head>
  <body>
    <main>
      <h1>Movie catalog GraphQL API</h1>
      <p>Development server. Operations are POSTed to <code>/graphql</code> with an
      <code>X-API-Key</code> header (and <code>Authorization: Bearer &lt;accessToken&gt;</code>
      after <code>signIn</code>).</p>
      <ul>
${items}
      </ul>
    </main>
  </body>
</html>
`;
}
