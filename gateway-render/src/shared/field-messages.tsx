import type { FieldErrors } from './api-errors';

/** The id of a field's message element, which its input names in `aria-describedby`. */
export function fieldErrorId(name: string): string {
  return `${name}-error`;
}

/**
 * The input's ARIA link to its messages: `aria-invalid` when the API refused the value, and
 * `aria-describedby` naming the message (and the field's hint, when it has one).
 */
export function fieldAria(
  name: string,
  errors: FieldErrors,
  hintId?: string,
): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  const invalid = (errors[name]?.length ?? 0) > 0;
  const describedBy = [invalid ? fieldErrorId(name) : null, hintId ?? null].filter(Boolean);
  return {
    ...(invalid ? { 'aria-invalid': 'true' as const } : {}),
    ...(describedBy.length > 0 ? { 'aria-describedby': describedBy.join(' ') } : {}),
  };
}

/** The API's messages for one form field (`data-testid="<name>-error"`), next to the field. */
export function FieldMessages({ name, errors }: { name: string; errors: FieldErrors }) {
  const messages = errors[name];
  if (!messages || messages.length === 0) return null;
  return (
    <span className="field-error" id={fieldErrorId(name)} data-testid={`${name}-error`}>
      {messages.join('; ')}
    </span>
  );
}

/** The password rule the API applies, said where a new password is chosen. */
export const PASSWORD_RULE = 'At least 8 characters; avoid common words and patterns';

/**
 * A new-password field with the rule stated under it and the API's messages (the strength
 * feedback among them) after it, linked to the input. `name` is the API's field name.
 */
export function NewPasswordField({
  name,
  label,
  errors,
}: {
  name: string;
  label: string;
  errors: FieldErrors;
}) {
  const ruleId = `${name}-rule`;
  return (
    <div className="field">
      <label>
        {label}
        <input
          type="password"
          name={name}
          required
          minLength={8}
          maxLength={256}
          autoComplete="new-password"
          {...fieldAria(name, errors, ruleId)}
        />
      </label>
      <small className="hint" id={ruleId}>
        {PASSWORD_RULE}
      </small>
      <FieldMessages name={name} errors={errors} />
    </div>
  );
}

/** The current-password field the account's forms ask for, with its messages. */
export function CurrentPasswordField({ errors }: { errors: FieldErrors }) {
  return (
    <div className="field">
      <label>
        Current password
        <input
          type="password"
          name="currentPassword"
          required
          autoComplete="current-password"
          {...fieldAria('currentPassword', errors)}
        />
      </label>
      <FieldMessages name="currentPassword" errors={errors} />
    </div>
  );
}
