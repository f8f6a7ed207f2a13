import { isPasskeyHost, passkeyErrorMessage } from './webauthn';

describe('isPasskeyHost', () => {
  it('takes domains and localhost, never an IP address', () => {
    for (const host of ['localhost', 'movies.example.com', 'example.co', 'a-b.example']) {
      expect([host, isPasskeyHost(host)]).toEqual([host, true]);
    }
    for (const host of ['127.0.0.1', '10.0.0.12', '[::1]', '::1', 'example', '', '-x.example']) {
      expect([host, isPasskeyHost(host)]).toEqual([host, false]);
    }
  });
});

describe('passkeyErrorMessage', () => {
  it("reads the browser's errors as sentences, cancel and timeout as cancelled", () => {
    const named = (name: string, code?: string) => Object.assign(new Error('x'), { name, code });
    expect(passkeyErrorMessage(named('NotAllowedError'), 'sign-in')).toEqual({
      cancelled: true,
      message: expect.stringContaining('cancelled or timed out'),
    });
    expect(
      passkeyErrorMessage(named('AbortError', 'ERROR_CEREMONY_ABORTED'), 'sign-in').cancelled,
    ).toBe(true);
    expect(
      passkeyErrorMessage(
        named('InvalidStateError', 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED'),
        'registration',
      ),
    ).toEqual({ cancelled: false, message: expect.stringContaining('already holds a passkey') });
    expect(
      passkeyErrorMessage(named('SecurityError', 'ERROR_INVALID_DOMAIN'), 'sign-in').message,
    ).toMatch(/address/);
    // Anything else still says something a person can act on, never the raw error.
    const unknown = passkeyErrorMessage(new TypeError('internal detail'), 'registration');
    expect(unknown.cancelled).toBe(false);
    expect(unknown.message).not.toContain('internal detail');
  });
});
