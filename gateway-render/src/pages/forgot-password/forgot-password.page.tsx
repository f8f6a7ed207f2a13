import type { ForgotPasswordFormState } from '../../shared/page-props';
import { fieldAria, FieldMessages } from '../../shared/field-messages';
import { FormError } from '../../shared/form-post';

/** What `/forgot-password` says once the form is sent, whether or not the address has an account. */
export const RESET_LINK_SENT =
  'If an account exists for that address, we sent a link to it; it works for 30 minutes.';

/**
 * `/forgot-password`: one e-mail field. The answer is the same page whether or not the address
 * has an account, so the form tells nobody who has one.
 */
export function ForgotPasswordPage({ form }: { form: ForgotPasswordFormState }) {
  if (form.sent) {
    return (
      <div className="auth-page">
        <h1>Check your mail</h1>
        <p data-testid="reset-sent">{RESET_LINK_SENT}</p>
        <p>
          Nothing arrived? Look in the spam folder, or <a href="/forgot-password">try again</a>.
        </p>
        <p>
          <a href="/sign-in">Back to sign in</a>
        </p>
      </div>
    );
  }
  return (
    <div className="auth-page">
      <h1>Forgot your password?</h1>
      <p>
        Enter the e-mail address of your account and we will send you a link to choose a new one.
      </p>
      <form method="post" action="/forgot-password" className="auth-form">
        <FormError error={form.error ?? null} />
        <div className="field">
          <label>
            E-mail
            <input
              type="email"
              name="email"
              defaultValue={form.email}
              required
              maxLength={254}
              autoComplete="email"
              {...fieldAria('email', form.fields)}
            />
          </label>
          <FieldMessages name="email" errors={form.fields} />
        </div>
        <button type="submit">Send the link</button>
      </form>
      <p>
        <a href="/sign-in">Back to sign in</a>
      </p>
    </div>
  );
}
