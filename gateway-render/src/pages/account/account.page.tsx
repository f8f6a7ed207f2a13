import type { AccountPageQuery } from '../../__generated__/graphql';
import type { FieldErrors } from '../../shared/api-errors';
import { formatDateTime } from '../../shared/date-time';
import {
  CurrentPasswordField,
  fieldAria,
  FieldMessages,
  NewPasswordField,
} from '../../shared/field-messages';
import { FormError } from '../../shared/form-post';
import { usePageData } from '../../shared/page-data';
import type { AccountFormName, AccountFormState } from '../../shared/page-props';
import { LastUsed } from './last-used';
import { PasskeysSection } from './passkeys-section';
import { TwoFactorSection } from './two-factor-section';
import { describeUserAgent } from './user-agent';

type Session = AccountPageQuery['sessions'][number];
type Security = AccountPageQuery['accountSecurity'];

/** Where a refused account form's post comes back to after signing in again. */
function ReturnHere() {
  return <input type="hidden" name="returnTo" value="/account" />;
}

/**
 * The account's address as a hidden username field: password managers tie a changed password to
 * the account by it (Chromium asks for one in every password form). Never sent to the API.
 */
function Username({ email }: { email: string }) {
  return (
    <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
  );
}

function PasswordSection({
  error,
  fields,
  email,
  lastUsedAt,
}: {
  error: string | null;
  fields: FieldErrors;
  email: string;
  lastUsedAt: string | null | undefined;
}) {
  return (
    <section aria-labelledby="password-heading" data-testid="password-section">
      <h2 id="password-heading">Change password</h2>
      <p data-testid="password-last-used">
        Password last used to sign in: <LastUsed at={lastUsedAt} />
      </p>
      <p>Every other device signed in to your account will be signed out.</p>
      <form method="post" action="/account/password" className="auth-form">
        <ReturnHere />
        <Username email={email} />
        <FormError error={error} />
        <CurrentPasswordField errors={fields} />
        <NewPasswordField name="newPassword" label="New password" errors={fields} />
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}

function EmailSection({
  error,
  fields,
  newEmail,
  email,
}: {
  error: string | null;
  fields: FieldErrors;
  newEmail: string;
  email: string;
}) {
  return (
    <section aria-labelledby="email-heading" data-testid="email-section">
      <h2 id="email-heading">Change e-mail address</h2>
      <p>We send a link to the new address; your address changes when you open it.</p>
      <form method="post" action="/account/email" className="auth-form">
        <ReturnHere />
        <Username email={email} />
        <FormError error={error} />
        <div className="field">
          <label>
            New e-mail address
            <input
              type="email"
              name="newEmail"
              defaultValue={newEmail}
              required
              maxLength={254}
              autoComplete="email"
              {...fieldAria('newEmail', fields)}
            />
          </label>
          <FieldMessages name="newEmail" errors={fields} />
        </div>
        <CurrentPasswordField errors={fields} />
        <button type="submit">Change e-mail address</button>
      </form>
    </section>
  );
}

function NoPasswordSection() {
  return (
    <section aria-labelledby="password-heading" data-testid="password-section">
      <h2 id="password-heading">Password</h2>
      <p>
        Your account has no password: you sign in with Google. To set one (it is also needed to
        change your e-mail address), use <a href="/forgot-password">Forgot password?</a>
      </p>
    </section>
  );
}

function ConnectedAccounts({
  connected,
  available,
  error,
  lastUsedAt,
}: {
  connected: boolean;
  available: boolean;
  error: string | null;
  lastUsedAt: string | null | undefined;
}) {
  return (
    <section id="connected" aria-labelledby="connected-heading" data-testid="connected-section">
      <h2 id="connected-heading">Connected accounts</h2>
      <FormError error={error} />
      {connected ? (
        <form method="post" action="/account/google/disconnect" className="inline-form">
          <ReturnHere />
          <span data-testid="google-state">Google: connected</span>{' '}
          <span data-testid="google-last-used">
            (last used to sign in: <LastUsed at={lastUsedAt} />)
          </span>{' '}
          <button type="submit">Disconnect</button>
        </form>
      ) : available ? (
        <form method="post" action="/account/google/connect" className="inline-form">
          <ReturnHere />
          <span data-testid="google-state">Google: not connected</span>{' '}
          <button type="submit">Connect Google</button>
        </form>
      ) : (
        <p data-testid="google-state">Google: not connected (Google sign-in is not set up here).</p>
      )}
    </section>
  );
}

function SessionRow({ session }: { session: Session }) {
  const device = describeUserAgent(session.userAgent);
  return (
    <tr data-testid="session" data-current={session.current ? 'true' : 'false'}>
      <td title={session.userAgent ?? undefined}>
        {device}
        {session.current ? <strong className="badge ok">this device</strong> : null}
        {session.rememberMe ? <span className="badge">remember me</span> : null}
      </td>
      <td>{session.ipAddress ?? 'unknown'}</td>
      <td>
        <time dateTime={session.createdAt}>{formatDateTime(session.createdAt)}</time>
      </td>
      <td>
        <time dateTime={session.lastUsedAt}>{formatDateTime(session.lastUsedAt)}</time>
      </td>
      <td>
        <form method="post" action={`/account/sessions/${encodeURIComponent(session.id)}/revoke`}>
          <ReturnHere />
          <button type="submit">Sign out this device</button>
        </form>
      </td>
    </tr>
  );
}

function SessionsSection({ sessions, error }: { sessions: Session[]; error: string | null }) {
  return (
    <section id="sessions" aria-labelledby="sessions-heading" data-testid="sessions-section">
      <h2 id="sessions-heading">Signed-in devices</h2>
      <FormError error={error} />
      <table className="sessions">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">IP address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Sign out</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => (
            <SessionRow key={session.id} session={session} />
          ))}
        </tbody>
      </table>
      {sessions.some((session) => !session.current) ? (
        <form method="post" action="/account/sessions/revoke-others">
          <ReturnHere />
          <button type="submit">Sign out everywhere else</button>
        </form>
      ) : null}
    </section>
  );
}

