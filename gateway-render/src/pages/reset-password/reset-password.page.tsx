import { fieldAria, FieldMessages, PASSWORD_RULE } from '../../shared/field-messages';
import { LinkProblem } from '../../shared/link-problem';
import type { ResetPasswordFormState } from '../../shared/page-props';

/**
 * `/reset-password?token=…`: a new-password form carrying the link's token in a hidden field.
 * Showing it spends nothing; only the form's post uses the token.
 */
export function ResetPasswordPage({ form }: { form: ResetPasswordFormState }) {
  if (form.linkProblem) {
    return (
      <LinkProblem
        title="This reset link cannot be used"
        message={form.linkProblem}
        askAgain={{ href: '/forgot-password', label: 'Ask for a new reset link' }}
      />
    );
  }
  return (
    <div className="auth-page">
      <h1>Choose a new password</h1>
      <p>Every device signed in to your account will be signed out.</p>
      <form method="post" action="/reset-password" className="auth-form">
        <input type="hidden" name="token" value={form.token} />
        <div className="field">
          <label>
            New password
            <input
              type="password"
              name="newPassword"
              required
              minLength={8}
              maxLength={256}
              autoComplete="new-password"
              {...fieldAria('newPassword', form.fields, 'new-password-rule')}
            />
          </label>
          <small className="hint" id="new-password-rule">
            {PASSWORD_RULE}
          </small>
          <FieldMessages name="newPassword" errors={form.fields} />
        </div>
        <button type="submit">Set the new password</button>
      </form>
    </div>
  );
}
