import { useCallback, useState } from 'react';
import type { FormEvent } from 'react';
import { basicAuthorization } from '../../shared/browser-fetch';
import { FormError, useFormPost } from '../../shared/form-post';
import { GoogleButton, googleUrl } from '../../shared/google-button';
import { useViewer } from '../../shared/page-data';
import type { SignInFormState } from '../../shared/page-props';
import { PasskeyButton, usePasskeySignIn } from './passkey-sign-in';

/** `/sign-up` coming back to the same place as this sign-in would. */
function signUpUrl(returnTo: string): string {
  return returnTo === '/' ? '/sign-up' : `/sign-up?returnTo=${encodeURIComponent(returnTo)}`;
}

const EMAIL_INPUT_ID = 'sign-in-email';

function Divider() {
  return (
    <p className="divider">
      <span>or with your e-mail</span>
    </p>
  );
}

/**
 * `/sign-in`: e-mail, password, "remember me", "Sign in with Google" and, where script runs
 * and the browser can, "Sign in with a passkey" (also offered in the e-mail field's
 * suggestions). Without script the form posts its fields; with script it sends them as HTTP
 * Basic credentials and shows a refusal in place. A sign-in that needs a second factor goes
 * on to `/sign-in/second-factor`.
 */
export function SignInPage({ form, google }: { form: SignInFormState; google: boolean }) {
  const me = useViewer();
  const { error, busy, post } = useFormPost(form.returnTo, form.error);
  const [rememberMe, setRememberMe] = useState(form.rememberMe);
  const emailInput = useCallback(
    () => document.getElementById(EMAIL_INPUT_ID) as HTMLInputElement | null,
    [],
  );
  const passkey = usePasskeySignIn({ returnTo: form.returnTo, rememberMe, emailInput });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    const email = String(fields.get('email') ?? '');
    const password = String(fields.get('password') ?? '');
    void post(
      '/auth/sign-in',
      // returnTo too: a sign-in that needs a code carries it to the second-factor page.
      { rememberMe, returnTo: form.returnTo },
      {
        headers: { authorization: basicAuthorization(email, password) },
        fallbackMessage: 'Sign-in failed; try again.',
      },
    );
  };

  return (
    <div className="auth-page">
      <h1>Sign in</h1>
      {me ? <p className="lede">You are signed in as {me.name || me.email}.</p> : null}
      {google ? (
        <GoogleButton href={googleUrl(form.returnTo, rememberMe)} label="Sign in with Google" />
      ) : null}
      {/* Only once the page script found passkey support: never in the server's markup. */}
      {passkey.supported ? <PasskeyButton passkey={passkey} divider={!google} /> : null}
      {google ? <Divider /> : null}
      <form method="post" action="/auth/sign-in" onSubmit={onSubmit} className="auth-form">
        <input type="hidden" name="returnTo" value={form.returnTo} />
        <FormError error={error} />
        <div className="field">
          <label htmlFor={EMAIL_INPUT_ID}>E-mail</label>
          <input
            id={EMAIL_INPUT_ID}
            type="email"
            name="email"
            defaultValue={form.email}
            required
            // "webauthn" last: the browser may offer passkeys among the suggestions (conditional UI).
            autoComplete="username webauthn"
            aria-invalid={error ? 'true' : undefined}
          />
        </div>
        <div className="field">
          <div className="label-row">
            <label htmlFor="sign-in-password">Password</label>
            <a href="/forgot-password" className="small-link">
              Forgot password?
            </a>
          </div>
          <input
            id="sign-in-password"
            type="password"
            name="password"
            required
            autoComplete="current-password"
            aria-invalid={error ? 'true' : undefined}
          />
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            name="rememberMe"
            value="true"
            checked={rememberMe}
            onChange={(event) => setRememberMe(event.target.checked)}
          />
          <span>Remember me for 30 days</span>
        </label>
        <button type="submit" className="button primary wide" aria-busy={busy ? 'true' : undefined}>
          Sign in
        </button>
      </form>
      <p className="auth-switch">
        No account? <a href={signUpUrl(form.returnTo)}>Sign up</a>
      </p>
    </div>
  );
}
