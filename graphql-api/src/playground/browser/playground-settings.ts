/** One ready example tab of the playground. */
export interface PlaygroundTab {
  /** The operation document (comments included: they are the tab's instructions). */
  query: string;
  /** The variables editor's JSON, or undefined for none. */
  variables?: string;
  /** The request headers editor's JSON (comments allowed). */
  headers: string;
}

/**
 * What the server tells the playground's script: written into the page as a
 * `<script type="application/json">` block (never executed, so the CSP needs no inline script)
 * whose id the script tag's `data-settings` names, and read once by the bundle.
 */
export interface PlaygroundSettings {
  /** Where operations are POSTed (same origin: the CSP's connect-src is 'self'). */
  endpoint: string;
  /**
   * The public API key's token, sent as `X-API-Key` with every operation unless the headers
   * editor sets that header itself (so a tab restored from storage without headers still works);
   * null when the API has none configured.
   */
  publicApiKey: string | null;
  /** The example tabs a first visit opens with. */
  tabs: PlaygroundTab[];
  /** The headers a new tab starts with. */
  defaultHeaders: string;
  /** Same-origin URLs of the Monaco web workers (CSP worker-src 'self'). */
  workers: { editor: string; json: string; graphql: string };
}
