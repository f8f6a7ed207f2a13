import type { TwoFactorFieldsFragment } from '../../__generated__/graphql';
import { FormError } from '../../shared/form-post';
import { LastUsed, When } from './last-used';

/** Few enough recovery codes left to say so. */
const FEW_RECOVERY_CODES = 3;

function ReturnHere() {
  return <input type="hidden" name="returnTo" value="/account" />;
}

/**
 * Two-factor codes (`#two-factor`): off, with "Turn on two-factor"; or on, with when it was
 * turned on and last used, the recovery codes left and the last one used, "New recovery
 * codes", whether a Google sign-in asks for a code too, and "Turn off two-factor". Plain forms.
 */
export function TwoFactorSection({
  status,
  googleOffered,
  error,
}: {
  status: TwoFactorFieldsFragment;
  /** Google sign-in is connected or can be: the "also after Google" choice means something. */
  googleOffered: boolean;
  error: string | null;
}) {
  return (
    <section id="two-factor" aria-labelledby="two-factor-heading" data-testid="two-factor-section">
      <h2 id="two-factor-heading">Two-factor authentication</h2>
      <FormError error={error} />
      {status.enabled ? (
        <>
          <p>
            <span className="badge ok" data-testid="two-factor-state">
              on
            </span>{' '}
            Signing in with your password also asks for a 6-digit code from your authenticator app,
            or one of your recovery codes.
          </p>
          <dl className="factor-times">
            <dt>Turned on</dt>
            <dd>{status.enabledAt ? <When at={status.enabledAt} /> : 'unknown'}</dd>
            <dt>Last code used</dt>
            <dd data-testid="totp-last-used">
              <LastUsed at={status.lastUsedAt} />
            </dd>
            <dt>Recovery codes left</dt>
            <dd data-testid="recovery-codes-left">
              {status.recoveryCodesLeft}
              {status.recoveryCodesLeft <= FEW_RECOVERY_CODES ? (
                <span className="badge warn">make new ones soon</span>
              ) : null}
            </dd>
            <dt>Last recovery code used</dt>
            <dd data-testid="recovery-code-last-used">
              <LastUsed at={status.recoveryCodeLastUsedAt} />
            </dd>
          </dl>
          {googleOffered ? (
            <form method="post" action="/account/two-factor/providers" className="inline-form">
              <ReturnHere />
              <label className="checkbox">
                <input
                  type="checkbox"
                  name="required"
                  value="true"
                  defaultChecked={status.requiredForProviders}
                  data-testid="two-factor-providers"
                />{' '}
                Also ask for a code after signing in with Google
              </label>{' '}
              <button type="submit">Save</button>
            </form>
          ) : null}
          <div className="factor-actions">
            <form method="post" action="/account/two-factor/recovery-codes" className="inline-form">
              <ReturnHere />
              <button type="submit">New recovery codes</button>
            </form>
            <form method="post" action="/account/two-factor/disable" className="inline-form">
              <ReturnHere />
              <button type="submit">Turn off two-factor</button>
            </form>
          </div>
        </>
      ) : (
        <>
          <p>
            <span className="badge" data-testid="two-factor-state">
              off
            </span>{' '}
            With two-factor on, signing in with your password also asks for a 6-digit code from an
            authenticator app on your phone (Google Authenticator, Authy, 1Password, …).
          </p>
          <form method="post" action="/account/two-factor/start" className="inline-form">
            <ReturnHere />
            <button type="submit">Turn on two-factor</button>
          </form>
        </>
      )}
    </section>
  );
}