/**
 * After a factor changed (a passkey added or removed, two-factor on or off, new recovery
 * codes): whoever else is signed in may be why, so signing them out is offered right here.
 */
function SignOutElsewhereOffer() {
  return (
    <div className="offer" data-testid="sign-out-elsewhere-offer">
      <p>
        Other devices are still signed in to your account. If one of them may not be yours, sign
        them out now.
      </p>
      <form method="post" action="/account/sessions/revoke-others">
        <ReturnHere />
        <button type="submit">Sign out everywhere else</button>
      </form>
    </div>
  );
}

/**
 * `/account`: the signed-in person's name and address (confirmed or not), password and e-mail
 * changes, passkeys, two-factor codes, connected Google account and signed-in devices, each
 * factor with when it was last used. Every form is a plain post that
 * comes back here (with a notice, or the form again with the API's messages).
 */
export function AccountPage({
  form,
  google,
  offerSignOutElsewhere = false,
}: {
  form: AccountFormState;
  google: boolean;
  offerSignOutElsewhere?: boolean;
}) {
  const data = usePageData<AccountPageQuery>();
  const me = data.me;
  if (!me) return null;
  const security: Security = data.accountSecurity;
  const googleConnected = me.providers.includes('GOOGLE');
  const othersSignedIn = data.sessions.some((session) => !session.current);
  const errorOf = (name: AccountFormName) => (form.form === name ? (form.error ?? null) : null);
  const fieldsOf = (name: AccountFormName) => (form.form === name ? form.fields : {});
  return (
    <div className="account-page">
      <h1>Your account</h1>
      {offerSignOutElsewhere && othersSignedIn ? <SignOutElsewhereOffer /> : null}
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="profile">
          <dt>Name</dt>
          <dd data-testid="account-name">{me.name}</dd>
          <dt>E-mail</dt>
          <dd>
            <span data-testid="account-email">{me.email}</span>{' '}
            {me.emailVerified ? (
              <span className="badge ok" data-testid="email-state">
                confirmed
              </span>
            ) : (
              <span className="badge warn" data-testid="email-state">
                not confirmed yet
              </span>
            )}
          </dd>
        </dl>
      </section>
      {me.hasPassword ? (
        <>
          <PasswordSection
            error={errorOf('password')}
            fields={fieldsOf('password')}
            email={me.email}
            lastUsedAt={security.passwordLastUsedAt}
          />
          <EmailSection
            email={me.email}
            error={errorOf('email')}
            fields={fieldsOf('email')}
            newEmail={form.form === 'email' ? form.newEmail : ''}
          />
        </>
      ) : (
        <NoPasswordSection />
      )}
      <PasskeysSection
        passkeys={security.passkeys}
        error={errorOf('passkeys')}
        fields={fieldsOf('passkeys')}
      />
      <TwoFactorSection
        status={security.twoFactor}
        googleOffered={googleConnected || google}
        error={errorOf('two-factor')}
      />
      <ConnectedAccounts
        connected={googleConnected}
        available={google}
        error={errorOf('google')}
        lastUsedAt={security.googleLastUsedAt}
      />
      <SessionsSection sessions={data.sessions} error={errorOf('sessions')} />
    </div>
  );
}
