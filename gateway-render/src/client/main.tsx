import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { AppShell } from '../shared/app-shell';
import type { Announcement } from '../shared/app-shell';
import type { Navigate } from '../shared/navigation';
import { applyListChange } from '../shared/page-data';
import type { ListChange } from '../shared/page-data';
import { pageTitle } from '../shared/html';
import { PAGE_ELEMENT_ID } from '../shared/page-props';
import type { PageData } from '../shared/page-props';

// The browser entry: hydrates the tree the server rendered, from the page data the server
// embedded. The browser never talks to the API (it holds no token and no API key) and keeps
// no GraphQL client: each in-place navigation fetches the next page's data as JSON from the
// render server. The bundle aliases react and react-dom to preact/compat (see
// scripts/build-client.cjs); the code is written against React's API.

/** Where the page was scrolled, kept in each history entry so Back can return there. */
interface HistoryState {
  scrollY?: number;
}

function readPageData(): PageData | null {
  const element = document.getElementById(PAGE_ELEMENT_ID);
  if (!element?.textContent) return null;
  return JSON.parse(element.textContent) as PageData;
}

function rememberScroll(): void {
  const state: HistoryState = {
    ...(window.history.state as HistoryState | null),
    scrollY: window.scrollY,
  };
  window.history.replaceState(state, '');
}

/** After an in-place navigation: focus the new page's heading (or main) so keyboard and screen reader users start there. */
function focusPageHeading(): void {
  const main = document.getElementById('main');
  const heading = main?.querySelector('h1');
  const target = heading ?? main;
  if (!target) return;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
}

/** The path and query of a URL of this site. */
function localPath(href: string): string {
  const { pathname, search } = new URL(href, window.location.href);
  return pathname + search;
}

function BrowserApp({ initial }: { initial: PageData }) {
  const [current, setCurrent] = useState(initial);
  const [loading, setLoading] = useState(false);
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);
  // Set by a navigation, consumed by the effect after React committed the new page.
  const pending = useRef<{ scrollY: number | null } | null>(null);
  const latest = useRef(0);

  const navigate = useCallback<Navigate>(async (url, options = {}) => {
    const ticket = ++latest.current;
    setLoading(true);
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
    // A later click won: drop this answer.
    if (ticket !== latest.current) return;
    // A redirect (to sign in, say) shows another page: the address bar says which.
    const shown = response.redirected ? localPath(response.url) : url;
    document.title = pageTitle(body.title);
    if (options.replace) {
      pending.current = { scrollY: options.scrollY ?? null };
      window.history.replaceState(window.history.state, '', shown);
    } else {
      rememberScroll();
      window.history.pushState({ scrollY: 0 } satisfies HistoryState, '', shown);
      pending.current = { scrollY: 0 };
    }
    setLoading(false);
    setAnnouncement({ text: body.title, toast: false });
    setCurrent(body);
  }, []);

  const onListChange = useCallback((change: ListChange) => {
    setCurrent((page) => ({ ...page, data: applyListChange(page.data, change) }));
    setAnnouncement({
      text: change.inMyList
        ? `Added ${change.title} to My list`
        : `Removed ${change.title} from My list`,
      toast: true,
    });
  }, []);

  // A layout effect runs right after the hydrated tree is committed (its event handlers
  // attached), before the browser paints, so this marks the moment links and forms are really
  // handled in place (tests and the page-load benchmark wait for it). Right after
  // hydrateRoot() would be too early where hydration is asynchronous (React 19); a passive
  // effect would also count the next paint, which waits on the posters' rasterisation.
  useLayoutEffect(() => {
    window.history.scrollRestoration = 'manual';
    document.documentElement.dataset.hydrated = 'true';
    performance.mark('hydrated');
  }, []);

  // After an in-place navigation committed: restore or reset the scroll, move focus.
  useEffect(() => {
    const done = pending.current;
    if (!done) return;
    pending.current = null;
    if (done.scrollY !== null) window.scrollTo(0, done.scrollY);
    focusPageHeading();
  }, [current]);

  // A toast stays a few seconds; the live region empties so the next message is new.
  useEffect(() => {
    if (!announcement?.toast) return;
    const timer = setTimeout(() => setAnnouncement(null), 4000);
    return () => clearTimeout(timer);
  }, [announcement]);

  useEffect(() => {
    const onPopState = (event: PopStateEvent) => {
      const state = event.state as HistoryState | null;
      void navigate(window.location.pathname + window.location.search, {
        replace: true,
        scrollY: state?.scrollY ?? 0,
      });
    };
    window.addEventListener('popstate', onPopState);
    // A full load leaving the page (another site, a form post) keeps its place for Back too.
    window.addEventListener('pagehide', rememberScroll);
    return () => {
      window.removeEventListener('popstate', onPopState);
      window.removeEventListener('pagehide', rememberScroll);
    };
  }, [navigate]);

  return (
    <AppShell
      page={current.page}
      data={current.data}
      navigate={navigate}
      onListChange={onListChange}
      announcement={announcement}
      loading={loading}
    />
  );
}

const root = document.getElementById('root');
const initial = readPageData();
if (root && initial) {
  // Back to a page loaded in full: its place was kept in the history entry.
  const scrollY = (window.history.state as HistoryState | null)?.scrollY;
  if (typeof scrollY === 'number') window.scrollTo(0, scrollY);
  hydrateRoot(root, <BrowserApp initial={initial} />);
}
