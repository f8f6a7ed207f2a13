import type { TestApi } from 'graphql-api/testing';
import { Secret, TOTP } from 'otpauth';
import { callApi, TEST_PASSWORD } from './render-test-env';

/** RFC 6238 as authenticator apps (and the API) use it: SHA-1, 6 digits, 30 s. */
const PERIOD_SECONDS = 30;

/** An authenticator app for one secret: it never shows the same time step's code twice. */
export class TestAuthenticatorApp {
  private readonly totp: TOTP;
  /** The API accepts each time step once: the steps already spent (enrolment, sign-ins). */
  private readonly used = new Set<number>();

  constructor(readonly secret: string) {
    this.totp = new TOTP({
      secret: Secret.fromBase32(secret),
      algorithm: 'SHA1',
      digits: 6,
      period: PERIOD_SECONDS,
    });
  }

  /**
   * A code the API accepts now: the previous step's, the current one's or the next one's
   * (±1 step of drift is allowed), the earliest not yet spent, else it waits for a fresh
   * step. Each step's code is handed out once, in increasing order.
   */
  async nextCode(): Promise<string> {
    for (;;) {
      const step = Math.floor(Date.now() / 1000 / PERIOD_SECONDS);
      // Neither the previous nor the current step when this one ends within 3 s: the request
      // might arrive in the next, where the previous step is out of the window.
      const leftMs = PERIOD_SECONDS * 1000 - (Date.now() % (PERIOD_SECONDS * 1000));
      const candidates = leftMs > 3000 ? [step - 1, step, step + 1] : [step + 1];
      // Later than every step spent: the API may refuse any step up to the last one used.
      const last = Math.max(-1, ...this.used);
      const free = candidates.find((candidate) => candidate > last);
      if (free !== undefined) {
        this.used.add(free);
        return this.totp.generate({ timestamp: free * PERIOD_SECONDS * 1000 });
      }
      await new Promise((resolve) => setTimeout(resolve, leftMs + 50));
    }
  }

  /** A 6-digit code wrong at every step the API could accept. */
  wrongCode(): string {
    const now = Date.now();
    const near = new Set(
      [-2, -1, 0, 1, 2].map((offset) =>
        this.totp.generate({ timestamp: now + offset * PERIOD_SECONDS * 1000 }),
      ),
    );
    for (let candidate = 0; ; candidate += 1) {
      const code = String(candidate).padStart(6, '0');
      if (!near.has(code)) return code;
    }
  }
}

type ApiResult<T> = Awaited<ReturnType<typeof callApi<T>>>;

function dataOf<T>(result: ApiResult<T>, what: string): T {
  if (!result.data) throw new TypeError(`${what} refused: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Signs in at the API directly (setting up); the access token (two-factor must be off). */
export async function accessTokenOf(
  api: TestApi,
  email: string,
  password = TEST_PASSWORD,
): Promise<string> {
  const data = dataOf(
    await callApi<{ signIn: { __typename: string; accessToken?: string } }>(
      api,
      `mutation ($input: SignInInput!) {
        signIn(input: $input) { __typename ... on AuthPayload { accessToken } }
      }`,
      { input: { email, password } },
    ),
    'signIn',
  );
  if (!data.signIn.accessToken) throw new TypeError(`signIn answered ${data.signIn.__typename}`);
  return data.signIn.accessToken;
}

/**
 * Turns two-factor on for an account at the API (setting up, not the behaviour under test):
 * a sign-in (which opens the 5-minute step-up window), the enrolment, its confirming code.
 * Returns the app holding the secret and the 10 recovery codes.
 */
export async function enableTwoFactor(
  api: TestApi,
  email: string,
  password = TEST_PASSWORD,
): Promise<{ app: TestAuthenticatorApp; recoveryCodes: string[] }> {
  return enableTwoFactorAs(api, await accessTokenOf(api, email, password));
}

/**
 * {@link enableTwoFactor} for whoever `token` belongs to (signed in less than 5 minutes ago,
 * e.g. with Google); `forProviders` also asks for a code after a Google sign-in.
 */
export async function enableTwoFactorAs(
  api: TestApi,
  token: string,
  options: { forProviders?: boolean } = {},
): Promise<{ app: TestAuthenticatorApp; recoveryCodes: string[] }> {
  const started = dataOf(
    await callApi<{ startTotpEnrollment: { secret: string } }>(
      api,
      'mutation { startTotpEnrollment { secret } }',
      {},
      token,
    ),
    'startTotpEnrollment',
  );
  const app = new TestAuthenticatorApp(started.startTotpEnrollment.secret.replace(/\s+/g, ''));
  const confirmed = dataOf(
    await callApi<{ confirmTotpEnrollment: { codes: string[] } }>(
      api,
      'mutation ($code: String!) { confirmTotpEnrollment(code: $code) { codes } }',
      { code: await app.nextCode() },
      token,
    ),
    'confirmTotpEnrollment',
  );
  if (options.forProviders) {
    dataOf(
      await callApi<{ setTwoFactorForProviders: { requiredForProviders: boolean } }>(
        api,
        'mutation { setTwoFactorForProviders(required: true) { requiredForProviders } }',
        {},
        token,
      ),
      'setTwoFactorForProviders',
    );
  }
  return { app, recoveryCodes: confirmed.confirmTotpEnrollment.codes };
}
