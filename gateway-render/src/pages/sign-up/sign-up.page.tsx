import { useState } from 'react';
import type { FormEvent } from 'react';
import type { FieldErrors } from '../../shared/api-errors';
import { FieldMessages, fieldAria, NewPasswordField } from '../../shared/field-messages';
import { FormError, useFormPost } from '../../shared/form-post';
import { GoogleButton, googleUrl } from '../../shared/google-button';
import { withNotice } from '../../shared/notices';
import type { SignUpFormState } from '../../shared/page-props';
import { signInUrl } from '../../shared/return-to';

/** `/sign-in` for the address typed here, coming back to the same place. */
function signInInstead(returnTo: string, email: string): string {
  const url = signInUrl(returnTo);
  return email ? `${url}${url.includes('?') ? '&' : '?'}email=${encodeURIComponent(email)}` : url;
}

/**
 * `/sign-up`: name, e-mail and password (its rule stated); the API's messages, the password
 * strength feedback among them, appear next to their fields. An address that already has an
 * account offers to sign in instead.
 */
export function SignUpPage({ form, google }: { form: SignUpFormState; google: boolean }) {
  const [fields, setFields] = useState<FieldErrors>(form.fields);
  const [registered, setRegistered] = useState(form.registered === true);
  const [email, setEmail] = useState(form.email);
  const { error, busy, post } = useFormPost(form.returnTo, form.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const body = {
      name: String(data.get('name') ?? ''),
      email: String(data.get('email') ?? ''),
      password: String(data.get('password') ?? ''),
    };
    setEmail(body.email);
    void post('/auth/sign-up', body, {
      fallbackMessage: 'Sign-up failed; try again.',
      successUrl: withNotice(form.returnTo, 'welcome'),
      onRefused: (refusal) => {
        setFields(refusal?.fields ?? {});
        const conflict = refusal?.code === 'CONFLICT';
        setRegistered(conflict);
        return conflict;
      },
    });
  };

  return (
    <div className="auth-page">
      <h1>Create your account</h1>
      <p className="lede">Keep a list of the movies you want to see.</p>
      {google ? (
        <>
          <GoogleButton href={googleUrl(form.returnTo, false)} label="Sign up with Google" />
          <p className="divider">
            <span>or with your e-mail</span>
          </p>
        </>
      ) : null}
      <form method="post" action="/auth/sign-up" onSubmit={onSubmit} className="auth-form">
        <input type="hidden" name="returnTo" value={form.returnTo} />
        <FormError error={error} />
        <div className="field">
          <label htmlFor="sign-up-name">Name</label>
          <input
            id="sign-up-name"
            type="text"
            name="name"
            defaultValue={form.name}
            required
            maxLength={100}
            autoComplete="name"
            {...fieldAria('name', fields)}
          />
          <FieldMessages name="name" errors={fields} />
        </div>
        <div className="field">
          <label htmlFor="sign-up-email">E-mail</label>
          <input
            id="sign-up-email"
            type="email"
            name="email"
            defaultValue={form.email}
            required
            autoComplete="email"
            {...fieldAria('email', fields)}
          />
          <FieldMessages name="email" errors={fields} />
          {registered ? (
            <a
              className="field-action"
              href={signInInstead(form.returnTo, email)}
              data-testid="sign-in-instead"
            >
              Sign in instead
            </a>
          ) : null}
        </div>
        {/* The API's strength feedback ("Add another word or two", ...) appears by it. */}
        <NewPasswordField name="password" label="Password" errors={fields} />
        <button type="submit" className="button primary wide" aria-busy={busy ? 'true' : undefined}>
          Sign up
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <a href={signInUrl(form.returnTo)}>Sign in</a>
      </p>
    </div>
  );
}
