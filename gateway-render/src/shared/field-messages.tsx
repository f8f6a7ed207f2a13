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
