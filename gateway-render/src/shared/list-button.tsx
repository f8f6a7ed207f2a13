import { useApolloClient } from '@apollo/client/react';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { postJson } from './browser-fetch';
import { signInUrl } from './return-to';

export interface ListButtonProps {
  movieId: string;
  /** Whether the movie is on the list now: the button removes it, else adds it. */
  inMyList: boolean;
  /** Where a form post (no script) comes back to. */
  returnTo: string;
  /** Called after a change made in place (the list page reloads its entries). */
  onChanged?: () => void;
}

/**
 * "Add to my list" / "Remove from my list". A plain form post without script; with script
 * it posts JSON and flips the movie's `inMyList` in the Apollo cache, which re-renders every
 * card of that movie in place.
 */
export function ListButton({ movieId, inMyList, returnTo, onChanged }: ListButtonProps) {
  const client = useApolloClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const action = inMyList ? `/user-movies/${encodeURIComponent(movieId)}/delete` : '/user-movies';

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
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
      client.cache.modify({
        id: client.cache.identify({ __typename: 'Movie', id: movieId }),
        fields: { inMyList: () => !inMyList },
      });
      onChanged?.();
    } catch {
      setError('The server cannot be reached; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form method="post" action={action} onSubmit={onSubmit} className="list-button">
      <input type="hidden" name="movieId" value={movieId} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <button type="submit" disabled={busy} className={inMyList ? 'remove' : 'add'}>
        {inMyList ? 'Remove from my list' : 'Add to my list'}
      </button>
      {error ? (
        <span role="alert" className="error">
          {error}
        </span>
      ) : null}
    </form>
  );
}
