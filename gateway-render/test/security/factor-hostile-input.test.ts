import request from 'supertest';
import { SoftwareAuthenticator } from '../../../graphql-api/test/software-authenticator';
import { CookieJar } from '../helpers/cookie-jar';
import {
  manyAccountsFromOneIp,
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
} from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';
import { closeStepUpWindow, formPost, jsonPost, signedInJar } from '../helpers/step-up';
import { enableTwoFactor, enableTwoFactorAs } from '../helpers/two-factor';

// Issue 14 site review: hostile input and cross-browser use of the issue-14 routes.

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

const origin = () => env.config.publicOrigin;

async function passwordStep(email: string, returnTo = '/my-list'): Promise<CookieJar> {
  const jar = new CookieJar();
  const res = await request(env.app)
    .post('/auth/sign-in')
    .type('form')
    .send({ email, password: TEST_PASSWORD, returnTo })
    .expect(303);
  expect(res.headers.location).toBe('/sign-in/second-factor');
  jar.update(res.headers['set-cookie']);
  return jar;
}

describe('hostile bodies never make a 500', () => {
  it('second factor, passkey sign-in, reauthenticate, two-factor and passkey forms', async () => {
    const { id, email } = await signUpViaApi(env.api, { name: 'Hostile Input' });
    const jar = await signedInJar(env.api, email);
    const statuses: Record<string, number> = {};
    const record = async (name: string, run: () => Promise<{ status: number }>) => {
      statuses[name] = (await run()).status;
    };
    await record('passkey options email array', () =>
      jsonPost(env.app, origin(), '/auth/passkey/options', new CookieJar(), { email: ['a@b.c'] }),
    );
    await record('passkey response string', () =>
      jsonPost(env.app, origin(), '/auth/passkey', new CookieJar(), { response: 'x' }),
    );
    await record('passkey clientData null', () =>
      jsonPost(env.app, origin(), '/auth/passkey', new CookieJar(), {
        response: { response: { clientDataJSON: Buffer.from('null').toString('base64url') } },
      }),
    );
    await record('second factor challengeId object', () =>
      jsonPost(env.app, origin(), '/auth/second-factor', new CookieJar(), {
        challengeId: { $ne: null },
        code: '123456',
      }),
    );
    await record('second factor bogus challengeId', () =>
      jsonPost(env.app, origin(), '/auth/second-factor', new CookieJar(), {
        challengeId: 'x'.repeat(100),
        code: '123456',
      }),
    );
    await record('second factor code array (form)', async () =>
      request(env.app)
        .post('/auth/second-factor')
        .set('Origin', origin())
        .type('form')
        .send('code=1&code=2'),
    );
    await record('reauthenticate action array', async () =>
      request(env.app)
        .post('/account/reauthenticate')
        .set('Cookie', jar.header())
        .set('Origin', origin())
        .type('form')
        .send('action=disable-two-factor&action=x&password=y'),
    );
    await record('reauthenticate passkeyResponse garbage', () =>
      formPost(env.app, origin(), '/account/reauthenticate', jar, {
        action: 'revoke-other-sessions',
        passkeyResponse: '{"response":{"clientDataJSON":"x"}}',
      }),
    );
    await record('reauthenticate code without totp', () =>
      formPost(env.app, origin(), '/account/reauthenticate', jar, {
        action: 'revoke-other-sessions',
        code: '123456',
      }),
    );
    await record('reauthenticate recovery code without totp', () =>
      formPost(env.app, origin(), '/account/reauthenticate', jar, {
        action: 'revoke-other-sessions',
        recoveryCode: 'aaaa-bbbb-cccc',
      }),
    );
    await record('reauth passkey options without passkeys', () =>
      jsonPost(env.app, origin(), '/account/reauthenticate/passkey-options', jar, {}),
    );
    await record('confirm without enrolment', () =>
      formPost(env.app, origin(), '/account/two-factor/confirm', jar, { code: '123456' }),
    );
    await record('disable two-factor when off', () =>
      formPost(env.app, origin(), '/account/two-factor/disable', jar),
    );
    await record('recovery codes when off', () =>
      formPost(env.app, origin(), '/account/two-factor/recovery-codes', jar),
    );
    await record('providers when off', () =>
      formPost(env.app, origin(), '/account/two-factor/providers', jar, { required: 'true' }),
    );
    await record('register passkey garbage', () =>
      jsonPost(env.app, origin(), '/account/passkeys', jar, { response: { id: 1 } }),
    );
    await record('rename unknown passkey', () =>
      formPost(env.app, origin(), '/account/passkeys/aaaaaaaaaaaaaaaaaaaaaaaa/rename', jar, {
        name: 'x',
      }),
    );
    await record('remove unknown passkey', () =>
      formPost(env.app, origin(), '/account/passkeys/aaaaaaaaaaaaaaaaaaaaaaaa/remove', jar),
    );
    await closeStepUpWindow(id);
    await record('remove unknown passkey, window closed', () =>
      formPost(env.app, origin(), '/account/passkeys/aaaaaaaaaaaaaaaaaaaaaaaa/remove', jar),
    );
    const fivehundreds = Object.entries(statuses).filter(([, status]) => status >= 500);
    expect(fivehundreds).toEqual([]);
  });
});

