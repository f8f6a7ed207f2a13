import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ViewerDocument } from '../__generated__/graphql';
import { postJson } from './browser-fetch';
import { NavLink } from './navigation';

function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    await postJson('/auth/sign-out', {}).catch(() => undefined);
    // A different person (or nobody) now: reload everything from the start page.
    window.location.assign('/');
  };
  return (
    <form method="post" action="/auth/sign-out" onSubmit={onSubmit} className="sign-out">
      <button type="submit" disabled={busy}>
        Sign out
      </button>
    </form>
  );
}

/** Every page's header: who is signed in with a sign-out button, or the sign-in links. */
export function Header() {
  const { data } = useQuery(ViewerDocument);
  const me = data?.me;
  return (
    <header className="site-header">
      <NavLink href="/" className="brand">
        Movie catalog
      </NavLink>
      <nav>
        <NavLink href="/">Catalog</NavLink>
        {me ? <NavLink href="/my-list">My list</NavLink> : null}
        {me ? <NavLink href="/account">Account</NavLink> : null}
      </nav>
      {me ? (
        <div className="viewer">
          <span>
            Signed in as <strong data-testid="viewer-name">{me.name || me.email}</strong>
          </span>
          <SignOutButton />
        </div>
      ) : (
        <div className="viewer">
          <a href="/sign-in">Sign in</a>
          <a href="/sign-up">Sign up</a>
        </div>
      )}
    </header>
  );
}
