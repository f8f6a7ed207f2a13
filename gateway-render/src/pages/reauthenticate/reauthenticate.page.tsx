import { useEffect, useRef, useState } from 'react';
import type { ReauthenticatePageQuery } from '../../__generated__/graphql';
import { getPasskeyAssertion, passkeysSupported } from '../../client/webauthn';
import type { PublicKeyCredentialRequestOptionsJSON } from '../../client/webauthn';
import type { FieldErrors } from '../../shared/api-errors';
import { postJson } from '../../shared/browser-fetch';
import { CodeField } from '../../shared/code-field';
import { fieldAria, FieldMessages } from '../../shared/field-messages';
import { FormError } from '../../shared/form-post';
import { usePageData } from '../../shared/page-data';
import type { ReauthenticateFormState, StepUpIntent } from '../../shared/page-props';
import { describeIntent, intentFields, sectionOf } from '../account/step-up-intent';

const ACTION = '/account/reauthenticate';

/** The change to make once confirmed, as hidden inputs: never a password or a code. */
function IntentFields({ intent }: { intent: StepUpIntent }) {
  return (
    <>
      {Object.entries(intentFields(intent)).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <input type="hidden" name="returnTo" value="/account" />
    </>
  );
}

function PasswordForm({
  intent,
  email,
  fields,
}: {
  intent: StepUpIntent;
  email: string;
  fields: FieldErrors;
}) {
  return (
    <form method="post" action={ACTION} className="auth-form" data-testid="reauth-password">
      <IntentFields intent={intent} />
      {/* Password managers tie the password to the account by it; never sent to the API. */}
      <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
      <div className="field">
        <label>
          Password
          <input
            type="password"
            name="password"
            required
            maxLength={256}
            autoComplete="current-password"
            {...fieldAria('password', fields)}
          />
        </label>
        <FieldMessages name="password" errors={fields} />
      </div>
      <button type="submit">Confirm with your password</button>
    </form>
  );
}

function CodeForm({ intent, fields }: { intent: StepUpIntent; fields: FieldErrors }) {
  return (
    <form method="post" action={ACTION} className="auth-form" data-testid="reauth-code">
      <IntentFields intent={intent} />
      <CodeField label="Code from your authenticator app" errors={fields} />
      <button type="submit">Confirm with a code</button>
    </form>
  );
}

function RecoveryCodeForm({ intent, fields }: { intent: StepUpIntent; fields: FieldErrors }) {
  const refused = (fields.recoveryCode?.length ?? 0) > 0;
  return (
    <details open={refused}>
      <summary>Use a recovery code instead</summary>
      <form method="post" action={ACTION} className="auth-form" data-testid="reauth-recovery-code">
        <IntentFields intent={intent} />
        <div className="field">
          <label>
            Recovery code
            <input
              type="text"
              name="recoveryCode"
              autoComplete="off"
              spellCheck={false}
              maxLength={32}
              required
              {...fieldAria('recoveryCode', fields)}
            />
          </label>
          <FieldMessages name="recoveryCode" errors={fields} />
        </div>
        <button type="submit">Confirm with a recovery code</button>
      </form>
    </details>
  );
}

/**
 * "Use a passkey": only with script (the WebAuthn ceremony runs in the browser). The
 * assertion is put into the form's hidden field and the form is posted like the others, so
 * the server makes the change the same way whichever factor confirmed it.
 */
function PasskeyForm({ intent, fields }: { intent: StepUpIntent; fields: FieldErrors }) {
  const [supported, setSupported] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const response = useRef<HTMLInputElement>(null);
  useEffect(() => setSupported(passkeysSupported()), []);

  if (!supported) {
    return (
      <p className="hint" data-testid="reauth-passkey-unavailable">
        {supported === null
          ? 'Using a passkey here needs a browser with JavaScript turned on.'
          : 'This browser cannot use passkeys.'}
      </p>
    );
  }
  const start = async () => {
    if (busy) return;
    setBusy(true);
    setMessage(null);
    let options: PublicKeyCredentialRequestOptionsJSON | undefined;
    try {
      const answer = await postJson(`${ACTION}/passkey-options`, {});
      options = answer.body.options as PublicKeyCredentialRequestOptionsJSON | undefined;
      if (answer.status !== 200 || !options) {
        setMessage(answer.body.error?.message ?? 'Passkeys cannot be used now.');
        setBusy(false);
        return;
      }
    } catch {
      setMessage('The server cannot be reached; try again.');
      setBusy(false);
      return;
    }
    const assertion = await getPasskeyAssertion(options);
    if (!assertion.ok || !response.current || !form.current) {
      setMessage(assertion.ok ? null : assertion.message);
      setBusy(false);
      return;
    }
    response.current.value = JSON.stringify(assertion.response);
    form.current.submit();
  };
  return (
    <form method="post" action={ACTION} ref={form} data-testid="reauth-passkey">
      <IntentFields intent={intent} />
      <input type="hidden" name="passkeyResponse" ref={response} />
      <FormError error={message} />
      <FieldMessages name="passkeyResponse" errors={fields} />
      <button
        type="button"
        onClick={() => void start()}
        aria-busy={busy ? 'true' : undefined}
        data-testid="reauth-passkey-button"
      >
        Confirm with a passkey
      </button>
    </form>
  );
}

/**
 * `/account/reauthenticate`: "Confirm it is you" before a sensitive change, with each way the
 * account has (password, passkey, authenticator code, recovery code). Once confirmed the change
 * is made at once and the person is back on the account page; "Cancel" goes back unchanged.
 */
export function ReauthenticatePage({ form }: { form: ReauthenticateFormState }) {
  const data = usePageData<ReauthenticatePageQuery>();
  const me = data.me;
  if (!me) return null;
  const { intent, methods, fields } = form;
  return (
    <div className="account-page reauthenticate-page">
      <h1>Confirm it is you</h1>
      <p data-testid="reauth-intent">
        {`To ${describeIntent(intent)}, please confirm it is you. You can then make changes to ` +
          'your account for 5 minutes without being asked again.'}
      </p>
      <FormError error={form.error ?? null} />
      {methods.includes('PASSKEY') ? (
        // Shown by the script once it runs (left out of the browser test's hydration check).
        <div data-script-only="">
          <PasskeyForm intent={intent} fields={fields} />
        </div>
      ) : null}
      {methods.includes('PASSWORD') ? (
        <PasswordForm intent={intent} email={me.email} fields={fields} />
      ) : null}
      {methods.includes('TOTP') ? <CodeForm intent={intent} fields={fields} /> : null}
      {methods.includes('RECOVERY_CODE') ? (
        <RecoveryCodeForm intent={intent} fields={fields} />
      ) : null}
      {methods.includes('GOOGLE') ? (
        <p data-testid="reauth-google">
          {/* A new sign-in is a recent one: back on the account page, the change can be made. */}
          <a href={`/auth/google?returnTo=${encodeURIComponent(`/account#${sectionOf(intent)}`)}`}>
            Sign in again with Google
          </a>
        </p>
      ) : null}
      {methods.length === 0 ? (
        <p data-testid="reauth-sign-in-again">
          Sign out and sign in again, then make this change within 5 minutes.
        </p>
      ) : null}
      <p>
        <a href={`/account#${sectionOf(intent)}`}>Cancel</a>
      </p>
    </div>
  );
}