describe('the second-factor step', () => {
  it('sign-out forgets a pending second-factor challenge (shared computer)', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Shared Computer' });
    await enableTwoFactor(env.api, email);
    const jar = await passwordStep(email);
    const out = await request(env.app)
      .post('/auth/sign-out')
      .set('Cookie', jar.header())
      .set('Origin', origin())
      .type('form')
      .send({});
    jar.update(out.headers['set-cookie']);
    const page = await request(env.app).get('/sign-in/second-factor').set('Cookie', jar.header());
    expect(page.status).toBe(303);
  });

  it('a browser form post cannot name a challenge id its cookie does not hold (login CSRF primitive)', async () => {
    // The attacker's own password step: their challenge id, from the JSON answer.
    const attacker = await signUpViaApi(env.api, { name: 'Attacker' });
    const { app } = await enableTwoFactor(env.api, attacker.email);
    const json = await request(env.app)
      .post('/auth/sign-in')
      .set('Accept', 'application/json')
      .send({ email: attacker.email, password: TEST_PASSWORD })
      .expect(401);
    const challengeId = (json.body as { challengeId: string }).challengeId;
    // A plain browser form post (no cookie of that challenge) naming it.
    const res = await request(env.app)
      .post('/auth/second-factor')
      .set('Origin', origin())
      .type('form')
      .send({ challengeId, code: await app.nextCode() });
    // Only a JSON client may bring its own challenge id: a form post without the cookie is an
    // expired sign-in, and sets no session of the attacker's account in this browser.
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(setCookies.some((cookie) => cookie.startsWith('access_token='))).toBe(false);
  });
});

describe('step-up page and recovery codes', () => {
  it('a cross-site link does not open a pre-armed "turn off two-factor" confirmation', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Linked Victim' });
    const jar = await signedInJar(env.api, email);
    await enableTwoFactorAs(env.api, jar.get('access_token') ?? '');
    const res = await request(env.app)
      .get('/account/reauthenticate?action=disable-two-factor')
      .set('Cookie', jar.header())
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Sec-Fetch-Mode', 'navigate');
    // Back to /account, nothing armed (it used to render the confirm page for the attacker's
    // chosen action, one password away from turning two-factor off).
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account#two-factor');
  });

  it('recovery codes and the TOTP secret pages are no-store', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'No Store' });
    const jar = await signedInJar(env.api, email);
    await enableTwoFactorAs(env.api, jar.get('access_token') ?? '');
    const codes = await formPost(env.app, origin(), '/account/two-factor/recovery-codes', jar);
    expect(codes.status).toBe(200);
    expect(codes.headers['cache-control']).toBe('no-store');
  });
});

describe('passkey sign-in challenge bound to this browser', () => {
  it('another browser cannot answer a challenge handed to this one', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Passkey Owner' });
    const jar = await signedInJar(env.api, email);
    const authenticator = new SoftwareAuthenticator({ origin: origin() });
    const regOptions = await jsonPost(env.app, origin(), '/account/passkeys/options', jar).expect(
      200,
    );
    const registration = authenticator.register((regOptions.body as { options: never }).options);
    await jsonPost(env.app, origin(), '/account/passkeys', jar, { response: registration }).expect(
      201,
    );

    const victim = new CookieJar();
    const options = await jsonPost(env.app, origin(), '/auth/passkey/options', victim, {}).expect(
      200,
    );
    victim.update(options.headers['set-cookie']);
    const assertion = authenticator.authenticate((options.body as { options: never }).options);
    const other = new CookieJar();
    const otherOptions = await jsonPost(env.app, origin(), '/auth/passkey/options', other, {});
    other.update(otherOptions.headers['set-cookie']);
    const res = await jsonPost(env.app, origin(), '/auth/passkey', other, { response: assertion });
    expect(res.status).toBe(400);
    const ok = await jsonPost(env.app, origin(), '/auth/passkey', victim, { response: assertion });
    expect(ok.status).toBe(200);
  });
});
