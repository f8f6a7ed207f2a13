import { useState } from 'react';
import type { FormEvent } from 'react';
import { postJson } from './browser-fetch';
import { useViewer } from './page-data';

/**
 * Every page's reminder for a signed-in person whose address is not confirmed, with a
 * "Resend the link" button. Without script the button posts the form and comes back to
 * `returnTo` with a notice; with script it posts JSON and says the outcome in place.
 */
export function VerificationBanner({ returnTo }: { returnTo: string }) {
  const me = useViewer();
  const [outcome, setOutcome] = useState<{ message: string; failed: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!me || me.emailVerified) return null;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const { status, body } = await postJson('/account/verification', {});
      if (status === 401) {
        window.location.assign('/sign-in');
        return;
      }
      if (status >= 400) {
        setOutcome({
          message: body.error?.message ?? 'That did not work; try again.',
          failed: true,
        });
      } else {
        setOutcome({ message: `We sent a new link to ${me.email}.`, failed: false });
      }
    } catch {
      setOutcome({ message: 'The server cannot be reached; try again.', failed: true });
    }
    setBusy(false);
  };

  return (
    <aside className="verify-banner" data-testid="verify-banner">
      <p>
        Please confirm your e-mail address: we sent a link to <strong>{me.email}</strong>.
      </p>
      <form method="post" action="/account/verification" onSubmit={onSubmit}>
        <input type="hidden" name="returnTo" value={returnTo} />
        <button type="submit" className="button small" aria-busy={busy ? 'true' : undefined}>
          Resend the link
        </button>
      </form>
      {outcome ? (
        <p role="status" className={outcome.failed ? 'error' : undefined}>
          {outcome.message}
        </p>
      ) : null}
    </aside>
  );
}
