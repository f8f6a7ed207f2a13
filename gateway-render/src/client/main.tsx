import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import type { NormalizedCacheObject } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { useCallback, useEffect, useState } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { AppShell } from '../shared/app-shell';
import type { Navigate } from '../shared/navigation';
import { pageDocument } from '../shared/page-documents';
import { PAGE_ELEMENT_ID, STATE_ELEMENT_ID } from '../shared/page-props';
import type { PageData, PageProps } from '../shared/page-props';

// The browser entry: restores the server's Apollo cache and hydrates the same tree.
// The browser never talks to the API (it holds no token and no API key): its client has
// no network link and reads only the cache; new data arrives as JSON from the render server.

function readJson<T>(id: string): T | null {
  const element = document.getElementById(id);
  if (!element?.textContent) return null;
  return JSON.parse(element.textContent) as T;
}

function createBrowserClient(state: NormalizedCacheObject): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache().restore(state),
    link: ApolloLink.empty(),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-only' } },
  });
}

function BrowserApp({ client, initialPage }: { client: ApolloClient; initialPage: PageProps }) {
  const [page, setPage] = useState(initialPage);

  const navigate = useCallback<Navigate>(
    async (url, options = {}) => {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
        });
      } catch {
        window.location.assign(url);
        return;
      }
      const type = response.headers.get('content-type') ?? '';
      // Redirects to sign-in, error pages and the like: let the browser load them.
      if (!response.ok || !type.includes('application/json')) {
        window.location.assign(url);
        return;
      }
      const body = (await response.json()) as PageData;
      client.writeQuery({
        query: pageDocument(body.page),
        variables: body.page.variables,
        data: body.data as Record<string, unknown>,
      });
      document.title = `${body.title} · Movie catalog`;
      if (options.replace) window.history.replaceState(null, '', url);
      else {
        window.history.pushState(null, '', url);
        window.scrollTo(0, 0);
      }
      setPage(body.page);
    },
    [client],
  );

  // Effects run only once React has committed the hydrated tree, so this marks the moment
  // links and forms are really handled in place (tests wait for it). Set right after
  // hydrateRoot() instead, it would come too early: React 19 hydrates asynchronously.
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);

  useEffect(() => {
    const onPopState = () =>
      void navigate(window.location.pathname + window.location.search, { replace: true });
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [navigate]);

  return (
    <ApolloProvider client={client}>
      <AppShell page={page} navigate={navigate} />
    </ApolloProvider>
  );
}

const root = document.getElementById('root');
const state = readJson<NormalizedCacheObject>(STATE_ELEMENT_ID);
const initialPage = readJson<PageProps>(PAGE_ELEMENT_ID);
if (root && state && initialPage) {
  const client = createBrowserClient(state);
  hydrateRoot(root, <BrowserApp client={client} initialPage={initialPage} />);
}
