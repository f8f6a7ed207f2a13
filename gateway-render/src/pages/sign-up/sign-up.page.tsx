import { useState } from 'react';
import type { FormEvent } from 'react';
import type { FieldErrors } from '../../shared/api-errors';
import type { SignUpFormState } from '../../shared/page-props';
import { FormError, useFormPost } from '../../shared/form-post';

function FieldMessages({ name, errors }: { name: string; errors: FieldErrors }) {
  const messages = errors[name];
  if (!messages || messages.length === 0) return null;
  return (
    <span className="error" id={`${name}-error`} data-testid={`${name}-error`}>
      {messages.join('; ')}
    </span>
  );
}

/** `/sign-up`: name, e-mail and password; the API's messages appear next to their fields. */
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
          Password (at least 8 characters)
          <input
            type="password"
            name="password"
            required
            minLength={8}
            autoComplete="new-password"
          />
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
