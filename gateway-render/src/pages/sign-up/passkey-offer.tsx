import { useEffect, useState } from 'react';
import { createPasskey, passkeysSupported } from '../../client/webauthn';
import type { PublicKeyCredentialCreationOptionsJSON } from '../../client/webauthn';
import { postJson } from '../../shared/browser-fetch';
import { useViewer } from '../../shared/page-data';
import { safeReturnTo } from '../../shared/return-to';

/** Where passkeys are managed (and added without this card). */
export const ACCOUNT_PASSKEYS_URL = '/account#passkeys';

/** How adding a passkey in place ended. */
export type AddPasskeyResult =
  { ok: true } | { ok: false; message: string; cancelled?: boolean; redirect?: string };

/**
 * Adds a passkey to the signed-in account from the page script, through the account's
 * routes: `POST /account/passkeys/options` (the API's creation options), the browser's
 * dialog, then `POST /account/passkeys` with its response. A route that wants a fresh
 * sign-in first answers with where to confirm it (`redirect`).
 */
export async function addPasskey(name?: string): Promise<AddPasskeyResult> {
  try {
    const asked = await postJson('/account/passkeys/options', {});
    const options = asked.body.options as PublicKeyCredentialCreationOptionsJSON | undefined;
    if (asked.status !== 200 || !options) {
      const redirect = asked.body.error?.redirect ?? asked.body.redirect;
      return {
        ok: false,
        message: asked.body.error?.message ?? 'A passkey cannot be added right now.',
        ...(typeof redirect === 'string' ? { redirect: safeReturnTo(redirect) } : {}),
      };
    }
    const created = await createPasskey(options);
    if (!created.ok) return { ok: false, message: created.message, cancelled: created.cancelled };
    const saved = await postJson('/account/passkeys', {
      response: created.response,
      ...(name ? { name } : {}),
    });
    if (saved.status >= 200 && saved.status < 300) return { ok: true };
    return { ok: false, message: saved.body.error?.message ?? 'The passkey was not saved.' };
  } catch {
    return { ok: false, message: 'The server cannot be reached; try again.' };
  }
}

/**
 * After sign-up, on the welcome page: "Add a passkey for faster sign-in". Only shown once the
 * page script found passkey support (creating one needs script), and only to the signed-in
 * newcomer; the server renders it hidden, so the first render in the browser matches.
 */
export function PasskeyOffer() {
  const me = useViewer();
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [added, setAdded] = useState(false);

  useEffect(() => {
    if (passkeysSupported()) setShown(true);
  }, []);

  if (!me) return null;

  const onAdd = async () => {
    if (busy) return;
    setBusy(true);
    setMessage(null);
    const result = await addPasskey();
    setBusy(false);
    if (result.ok) {
      setAdded(true);
      return;
    }
    if (result.redirect) {
      window.location.assign(result.redirect);
      return;
    }
    setMessage(result.message);
  };

  return (
    <section
      className="passkey-offer"
      aria-labelledby="passkey-offer-title"
      data-testid="passkey-offer"
      // Shown by the page script after hydration (see the browser test's hydration check).
      data-script-only="true"
      hidden={!shown}
    >
      <h2 id="passkey-offer-title">Add a passkey for faster sign-in</h2>
      {added ? (
        <p role="status" data-testid="passkey-offer-done">
          Your passkey was added: next time, sign in with it instead of your password. You can
          manage it on <a href={ACCOUNT_PASSKEYS_URL}>your account page</a>.
        </p>
      ) : (
        <>
          <p>
            Sign in with your fingerprint, face or screen lock instead of typing your password. The
            passkey stays on your device or in your password manager.
          </p>
          {message ? (
            <p role="alert" className="form-error">
              {message}
            </p>
          ) : null}
          <div className="actions">
            <button
              type="button"
              className="button"
              onClick={() => void onAdd()}
              aria-busy={busy ? 'true' : undefined}
              data-testid="passkey-offer-add"
            >
              Add a passkey
            </button>
            <button type="button" className="button ghost" onClick={() => setShown(false)}>
              Not now
            </button>
          </div>
        </>
      )}
    </section>
  );
}
