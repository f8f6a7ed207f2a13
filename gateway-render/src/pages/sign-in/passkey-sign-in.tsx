import { useCallback, useEffect, useRef, useState } from 'react';
import {
  cancelPasskeyCeremony,
  getPasskeyAssertion,
  passkeyAutofillSupported,
  passkeysSupported,
} from '../../client/webauthn';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '../../client/webauthn';
import { postJson } from '../../shared/browser-fetch';
import { safeReturnTo } from '../../shared/return-to';

/** What the sign-in form hands the passkey sign-in: where to go, and the lifetime chosen. */
export interface PasskeySignInOptions {
  returnTo: string;
  rememberMe: boolean;
  /** The e-mail field: its address (when typed) narrows the passkeys the browser offers. */
  emailInput: () => HTMLInputElement | null;
}

/** What the sign-in page shows of it. */
export interface PasskeySignIn {
  /** The browser can use passkeys: false on the server and until the page script ran. */
  supported: boolean;
  busy: boolean;
  /** Why the last attempt did not sign in, or null. */
  message: string | null;
  /** "Sign in with a passkey": the browser's passkey dialog. */
  start: () => void;
}

type Failed = { ok: false; message: string };
type Step = { ok: true; redirect: string } | Failed;

const UNREACHABLE = 'The server cannot be reached; try again.';

/** `POST /auth/passkey/options`: the API's request options; the challenge is now this browser's. */
async function fetchOptions(
  email: string,
): Promise<{ ok: true; options: PublicKeyCredentialRequestOptionsJSON } | Failed> {
  try {
    const answer = await postJson('/auth/passkey/options', email ? { email } : {});
    const options = answer.body.options as PublicKeyCredentialRequestOptionsJSON | undefined;
    if (answer.status === 200 && options) return { ok: true, options };
    return { ok: false, message: answer.body.error?.message ?? 'Passkeys are not available now.' };
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
}

/** `POST /auth/passkey`: signs in (or on to the second factor) and says where to go. */
async function finish(
  response: AuthenticationResponseJSON,
  returnTo: string,
  rememberMe: boolean,
): Promise<Step> {
  try {
    const answer = await postJson('/auth/passkey', { response, returnTo, rememberMe });
    const redirect = answer.body.redirect;
    if (answer.status === 200 && typeof redirect === 'string') {
      return { ok: true, redirect: safeReturnTo(redirect) };
    }
    return { ok: false, message: answer.body.error?.message ?? 'The passkey sign-in failed.' };
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
}

/**
 * Passkey sign-in for the sign-in page, only where script runs and the browser can use
 * passkeys (the server renders nothing of it, so pages without script keep the password and
 * Google paths). It starts conditional UI at once where the browser has it: the passkeys
 * appear among the e-mail field's suggestions. The button asks the browser's dialog instead
 * (cancelling the waiting autofill request first: one ceremony at a time).
 */
export function usePasskeySignIn(options: PasskeySignInOptions): PasskeySignIn {
  const [supported, setSupported] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // Read when a ceremony ends, which may be long after it started (autofill).
  const latest = useRef(options);
  latest.current = options;
  const autofill = useRef(false);
  const unmounted = useRef(false);

  /** One ceremony, start to end; true when the page is leaving (signed in, or on to a code). */
  const run = useCallback(async (mode: 'autofill' | 'button'): Promise<boolean> => {
    const email = mode === 'button' ? (latest.current.emailInput()?.value.trim() ?? '') : '';
    const fetched = await fetchOptions(email);
    if (!fetched.ok) {
      // Autofill is a bonus: when it cannot start, the button still says why.
      if (mode === 'button') setMessage(fetched.message);
      return false;
    }
    const assertion = await getPasskeyAssertion(fetched.options, { autofill: mode === 'autofill' });
    if (unmounted.current) return false;
    if (!assertion.ok) {
      // Only the button speaks: an autofill request ends quietly (the button or leaving the
      // page cancelled it, or the browser could not offer it), and the form is still there.
      if (mode === 'button') setMessage(assertion.message);
      return false;
    }
    setBusy(true);
    setMessage(null);
    const { returnTo, rememberMe } = latest.current;
    const step = await finish(assertion.response, returnTo, rememberMe);
    if (step.ok) {
      window.location.assign(step.redirect);
      return true;
    }
    setBusy(false);
    setMessage(step.message);
    return false;
  }, []);

  useEffect(() => {
    unmounted.current = false;
    if (!passkeysSupported()) return;
    setSupported(true);
    void passkeyAutofillSupported().then((available) => {
      if (!available || unmounted.current) return;
      autofill.current = true;
      void run('autofill');
    });
    return () => {
      unmounted.current = true;
      cancelPasskeyCeremony();
    };
  }, [run]);

  const start = useCallback(() => {
    if (busy) return;
    cancelPasskeyCeremony();
    setMessage(null);
    void run('button').then((leaving) => {
      // The button's request replaced the autofill one: wait for the suggestions again.
      if (!leaving && autofill.current && !unmounted.current) void run('autofill');
    });
  }, [busy, run]);

  return { supported, busy, message, start };
}

/** The key-shaped mark on the passkey button (decorative). */
function PasskeyIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="9" cy="8" r="4" fill="none" stroke="currentColor" strokeWidth="2" />
      <path
        d="M2 21c0-4 3-7 7-7 1.5 0 2.8.4 3.9 1"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      />
      <circle cx="17.5" cy="14.5" r="2.5" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M17.5 17v5m0-2h2" fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}

/**
 * "Sign in with a passkey" and what the last attempt said, with the "or with your e-mail"
 * divider when nothing above it brings one. Rendered only when supported, after hydration:
 * `data-script-only` tells the browser test's hydration check that the server never had it.
 */
export function PasskeyButton({ passkey, divider }: { passkey: PasskeySignIn; divider: boolean }) {
  return (
    <div className="passkey-sign-in" data-script-only="true">
      <button
        type="button"
        className="button ghost wide passkey-button"
        onClick={passkey.start}
        aria-busy={passkey.busy ? 'true' : undefined}
        data-testid="passkey-sign-in"
      >
        <PasskeyIcon />
        <span>Sign in with a passkey</span>
      </button>
      {passkey.message ? (
        <p role="alert" className="form-error" data-testid="passkey-error">
          {passkey.message}
        </p>
      ) : null}
      {divider ? (
        <p className="divider">
          <span>or with your e-mail</span>
        </p>
      ) : null}
    </div>
  );
}
