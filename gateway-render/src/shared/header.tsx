import { useState } from 'react';
import type { FormEvent } from 'react';
import { BrandMark } from './brand-mark';
import { postJson } from './browser-fetch';
import { SITE_NAME } from './html';
import { NavLink } from './navigation';
import { useViewer } from './page-data';

function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    await postJson('/auth/sign-out', {}).catch(() => undefined);
    // A different person (or nobody) now: reload everything from the start page.
    window.location.assign('/?notice=signed-out');
  };
  return (
    <form method="post" action="/auth/sign-out" onSubmit={onSubmit} className="sign-out">
      <button type="submit" className="button ghost small" aria-busy={busy ? 'true' : undefined}>
        Sign out
      </button>
    </form>
  );
}

/** "3": the number on the list, when the page knows it (error pages do not). */
function ListCount({ count }: { count: number | undefined }) {
  if (count === undefined) return null;
  return (
    <span className="count-badge" data-testid="header-list-count">
      <span className="visually-hidden"> (</span>
      {count}
      <span className="visually-hidden"> {count === 1 ? 'movie' : 'movies'})</span>
    </span>
  );
}

/** Every page's header: the product's name, the sections, who is signed in with a sign-out button, or the sign-in links. */
export function Header() {
  const me = useViewer();
  return (
    <header className="site-header">
      <NavLink href="/" className="brand">
        <BrandMark />
        <span className="brand-name">{SITE_NAME}</span>
      </NavLink>
      <nav className="site-nav" aria-label="Main">
        <NavLink href="/">Catalog</NavLink>
        {me ? (
          <NavLink href="/my-list">
            My list
            <ListCount count={me.myListCount ?? undefined} />
          </NavLink>
        ) : null}
        {me ? <NavLink href="/account">Account</NavLink> : null}
      </nav>
      {me ? (
        <div className="viewer">
          <span className="viewer-name">
            <span className="visually-hidden">Signed in as </span>
            <strong data-testid="viewer-name">{me.name || me.email}</strong>
          </span>
          <SignOutButton />
        </div>
      ) : (
        <div className="viewer">
          <a href="/sign-in" className="button ghost small">
            Sign in
          </a>
          <a href="/sign-up" className="button primary small">
            Sign up
          </a>
        </div>
      )}
    </header>
  );
}
