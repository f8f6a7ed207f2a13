import { useState } from 'react';
import type { FormEvent } from 'react';
import type { FieldErrors } from '../../shared/api-errors';
import { FieldMessages, PASSWORD_RULE } from '../../shared/field-messages';
import type { SignUpFormState } from '../../shared/page-props';
import { FormError, useFormPost } from '../../shared/form-post';

/**
 * `/sign-up`: name, e-mail and password (its rule stated); the API's messages, the password
 * strength feedback among them, appear next to their fields.
 */
export function SignUpPage({ form }: { form: SignUpFormState }) {
  const [fields, setFields] = useState<FieldErrors>(form.fields);
  const { error, busy, post } = useFormPost(form.returnTo, form.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const body = {
      name: String(data.get('name') ?? ''),
      email: String(data.get('email') ?? ''),
      password: String(data.get('password') ?? ''),
    };
    void post('/auth/sign-up', body, {
      fallbackMessage: 'Sign-up failed; try again.',
      onRefused: (refusal) => setFields(refusal?.fields ?? {}),
    });
  };

  return (
    <main className="auth-page">
      <h1>Sign up</h1>
      <form method="post" action="/auth/sign-up" onSubmit={onSubmit} className="auth-form">
        <input type="hidden" name="returnTo" value={form.returnTo} />
        <FormError error={error} />
        <label>
          Name
          <input
            type="text"
            name="name"
            defaultValue={form.name}
            required
            maxLength={100}
            autoComplete="name"
          />
          <FieldMessages name="name" errors={fields} />
        </label>
        <label>
          E-mail
          <input
            type="email"
            name="email"
            defaultValue={form.email}
            required
            autoComplete="email"
          />
          <FieldMessages name="email" errors={fields} />
        </label>
        <label>
          Password
          <small className="hint" id="password-rule">
            {PASSWORD_RULE}
          </small>
          <input
            type="password"
            name="password"
            required
            minLength={8}
            maxLength={256}
            autoComplete="new-password"
            aria-describedby="password-rule"
          />
          {/* The API's strength feedback ("Add another word or two", ...) appears here. */}
          <FieldMessages name="password" errors={fields} />
        </label>
        <button type="submit" disabled={busy}>
          Sign up
        </button>
      </form>
      <p>
        Already have an account? <a href="/sign-in">Sign in</a>
      </p>
    </main>
  );
}
