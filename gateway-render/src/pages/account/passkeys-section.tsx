import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { PasskeyFieldsFragment } from '../../__generated__/graphql';
import { createPasskey, passkeysSupported } from '../../client/webauthn';
import type { PublicKeyCredentialCreationOptionsJSON } from '../../client/webauthn';
import type { FieldErrors } from '../../shared/api-errors';
import { postJson } from '../../shared/browser-fetch';
import { FieldMessages } from '../../shared/field-messages';
import { FormError } from '../../shared/form-post';
import { safeReturnTo } from '../../shared/return-to';
import { LastUsed, When } from './last-used';

/** The longest passkey name the forms take (the API's rule, which it checks itself). */
export const PASSKEY_NAME_MAX = 60;

const UNREACHABLE = 'The server cannot be reached; try again.';

/** A full load of a page this server named (the account page with its notice, a sign-in). */
function go(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  window.location.assign(safeReturnTo(url, '/account'));
  return true;
}

/**
 * The browser's part of adding a passkey: the registration options from this server (a
 * re-authentication page instead when the API wants a recent sign-in), the browser's dialog,
 * then the response back to this server, which has the API verify and store it.
 */
async function addPasskey(name: string): Promise<string | null> {
  let options: PublicKeyCredentialCreationOptionsJSON | undefined;
  try {
    const answer = await postJson('/account/passkeys/options', {});
    options = answer.body.options as PublicKeyCredentialCreationOptionsJSON | undefined;
    if (answer.status !== 200 || !options) {
      // REAUTHENTICATION_REQUIRED (confirm it is you first) or a sign-in: the page it names.
      if (go(answer.body.error?.redirect)) return null;
      return answer.body.error?.message ?? 'Passkeys cannot be added now; try again later.';
    }
  } catch {
    return UNREACHABLE;
  }
  const created = await createPasskey(options);
  if (!created.ok) return created.message;
  try {
    const answer = await postJson('/account/passkeys', { response: created.response, name });
    if (answer.status === 201 && go(answer.body.redirect)) return null;
    if (go(answer.body.error?.redirect)) return null;
    return answer.body.error?.message ?? 'The passkey could not be added; please try again.';
  } catch {
    return UNREACHABLE;
  }
}

/**
 * "Add a passkey": only once the page script runs in a browser that can use passkeys. Before
 * that (and without JavaScript) a sentence says what is needed: the WebAuthn ceremony runs in
 * the browser's script, so no form could do it.
 */
function AddPasskey() {
  // What the script changes right after hydrating, by design (the browser test's hydration
  // check leaves `data-script-only` out).
  return (
    <div data-script-only="">
      <AddPasskeyControl />
    </div>
  );
}

function AddPasskeyControl() {
  // null: on the server and until the script ran (the first render matches the server's).
  const [supported, setSupported] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => setSupported(passkeysSupported()), []);

  if (supported === null) {
    return (
      <p className="hint" data-testid="add-passkey-unavailable">
        Adding a passkey needs a browser with JavaScript turned on.
      </p>
    );
  }
  if (!supported) {
    return (
      <p className="hint" data-testid="add-passkey-unavailable">
        This browser cannot create passkeys. Use a recent browser, or your phone.
      </p>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    void addPasskey(nameInput.current?.value.trim() ?? '').then((problem) => {
      // null: a new page is loading.
      if (problem !== null) {
        setMessage(problem);
        setBusy(false);
      }
    });
  };
  return (
    <form className="add-passkey" onSubmit={onSubmit} data-testid="add-passkey-form">
      <div className="field">
        <label>
          Name (optional)
          <input
            ref={nameInput}
            type="text"
            name="name"
            maxLength={PASSKEY_NAME_MAX}
            autoComplete="off"
            placeholder="e.g. Work laptop"
          />
        </label>
      </div>
      <FormError error={message} />
      <button type="submit" aria-busy={busy ? 'true' : undefined} data-testid="add-passkey">
        Add a passkey
      </button>
    </form>
  );
}

function PasskeyRow({ passkey }: { passkey: PasskeyFieldsFragment }) {
  const base = `/account/passkeys/${encodeURIComponent(passkey.id)}`;
  return (
    <li className="factor" data-testid="passkey" data-passkey-id={passkey.id}>
      <div className="factor-name">
        <strong data-testid="passkey-name">{passkey.name}</strong>{' '}
        {passkey.multiDevice ? (
          <span className="badge ok">synced</span>
        ) : (
          <span className="badge">this device only</span>
        )}
        {passkey.multiDevice && !passkey.backedUp ? (
          <span className="badge warn">not backed up yet</span>
        ) : null}
      </div>
      <dl className="factor-times">
        <dt>Added</dt>
        <dd>
          <When at={passkey.createdAt} />
        </dd>
        <dt>Last used</dt>
        <dd data-testid="passkey-last-used">
          <LastUsed at={passkey.lastUsedAt} />
        </dd>
      </dl>
      <div className="factor-actions">
        <details>
          <summary>
            Rename<span className="visually-hidden"> {passkey.name}</span>
          </summary>
          <form method="post" action={`${base}/rename`} className="inline-form">
            <input type="hidden" name="returnTo" value="/account" />
            <label>
              New name
              <input
                type="text"
                name="name"
                required
                maxLength={PASSKEY_NAME_MAX}
                defaultValue={passkey.name}
                autoComplete="off"
              />
            </label>{' '}
            <button type="submit">Save name</button>
          </form>
        </details>
        <form method="post" action={`${base}/remove`} className="inline-form">
          <input type="hidden" name="returnTo" value="/account" />
          <button type="submit" data-testid="remove-passkey">
            Remove<span className="visually-hidden"> passkey {passkey.name}</span>
          </button>
        </form>
      </div>
    </li>
  );
}

/**
 * The account's passkeys (`#passkeys`): each with its name, whether it is synced, when it was
 * added and last used, rename and remove (plain forms); "Add a passkey" with script.
 */
export function PasskeysSection({
  passkeys,
  error,
  fields,
}: {
  passkeys: readonly PasskeyFieldsFragment[];
  error: string | null;
  fields: FieldErrors;
}) {
  return (
    <section id="passkeys" aria-labelledby="passkeys-heading" data-testid="passkeys-section">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p>
        A passkey signs you in with your device&apos;s screen lock (fingerprint, face or PIN) or a
        security key: nothing to type, and nothing a fake site could reuse.
      </p>
      <FormError error={error} />
      <FieldMessages name="name" errors={fields} />
      {passkeys.length === 0 ? (
        <p data-testid="no-passkeys">You have no passkeys yet.</p>
      ) : (
        <ul className="factors" aria-label="Your passkeys">
          {passkeys.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} />
          ))}
        </ul>
      )}
      <AddPasskey />
    </section>
  );
}
