import { useState } from 'react';
import { postJson } from './browser-fetch';
import type { RouteErrorBody } from './browser-fetch';
import { safeReturnTo } from './return-to';

/** Options for one post made by {@link useFormPost}. */
export interface FormPostOptions {
  /** Extra request headers (the sign-in form sends its credentials as HTTP Basic). */
  headers?: Record<string, string>;
  /** Shown when a refusal carries no message of its own. */
  fallbackMessage: string;
  /**
   * Sees the refusal first (the sign-up form shows the messages by its fields); returns true
   * when the form says it itself, so the form's one message stays empty (never said twice).
   */
  onRefused?: (error: RouteErrorBody['error']) => boolean | void;
  /**
   * Where to go on success; default `returnTo` (sign-up adds its welcome notice). A `redirect`
   * in the answer (a sign-in that continues on the second-factor page) goes first.
   */
  successUrl?: string;
}

/** A path of this site the answer names, or undefined (never another host). */
function localRedirect(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? safeReturnTo(value) : undefined;
}

/**
 * The script side of the sign-in and sign-up forms: posts the form as JSON and, on success,
 * loads `returnTo` in full (a different person now: every part of the page changes); on a
 * refusal keeps the route's message (a rate limit's message already names the wait).
 */
export function useFormPost(returnTo: string, initialError: string | undefined) {
  const [error, setError] = useState(initialError ?? null);
  const [busy, setBusy] = useState(false);

  const post = async (url: string, body: unknown, options: FormPostOptions): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await postJson(url, body, options.headers);
      if (answer.status >= 200 && answer.status < 300) {
        window.location.assign(
          localRedirect(answer.body.redirect) ?? options.successUrl ?? returnTo,
        );
        return;
      }
      // The route says where this continues: the second-factor page, or sign-in again.
      const next = localRedirect(answer.body.error?.redirect);
      if (next) {
        window.location.assign(next);
        return;
      }
      const handled = options.onRefused?.(answer.body.error) === true;
      setError(handled ? null : (answer.body.error?.message ?? options.fallbackMessage));
    } catch {
      setError('The server cannot be reached; try again.');
    }
    setBusy(false);
  };

  return { error, busy, post };
}

/** A form's one message (a refused sign-in, a rate limit), announced to screen readers. */
export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="form-error" data-testid="form-error">
      {error}
    </p>
  );
}
