import type { FieldErrors } from './api-errors';
import { fieldAria, FieldMessages } from './field-messages';

/**
 * The field for the 6-digit code of an authenticator app (`name="code"`): the numeric keyboard
 * on phones, the browser's one-time-code autofill, digits with a space allowed (as apps show
 * them, "123 456"), and the API's messages linked to the input. With `id` the label stands
 * before the input and names it (`for`); without, the label wraps the input.
 */
export function CodeField({
  label,
  errors,
  id,
  maxLength = 8,
}: {
  label: string;
  errors: FieldErrors;
  id?: string;
  /** The most characters accepted (the 6 digits and spaces); the pattern allows as many. */
  maxLength?: number;
}) {
  const input = (
    <input
      id={id}
      type="text"
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern={`[0-9 ]{6,${maxLength}}`}
      maxLength={maxLength}
      required
      {...fieldAria('code', errors)}
    />
  );
  return (
    <div className="field">
      {id ? (
        <>
          <label htmlFor={id}>{label}</label>
          {input}
        </>
      ) : (
        <label>
          {label}
          {input}
        </label>
      )}
      <FieldMessages name="code" errors={errors} />
    </div>
  );
}
