import { useState } from 'react';
import type { FormEvent } from 'react';
import { postJson } from './browser-fetch';
import { useListChange } from './page-data';
import { signInUrl } from './return-to';

export interface ListButtonProps {
  movieId: string;
  /** The movie's title: the button is named for it ("Add to my list: Vertigo"). */
  title: string;
  /** Whether the movie is on the list now: the button removes it, else adds it. */
  inMyList: boolean;
  /** Where a form post (no script) comes back to. */
  returnTo: string;
  /** The smaller style of the grid's cards. */
  compact?: boolean;
}

/**
 * "Add to my list" / "Remove from my list". A plain form post without script; with script
 * it posts JSON and reports the change to the page (every card of that movie and the header's
 * count update, and the live region says what happened). While busy the button stays
 * focusable (`aria-busy`, not `disabled`, which would drop keyboard focus) and ignores presses.
 */
export function ListButton({
  movieId,
  title,
  inMyList,
  returnTo,
  compact = false,
}: ListButtonProps) {
  const onListChange = useListChange();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const action = inMyList ? `/user-movies/${encodeURIComponent(movieId)}/delete` : '/user-movies';

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const { status, body } = await postJson(action, { movieId });
      if (status === 401) {
        window.location.assign(signInUrl(window.location.pathname + window.location.search));
        return;
      }
      if (status >= 400) {
        setError(body.error?.message ?? 'That did not work; try again.');
        return;
      }
      onListChange?.({ movieId, title, inMyList: !inMyList });
    } catch {
      setError('The server cannot be reached; try again.');
    } finally {
      setBusy(false);
    }
  };

  const label = inMyList ? 'Remove from my list' : 'Add to my list';
  const classes = ['button', 'list-button', inMyList ? 'in-list' : 'add', compact ? 'small' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <form method="post" action={action} onSubmit={onSubmit} className="list-form">
      <input type="hidden" name="movieId" value={movieId} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <button
        type="submit"
        className={classes}
        aria-busy={busy ? 'true' : undefined}
        // Named for its movie; the name starts with the visible label (WCAG 2.5.3).
        aria-label={`${label}: ${title}`}
      >
        <span className="icon" aria-hidden="true">
          {inMyList ? '✓' : '+'}
        </span>
        {label}
      </button>
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </form>
  );
}
