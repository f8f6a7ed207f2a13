import { useEffect, useState } from 'react';
import { CodeField } from '../../shared/code-field';
import { FormError } from '../../shared/form-post';
import type { RecoveryCodesState, TwoFactorSetupState } from '../../shared/page-props';
import { When } from './last-used';

/** "JBSW Y3DP EHPK 3PXP": easier to read and type; apps ignore the spaces. */
function grouped(secret: string): string {
  return secret.replace(/=+$/, '').replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Turning two-factor on: scan the QR code (an image of the API's SVG) or type the key, then
 * confirm with the code the app shows. Nothing is on until the code is accepted.
 */
export function TwoFactorSetupPage({ setup }: { setup: TwoFactorSetupState }) {
  const fields = setup.fields;
  return (
    <div className="account-page two-factor-setup">
      <h1>Turn on two-factor authentication</h1>
      <FormError error={setup.error ?? null} />
      <section aria-labelledby="scan-heading">
        <h2 id="scan-heading">1. Add this account to your authenticator app</h2>
        {setup.qrCode ? (
          <>
            <p>Scan this QR code with the app:</p>
            <img
              className="qr-code"
              src={setup.qrCode}
              alt="QR code to scan with your authenticator app"
              width={208}
              height={208}
              data-testid="totp-qr-code"
            />
            <p>Or type this key into the app (time-based, 6 digits):</p>
          </>
        ) : (
          <p>Use the entry you added a moment ago, or type this key into the app (time-based):</p>
        )}
        <p>
          <code className="totp-secret" data-testid="totp-secret">
            {grouped(setup.secret)}
          </code>
        </p>
      </section>
      <section aria-labelledby="confirm-heading">
        <h2 id="confirm-heading">2. Enter the code the app shows</h2>
        <form method="post" action="/account/two-factor/confirm" className="auth-form">
          <input type="hidden" name="returnTo" value="/account" />
          <input type="hidden" name="secret" value={setup.secret} />
          <input type="hidden" name="expiresAt" value={setup.expiresAt} />
          <CodeField label="6-digit code" errors={fields} />
          <button type="submit">Turn on two-factor</button>
        </form>
        <p className="hint">
          This set-up works until <When at={setup.expiresAt} />. After that, start again.
        </p>
      </section>
      <p>
        <a href="/account#two-factor">Cancel</a>
      </p>
    </div>
  );
}

/** "Copy": only with script (the codes are in the text box either way). */
function CopyCodes({ text }: { text: string }) {
  const [available, setAvailable] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => setAvailable(typeof navigator !== 'undefined' && !!navigator.clipboard), []);
  if (!available) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied('Copied.'),
      () => setCopied('Copying did not work: select the codes in the box and copy them.'),
    );
  };
  return (
    <>
      <button type="button" onClick={copy}>
        Copy the codes
      </button>{' '}
      <span role="status">{copied ?? ''}</span>
    </>
  );
}

/**
 * The 10 recovery codes, shown once: the list, a text box and a download (a `data:` link, so
 * it works without script), and "Copy" with script. The way back is a link to the account
 * page's notice, which offers to sign out everywhere else.
 */
export function RecoveryCodesPage({ recovery }: { recovery: RecoveryCodesState }) {
  const text = recovery.codes.join('\n') + '\n';
  const back =
    recovery.reason === 'enabled'
      ? '/account?notice=two-factor-on#two-factor'
      : '/account?notice=recovery-codes-new#two-factor';
  return (
    <div className="account-page recovery-codes-page">
      <h1>Your recovery codes</h1>
      {recovery.reason === 'enabled' ? (
        <p>Two-factor authentication is on.</p>
      ) : (
        <p>These codes replace your earlier ones, which no longer work.</p>
      )}
      <p className="warning" data-testid="recovery-codes-warning">
        <strong>Save these codes now: they are shown only this once.</strong> If you lose your
        authenticator app, each code signs you in once instead of a code from the app. Keep them
        somewhere safe, such as your password manager.
      </p>
      <ol className="recovery-codes" data-testid="recovery-codes">
        {recovery.codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="field">
        <label>
          The codes as text
          <textarea readOnly rows={recovery.codes.length} defaultValue={text} spellCheck={false} />
        </label>
      </div>
      <p className="factor-actions">
        <a
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
          download="recovery-codes.txt"
        >
          Download as a text file
        </a>{' '}
        <span data-script-only="">
          <CopyCodes text={text} />
        </span>
      </p>
      <p>
        <a href={back} data-testid="recovery-codes-done">
          I saved them: back to my account
        </a>
      </p>
    </div>
  );
}
