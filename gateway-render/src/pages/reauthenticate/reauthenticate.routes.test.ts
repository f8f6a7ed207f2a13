import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import request from 'supertest';
import { SoftwareAuthenticator } from '../../../../graphql-api/test/software-authenticator';
import { CookieJar } from '../../../test/helpers/cookie-jar';
import { browserRender, serverRoot } from '../../../test/helpers/hydration';
import {
  callApi,
  manyAccountsFromOneIp,
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
} from '../../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../../test/helpers/render-test-env';
import {
  closeStepUpWindow,
  formPost,
  hiddenFields,
  jsonPost,
  signedInJar,
} from '../../../test/helpers/step-up';
import { enableTwoFactor, TestAuthenticatorApp } from '../../../test/helpers/two-factor';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

const post = (path: string, jar: CookieJar, fields: Record<string, string> = {}) =>
  formPost(env.app, env.config.publicOrigin, path, jar, fields);

async function person() {
  const { id, email } = await signUpViaApi(env.api, { name: 'Step Up' });
  return { id, email, jar: await signedInJar(env.api, email) };
}

async function sessionCount(jar: CookieJar): Promise<number> {
  const result = await callApi<{ sessions: unknown[] }>(
    env.api,
    '{ sessions { id } }',
    {},
    jar.get('access_token'),
  );
  return result.data?.sessions.length ?? -1;
}

async function reauthenticatedUntil(jar: CookieJar): Promise<string | null> {
  const result = await callApi<{ accountSecurity: { reauthenticatedUntil: string | null } }>(
    env.api,
    '{ accountSecurity { reauthenticatedUntil } }',
    {},
    jar.get('access_token'),
  );
  if (!result.data) throw new TypeError(JSON.stringify(result.errors));
  return result.data.accountSecurity.reauthenticatedUntil;
}

