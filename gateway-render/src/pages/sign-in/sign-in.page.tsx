import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ViewerDocument } from '../../__generated__/graphql';
import { basicAuthorization } from '../../shared/browser-fetch';
import type { SignInFormState } from '../../shared/page-props';
import { FormError, useFormPost } from '../../shared/form-post';

export function googleUrl(returnTo: string, rememberMe: boolean): string {
  const params = new URLSearchParams({ returnTo });
  if (rememberMe) params.set('rememberMe', '1');
  return `/auth/google?${params.toString()}`;
}

/**
 * `/sign-in`: e-mail, password, "remember me" and "Sign in with Google". Without script the
 * form posts its fields; with script it sends them as HTTP Basic credentials and shows a
 * refusal in place.
 */
export function SignInPage({ form, google }: { form: SignInFormState; google: boolean }) {
  const { data } = useQuery(ViewerDocument);
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
    <main className="auth-page">
      <h1>Sign in</h1>
      {data?.me ? <p>You are signed in as {data.me.name || data.me.email}.</p> : null}
      <form method="post" action="/auth/sign-in" onSubmit={onSubmit} className="auth-form">
        <input type="hidden" name="returnTo" value={form.returnTo} />
        <FormError error={error} />
        <label>
          E-mail
          <input
            type="email"
            name="email"
            defaultValue={form.email}
            required
            autoComplete="email"
          />
        </label>
        <label>
          Password
          <input type="password" name="password" required autoComplete="current-password" />
        </label>
        <p className="form-hint">
          <a href="/forgot-password">Forgot password?</a>
        </p>
        <label className="checkbox">
          <input
            type="checkbox"
            name="rememberMe"
            value="true"
            checked={rememberMe}
            onChange={(event) => setRememberMe(event.target.checked)}
          />{' '}
          Remember me for 30 days
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {google ? (
        <p>
          <a className="google" href={googleUrl(form.returnTo, rememberMe)}>
            Sign in with Google
          </a>
        </p>
      ) : null}
      <p>
        No account? <a href="/sign-up">Sign up</a>
      </p>
    </main>
  );
}
