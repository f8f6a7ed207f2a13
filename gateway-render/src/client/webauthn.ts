import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';

// The page script's passkey helpers (sign-in on /sign-in, registration on /account), around
// @simplewebauthn/browser: they never throw, and turn the browser's WebAuthn errors into
// sentences a person can act on. Import them only where they run in the browser (effects and
// event handlers): on the server there is no `navigator.credentials`.

export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
};

/** A ceremony's outcome: the authenticator's response, or why there is none. */
export type PasskeyResult<T> =
  | { ok: true; response: T }
  | {
      ok: false;
      /**
       * The person cancelled or let it time out, or the page started another ceremony: say
       * nothing loud (at most the message, politely), and let them try again.
       */
      cancelled: boolean;
      message: string;
    };

/**
 * Whether `hostname` can be a WebAuthn relying party id: a domain (`localhost` included),
 * never an IP address, which browsers refuse with a SecurityError.
 */
export function isPasskeyHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (hostname.startsWith('[') || hostname.includes(':')) return false; // IPv6
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname)) return false; // IPv4
  return /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$/i.test(hostname);
}

/**
 * Whether passkeys can work here: WebAuthn in a secure context, on a site reached by its
 * domain name (on an IP address no ceremony can succeed, so no passkey UI is offered).
 */
export function passkeysSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    isPasskeyHost(window.location.hostname) &&
    browserSupportsWebAuthn()
  );
}

/** Whether the browser offers passkeys in the e-mail field's autofill (conditional UI). */
export async function passkeyAutofillSupported(): Promise<boolean> {
  if (!passkeysSupported()) return false;
  try {
    return await browserSupportsWebAuthnAutofill();
  } catch {
    return false;
  }
}

/** Ends a pending ceremony (e.g. the autofill one, before the button starts its own). */
export function cancelPasskeyCeremony(): void {
  WebAuthnAbortService.cancelCeremony();
}

type Ceremony = 'sign-in' | 'registration';

/** The readable reason a ceremony failed; `cancelled` for the person's own "no". */
export function passkeyErrorMessage(
  error: unknown,
  ceremony: Ceremony,
): { cancelled: boolean; message: string } {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (code === 'ERROR_CEREMONY_ABORTED' || name === 'AbortError') {
    return { cancelled: true, message: 'The passkey request was cancelled.' };
  }
  if (name === 'NotAllowedError') {
    // What browsers raise for "Cancel", a timeout, or no passkey chosen: the spec's catch-all.
    return {
      cancelled: true,
      message:
        ceremony === 'sign-in'
          ? 'No passkey was used: the request was cancelled or timed out. Try again, or sign in with your password.'
          : 'No passkey was created: the request was cancelled or timed out. Try again when you are ready.',
    };
  }
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') {
    return {
      cancelled: false,
      message: 'This device or password manager already holds a passkey for your account.',
    };
  }
  if (
    code === 'ERROR_INVALID_DOMAIN' ||
    code === 'ERROR_INVALID_RP_ID' ||
    name === 'SecurityError'
  ) {
    return {
      cancelled: false,
      message:
        'Passkeys do not work on this address: the site must be opened at its own https address.',
    };
  }
  if (
    code === 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT' ||
    code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT' ||
    code === 'ERROR_AUTHENTICATOR_NO_SUPPORTED_PUBKEYCREDPARAMS_ALG' ||
    name === 'NotSupportedError' ||
    name === 'ConstraintError'
  ) {
    return {
      cancelled: false,
      message:
        'This security key or device cannot hold a passkey for this site. Try another one, such as your phone or your password manager.',
    };
  }
  return {
    cancelled: false,
    message:
      ceremony === 'sign-in'
        ? 'The passkey could not be used. Try again, or sign in with your password.'
        : 'The passkey could not be created. Please try again.',
  };
}

function failed<T>(error: unknown, ceremony: Ceremony): PasskeyResult<T> {
  return { ok: false, ...passkeyErrorMessage(error, ceremony) };
}

/**
 * Asks the browser for a passkey assertion for `optionsJSON` (the API's
 * `passkeySignInOptions`). With `autofill`, the request waits in the background and the
 * browser offers the passkeys in the e-mail field's suggestions (conditional UI: the field
 * needs `autocomplete="username webauthn"`).
 */
export async function getPasskeyAssertion(
  optionsJSON: PublicKeyCredentialRequestOptionsJSON,
  options: { autofill?: boolean } = {},
): Promise<PasskeyResult<AuthenticationResponseJSON>> {
  if (!passkeysSupported()) {
    return { ok: false, cancelled: false, message: 'This browser cannot use passkeys.' };
  }
  try {
    const response = await startAuthentication({
      optionsJSON,
      useBrowserAutofill: options.autofill === true,
    });
    return { ok: true, response };
  } catch (error) {
    return failed(error, 'sign-in');
  }
}

/**
 * Asks the browser to create a passkey for `optionsJSON` (the API's
 * `passkeyRegistrationOptions`): what `registerPasskey` then takes.
 */
export async function createPasskey(
  optionsJSON: PublicKeyCredentialCreationOptionsJSON,
): Promise<PasskeyResult<RegistrationResponseJSON>> {
  if (!passkeysSupported()) {
    return { ok: false, cancelled: false, message: 'This browser cannot create passkeys.' };
  }
  try {
    const response = await startRegistration({ optionsJSON });
    return { ok: true, response };
  } catch (error) {
    return failed(error, 'registration');
  }
}