describe('the routes that already existed now need a recent sign-in', () => {
  it('"Sign out everywhere else" asks first, then signs the others out', async () => {
    const { id, email, jar } = await person();
    await signedInJar(env.api, email);
    await closeStepUpWindow(id);
    const asked = await post('/account/sessions/revoke-others', jar).expect(403);
    expect(asked.text).toContain('To sign out everywhere else, please confirm it is you.');
    expect(await sessionCount(jar)).toBe(2);
    const done = await post('/account/reauthenticate', jar, {
      ...hiddenFields(asked.text, '/account/reauthenticate'),
      password: TEST_PASSWORD,
    }).expect(303);
    expect(done.headers.location).toBe('/account?notice=sessions-revoked&count=1');
    expect(await sessionCount(jar)).toBe(1);
  });

  it('connecting Google asks before leaving for Google, then starts the flow', async () => {
    const { id, jar } = await person();
    const { app } = env.appWith({
      GOOGLE_CLIENT_ID: 'client-id.apps.example',
      GOOGLE_CLIENT_SECRET: 'client-secret',
    });
    const send = (path: string, fields: Record<string, string> = {}) =>
      formPost(app, env.config.publicOrigin, path, jar, fields);
    // Fresh sign-in: straight to Google.
    const fresh = await send('/account/google/connect').expect(302);
    expect(fresh.headers.location).toMatch(/^https:\/\/accounts\.google\.com\//);
    await closeStepUpWindow(id);
    const asked = await send('/account/google/connect').expect(403);
    expect(asked.text).toContain('To connect your Google account, please confirm it is you.');
    const fields = hiddenFields(asked.text, '/account/reauthenticate');
    expect(fields.action).toBe('connect-google');
    const started = await send('/account/reauthenticate', {
      ...fields,
      password: TEST_PASSWORD,
    }).expect(302);
    expect(started.headers.location).toMatch(/^https:\/\/accounts\.google\.com\//);
  });

  it('so does disconnecting Google', async () => {
    const { id, jar } = await person();
    await closeStepUpWindow(id);
    const asked = await post('/account/google/disconnect', jar).expect(403);
    expect(hiddenFields(asked.text, '/account/reauthenticate').action).toBe('disconnect-google');
  });
});

describe('/account/reauthenticate', () => {
  it('shows the ways this account has, and only known changes', async () => {
    const { jar } = await person();
    const page = await request(env.app)
      .get('/account/reauthenticate?action=revoke-other-sessions')
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('data-testid="reauth-password"');
    expect(page.text).not.toContain('data-testid="reauth-code"');
    expect(page.text).toContain('href="/account#sessions"');
    expect(browserRender(page.text)).toBe(serverRoot(page.text));

    for (const query of [
      'action=drop-database',
      'action=remove-passkey',
      'action=remove-passkey&passkeyId=%3Cx%3E',
      '',
    ]) {
      await request(env.app)
        .get(`/account/reauthenticate?${query}`)
        .set('Cookie', jar.header())
        .expect(404);
    }
    const anonymous = await request(env.app)
      .get('/account/reauthenticate?action=add-passkey')
      .expect(303);
    expect(anonymous.headers.location).toMatch(/^\/sign-in\?returnTo=/);
  });

  it('refuses a post without proof or with an unknown change', async () => {
    const { id, jar } = await person();
    await closeStepUpWindow(id);
    const empty = await post('/account/reauthenticate', jar, {
      action: 'revoke-other-sessions',
    }).expect(400);
    expect(empty.text).toContain('Enter your password or a code');
    await post('/account/reauthenticate', jar, {
      action: 'format-disk',
      password: TEST_PASSWORD,
    }).expect(400);
    expect(await reauthenticatedUntil(jar)).toBeNull();
  });

  it('a wrong password changes nothing and is never shown again', async () => {
    const { id, email, jar } = await person();
    await signedInJar(env.api, email);
    await closeStepUpWindow(id);
    const wrong = await post('/account/reauthenticate', jar, {
      action: 'revoke-other-sessions',
      password: 'hunter2 is not it',
    }).expect(400);
    expect(wrong.text).not.toContain('hunter2 is not it');
    expect(wrong.text).toContain('data-testid="password-error"');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(await reauthenticatedUntil(jar)).toBeNull();
    expect(await sessionCount(jar)).toBe(2);
  });

  it('takes a code from the app or a recovery code (each recovery code once)', async () => {
    const { id, email } = await person();
    const { app, recoveryCodes } = await enableTwoFactor(env.api, email);
    // Two-factor is on: this browser signs in with its password and a code.
    const jar = await signedInWithCode(email, await app.nextCode());
    await closeStepUpWindow(id);
    const asked = await post('/account/sessions/revoke-others', jar).expect(403);
    expect(asked.text).toContain('data-testid="reauth-code"');
    expect(asked.text).toContain('data-testid="reauth-recovery-code"');
    expect(browserRender(asked.text)).toBe(serverRoot(asked.text));
    const fields = hiddenFields(asked.text, '/account/reauthenticate');

    await post('/account/reauthenticate', jar, { ...fields, code: await app.nextCode() }).expect(
      303,
    );
    await closeStepUpWindow(id);
    const code = recoveryCodes[0] ?? '';
    await post('/account/reauthenticate', jar, { ...fields, recoveryCode: code }).expect(303);
    await closeStepUpWindow(id);
    const reused = await post('/account/reauthenticate', jar, {
      ...fields,
      recoveryCode: code,
    }).expect(400);
    expect(reused.text).toContain('data-testid="reauth-recovery-code"');
    expect(await reauthenticatedUntil(jar)).toBeNull();
  });

  it('refuses a tampered passkey assertion', async () => {
    const { id, jar } = await person();
    const authenticator = new SoftwareAuthenticator({ origin: env.config.publicOrigin });
    const options = await jsonPost(
      env.app,
      env.config.publicOrigin,
      '/account/passkeys/options',
      jar,
    ).expect(200);
    const response = authenticator.register(
      (options.body as { options: PublicKeyCredentialCreationOptionsJSON }).options,
    );
    await jsonPost(env.app, env.config.publicOrigin, '/account/passkeys', jar, { response }).expect(
      201,
    );
    await closeStepUpWindow(id);
    const requestOptions = await jsonPost(
      env.app,
      env.config.publicOrigin,
      '/account/reauthenticate/passkey-options',
      jar,
    ).expect(200);
    const optionsJSON = (requestOptions.body as { options: PublicKeyCredentialRequestOptionsJSON })
      .options;
    for (const tamper of ['signature', 'clientDataJSON'] as const) {
      const assertion = authenticator.authenticate(optionsJSON, { tamper });
      await post('/account/reauthenticate', jar, {
        action: 'revoke-other-sessions',
        passkeyResponse: JSON.stringify(assertion),
      }).expect(400);
    }
    await post('/account/reauthenticate', jar, {
      action: 'revoke-other-sessions',
      passkeyResponse: '{not json',
    }).expect(400);
    expect(await reauthenticatedUntil(jar)).toBeNull();
  });

  it('refuses cross-site posts: no re-authentication, no change', async () => {
    const { id, email, jar } = await person();
    await signedInJar(env.api, email);
    await closeStepUpWindow(id);
    for (const path of ['/account/reauthenticate', '/account/reauthenticate/passkey-options']) {
      await request(env.app)
        .post(path)
        .set('Cookie', jar.header())
        .set('Origin', 'https://evil.example')
        .type('form')
        .send({ action: 'revoke-other-sessions', password: TEST_PASSWORD })
        .expect(403);
    }
    expect(await reauthenticatedUntil(jar)).toBeNull();
    expect(await sessionCount(jar)).toBe(2);
  });
});

describe('the new pages hydrate to the same markup', () => {
  it('/account with passkeys, two-factor on and the offer; the set-up and the codes pages', async () => {
    const { email, jar } = await person();
    await signedInJar(env.api, email);
    const authenticator = new SoftwareAuthenticator({ origin: env.config.publicOrigin });
    const options = await jsonPost(
      env.app,
      env.config.publicOrigin,
      '/account/passkeys/options',
      jar,
    ).expect(200);
    await jsonPost(env.app, env.config.publicOrigin, '/account/passkeys', jar, {
      response: authenticator.register(
        (options.body as { options: PublicKeyCredentialCreationOptionsJSON }).options,
      ),
      name: 'Laptop',
    }).expect(201);
    const setup = await post('/account/two-factor/start', jar).expect(200);
    expect(browserRender(setup.text)).toBe(serverRoot(setup.text));
    const secret = /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)?.[1] ?? '';
    const codes = await post('/account/two-factor/confirm', jar, {
      ...hiddenFields(setup.text, '/account/two-factor/confirm'),
      code: await new TestAuthenticatorApp(secret.replace(/ /g, '')).nextCode(),
    }).expect(200);
    expect(serverRoot(codes.text)).toContain('data-testid="recovery-codes"');
    expect(browserRender(codes.text)).toBe(serverRoot(codes.text));
    const account = await request(env.app)
      .get('/account?notice=two-factor-on')
      .set('Cookie', jar.header())
      .expect(200);
    expect(serverRoot(account.text)).toContain('data-testid="sign-out-elsewhere-offer"');
    expect(serverRoot(account.text)).toContain('Laptop');
    expect(serverRoot(account.text)).toContain('data-testid="two-factor-state">on</span>');
    expect(browserRender(account.text)).toBe(serverRoot(account.text));
  });
});

/** Signs in at the API with the password and then the code (two-factor on); the cookies. */
async function signedInWithCode(email: string, code: string): Promise<CookieJar> {
  const first = await callApi<{ signIn: { challengeId?: string } }>(
    env.api,
    `mutation ($input: SignInInput!) {
      signIn(input: $input) { ... on MfaRequired { challengeId } }
    }`,
    { input: { email, password: TEST_PASSWORD } },
  );
  const challengeId = first.data?.signIn.challengeId;
  if (!challengeId) throw new TypeError(`no MfaRequired: ${JSON.stringify(first)}`);
  const second = await callApi<{
    verifySecondFactor: { accessToken: string; refreshToken: string };
  }>(
    env.api,
    `mutation ($input: VerifySecondFactorInput!) {
      verifySecondFactor(input: $input) { accessToken refreshToken }
    }`,
    { input: { challengeId, code } },
  );
  const payload = second.data?.verifySecondFactor;
  if (!payload) throw new TypeError(`verifySecondFactor refused: ${JSON.stringify(second)}`);
  const jar = new CookieJar();
  jar.set('access_token', payload.accessToken);
  jar.set('refresh_token', payload.refreshToken);
  return jar;
}
