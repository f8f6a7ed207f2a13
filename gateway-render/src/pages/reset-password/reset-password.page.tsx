import { NewPasswordField } from '../../shared/field-messages';
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
        <NewPasswordField name="newPassword" label="New password" errors={form.fields} />
        <button type="submit">Set the new password</button>
      </form>
    </div>
  );
}
