import { useState } from 'react';
import type { FormEvent } from 'react';
import { basicAuthorization } from '../../shared/browser-fetch';
import { FormError, useFormPost } from '../../shared/form-post';
import { GoogleButton, googleUrl } from '../../shared/google-button';
import { useViewer } from '../../shared/page-data';
import type { SignInFormState } from '../../shared/page-props';

/** `/sign-up` coming back to the same place as this sign-in would. */
function signUpUrl(returnTo: string): string {
  return returnTo === '/' ? '/sign-up' : `/sign-up?returnTo=${encodeURIComponent(returnTo)}`;
}

/**
 * `/sign-in`: e-mail, password, "remember me" and "Sign in with Google". Without script the
 * form posts its fields; with script it sends them as HTTP Basic credentials and shows a
 * refusal in place.
 */
export function SignInPage({ form, google }: { form: SignInFormState; google: boolean }) {
  const me = useViewer();
  const { error, busy, post } = useFormPost(form.returnTo, form.error);
  const [rememberMe, setRememberMe] = useState(form.rememberMe);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    const email = String(fields.get('email') ?? '');
    const password = String(fields.get('password') ?? '');
    void post(
      '/auth/sign-in',
      { rememberMe },
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
        <>
          <GoogleButton href={googleUrl(form.returnTo, rememberMe)} label="Sign in with Google" />
          <p className="divider">
            <span>or with your e-mail</span>
          </p>
        </>
      ) : null}
      <form method="post" action="/auth/sign-in" onSubmit={onSubmit} className="auth-form">
        <input type="hidden" name="returnTo" value={form.returnTo} />
        <FormError error={error} />
        <div className="field">
          <label htmlFor="sign-in-email">E-mail</label>
          <input
            id="sign-in-email"
            type="email"
            name="email"
            defaultValue={form.email}
            required
            autoComplete="email"
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
