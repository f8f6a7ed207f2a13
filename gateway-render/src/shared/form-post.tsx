import { useState } from 'react';
import { postJson } from './browser-fetch';
import type { RouteErrorBody } from './browser-fetch';

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
  /** Where to go on success; default `returnTo` (sign-up adds its welcome notice). */
  successUrl?: string;
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
        window.location.assign(options.successUrl ?? returnTo);
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
