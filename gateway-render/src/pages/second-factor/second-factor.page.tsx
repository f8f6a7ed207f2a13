import { useState } from 'react';
import type { FormEvent, MouseEvent } from 'react';
import type { FieldErrors } from '../../shared/api-errors';
import { CodeField } from '../../shared/code-field';
import { FieldMessages, fieldAria } from '../../shared/field-messages';
import { FormError, useFormPost } from '../../shared/form-post';
import type { SecondFactorFormMethod, SecondFactorFormState } from '../../shared/page-props';

/** The page's own URL for one way of answering (a plain link without script). */
export function secondFactorUrl(method: SecondFactorFormMethod): string {
  return method === 'recovery'
    ? '/sign-in/second-factor?method=recovery'
    : '/sign-in/second-factor';
}

/**
 * `/sign-in/second-factor`: after the password (or Google, or a passkey without user
 * verification), the 6-digit code from the authenticator app, or one of the recovery codes.
 * Without script the form posts and the links switch between the two; with script both
 * happen in place and a wrong code is said by its field.
 */
export function SecondFactorPage({ form }: { form: SecondFactorFormState }) {
  const [method, setMethod] = useState<SecondFactorFormMethod>(form.method);
  const [fields, setFields] = useState<FieldErrors>(form.fields);
  // On success the route names where to go (the sign-in's return path): see useFormPost.
  const { error, busy, post } = useFormPost('/', form.error);
  const canUseTotp = form.methods.includes('TOTP');
  const canUseRecovery = form.methods.includes('RECOVERY_CODE');
  const name = method === 'recovery' ? 'recoveryCode' : 'code';

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get(name) ?? '');
    void post(
      '/auth/second-factor',
      { [name]: value },
      {
        fallbackMessage: 'The code could not be checked; try again.',
        onRefused: (refusal) => {
          const refused = refusal?.fields ?? {};
          setFields(refused);
          return (refused[name]?.length ?? 0) > 0;
        },
      },
    );
  };

  const switchTo = (next: SecondFactorFormMethod) => (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    setFields({});
    setMethod(next);
  };

  return (
    <div className="auth-page">
      <h1>Two-step verification</h1>
      <p className="lede">Your account asks for a second step to finish signing in.</p>
      <form method="post" action="/auth/second-factor" onSubmit={onSubmit} className="auth-form">
        <FormError error={error} />
        {method === 'totp' ? (
          <CodeField
            key="totp"
            id="second-factor-code"
            label="Enter the 6-digit code from your authenticator app"
            maxLength={7}
            errors={fields}
          />
        ) : (
          <div className="field" key="recovery">
            <label htmlFor="second-factor-recovery-code">Enter one of your recovery codes</label>
            <input
              id="second-factor-recovery-code"
              type="text"
              name="recoveryCode"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={64}
              required
              {...fieldAria('recoveryCode', fields, 'recovery-code-hint')}
            />
            <span className="hint" id="recovery-code-hint">
              Each recovery code works once, like k7m2-x9qp-4hdt.
            </span>
            <FieldMessages name="recoveryCode" errors={fields} />
          </div>
        )}
        <button type="submit" className="button primary wide" aria-busy={busy ? 'true' : undefined}>
          Verify
        </button>
      </form>
      {method === 'totp' && canUseRecovery ? (
        <p className="auth-switch">
          <a href={secondFactorUrl('recovery')} onClick={switchTo('recovery')}>
            Use a recovery code instead
          </a>
        </p>
      ) : null}
      {method === 'recovery' && canUseTotp ? (
        <p className="auth-switch">
          <a href={secondFactorUrl('totp')} onClick={switchTo('totp')}>
            Use your authenticator app instead
          </a>
        </p>
      ) : null}
      <form className="auth-switch" method="post" action="/auth/second-factor/cancel">
        <button type="submit" className="button ghost small">
          Cancel and sign in again
        </button>
      </form>
    </div>
  );
}
