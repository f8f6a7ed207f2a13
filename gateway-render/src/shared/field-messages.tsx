import type { FieldErrors } from './api-errors';

/** The API's messages for one form field (`data-testid="<name>-error"`), next to the field. */
export function FieldMessages({ name, errors }: { name: string; errors: FieldErrors }) {
  const messages = errors[name];
  if (!messages || messages.length === 0) return null;
  return (
    <span className="error" id={`${name}-error`} data-testid={`${name}-error`}>
      {messages.join('; ')}
    </span>
  );
}

/** The password rule the API applies, said where a new password is chosen. */
export const PASSWORD_RULE = 'At least 8 characters; avoid common words and patterns';
