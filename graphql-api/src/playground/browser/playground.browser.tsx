import 'graphiql/style.css';
import './playground.css';
import { GraphiQL } from 'graphiql';
import type { GraphiQLProps } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PlaygroundSettings } from './playground-settings';

// The browser entry of the API's development playground: GraphiQL 5, bundled by
// scripts/build-playground.cjs with its Monaco editor and workers, so nothing is fetched from
// another origin. The server passes its settings in a JSON block named by this script's tag.

type Fetcher = GraphiQLProps['fetcher'];

/** The shape Monaco looks for on the global object to start its language workers. */
interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}

function readSettings(script: HTMLOrSVGScriptElement | null): {
  settings: PlaygroundSettings;
  root: HTMLElement;
} {
  const dataset = script instanceof HTMLScriptElement ? script.dataset : {};
  const settingsBlock = document.getElementById(dataset.settings ?? '');
  const root = document.getElementById(dataset.root ?? '');
  if (!settingsBlock?.textContent || !root) {
    throw new TypeError('The playground page has no settings block or no root element');
  }
  return { settings: JSON.parse(settingsBlock.textContent) as PlaygroundSettings, root };
}

/**
 * Monaco asks for a worker per language; each is its own same-origin bundle (the CSP's
 * worker-src 'self'), built beside this script.
 */
function installMonacoWorkers(workers: PlaygroundSettings['workers']): void {
  const environment: MonacoEnvironment = {
    getWorker(_workerId, label) {
      if (label === 'graphql') return new Worker(workers.graphql, { name: label });
      if (label === 'json') return new Worker(workers.json, { name: label });
      return new Worker(workers.editor, { name: label });
    },
  };
  (globalThis as unknown as { MonacoEnvironment: MonacoEnvironment }).MonacoEnvironment =
    environment;
}

/**
 * POSTs each operation as JSON to the API. The public key goes with every request, so a tab
 * restored from storage (GraphiQL does not persist headers) still works; the headers editor's
 * values win, and a header set to null there is not sent at all (e.g. `"X-API-Key": null`).
 */
function createFetcher(settings: PlaygroundSettings): Fetcher {
  return async (params, options) => {
    const headers = new Headers({
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    });
    if (settings.publicApiKey !== null) headers.set('X-API-Key', settings.publicApiKey);
    const edited = (options?.headers ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(edited)) {
      if (value === null || value === undefined) headers.delete(name);
      else headers.set(name, String(value));
    }
    const response = await fetch(settings.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(params),
      credentials: 'omit',
    });
    const text = await response.text();
    try {
      // GraphQL errors (401 UNAUTHENTICATED, 400 validation, ...) come as JSON: show them as is.
      return JSON.parse(text) as Awaited<ReturnType<Fetcher>>;
    } catch {
      throw new TypeError(`${response.status} ${response.statusText}: ${text.slice(0, 500)}`);
    }
  };
}

const { settings, root } = readSettings(document.currentScript);
installMonacoWorkers(settings.workers);
createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={createFetcher(settings)}
      defaultTabs={settings.tabs}
      defaultHeaders={settings.defaultHeaders}
      defaultEditorToolsVisibility="headers"
    />
  </StrictMode>,
);
