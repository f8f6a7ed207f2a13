import { createContext, useContext } from 'react';
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';

/** Loads another page of this site in place (JSON + Apollo cache) instead of a full reload. */
export type Navigate = (
  url: string,
  /** `replace`: this history entry (Back, a reload in place), scrolled to `scrollY` when given. */
  options?: { replace?: boolean; scrollY?: number },
) => Promise<void>;

// On the server, and before hydration, links are plain links: nothing to intercept.
const NavigationContext = createContext<Navigate | null>(null);

export const NavigationProvider = NavigationContext.Provider;

export function useNavigate(): Navigate | null {
  return useContext(NavigationContext);
}

/** A plain link that, once the page script runs, navigates in place. */
export function NavLink(
  props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children: ReactNode },
) {
  const navigate = useNavigate();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    // Let the browser handle new tabs, downloads and modified clicks.
    if (!navigate || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    void navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
