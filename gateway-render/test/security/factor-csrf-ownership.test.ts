import request from 'supertest';
import { SoftwareAuthenticator } from '../../../graphql-api/test/software-authenticator';
import type { CookieJar } from '../helpers/cookie-jar';
import {
  callApi,
  manyAccountsFromOneIp,
  signUpViaApi,
  startRenderTestEnv,
} from '../helpers/render-test-env';
import type { RenderTestEnv } from '../helpers/render-test-env';
import { formPost, jsonPost, signedInJar } from '../helpers/step-up';

// Issue 14 site review: checks that held, kept as regression tests.

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

const origin = () => env.config.publicOrigin;

async function withPasskey(name: string): Promise<{ jar: CookieJar; passkeyId: string }> {
  const { email } = await signUpViaApi(env.api, { name });
  const jar = await signedInJar(env.api, email);
  const authenticator = new SoftwareAuthenticator({ origin: origin() });
  const options = await jsonPost(env.app, origin(), '/account/passkeys/options', jar).expect(200);
  const response = authenticator.register((options.body as { options: never }).options);
  const added = await jsonPost(env.app, origin(), '/account/passkeys', jar, {
    response,
    name: '<img src=x onerror=alert(1)>',
  }).expect(201);
  return { jar, passkeyId: (added.body as { passkey: { id: string } }).passkey.id };
}

describe('cross-site posts to the new routes are refused', () => {
  const routes = [
    '/auth/passkey/options',
    '/auth/passkey',
    '/auth/second-factor',
    '/account/reauthenticate',
    '/account/reauthenticate/passkey-options',
    '/account/passkeys/options',
    '/account/passkeys',
    '/account/two-factor/start',
    '/account/two-factor/confirm',
    '/account/two-factor/disable',
    '/account/two-factor/recovery-codes',
    '/account/two-factor/providers',
  ];
  it.each(routes)(
    '%s: text/plain JSON from another origin, and Origin null cross-site',
    async (path) => {
      const jar = await signedInJar(env.api, (await signUpViaApi(env.api, { name: 'C' })).email);
      const foreign = await request(env.app)
        .post(path)
        .set('Cookie', jar.header())
        .set('Origin', 'https://evil.example')
        .set('Content-Type', 'text/plain')
        .send('{"action":"disable-two-factor"}');
      expect(foreign.status).toBe(403);
      const opaque = await request(env.app)
        .post(path)
        .set('Cookie', jar.header())
        .set('Origin', 'null')
        .set('Sec-Fetch-Site', 'cross-site')
        .type('form')
        .send({ action: 'disable-two-factor', password: 'x' });
      expect(opaque.status).toBe(403);
    },
  );
});

describe("one person's session and another's passkeys", () => {
  it('cannot rename or remove (step-up open) a passkey of someone else', async () => {
    const victim = await withPasskey('Victim');
    const attacker = await withPasskey('Attacker');
    const rename = await formPost(
      env.app,
      origin(),
      `/account/passkeys/${victim.passkeyId}/rename`,
      attacker.jar,
      { name: 'pwned' },
    );
    expect(rename.status).toBe(404);
    const remove = await formPost(
      env.app,
      origin(),
      `/account/passkeys/${victim.passkeyId}/remove`,
      attacker.jar,
    );
    expect(remove.status).toBe(404);
    const viaStepUp = await formPost(env.app, origin(), '/account/reauthenticate', attacker.jar, {
      action: 'remove-passkey',
      passkeyId: victim.passkeyId,
      password: 'correct horse battery',
    });
    expect(viaStepUp.status).toBe(404);
    const left = await callApi<{ passkeys: { id: string; name: string }[] }>(
      env.api,
      '{ passkeys { id name } }',
      {},
      victim.jar.get('access_token'),
    );
    expect(left.data?.passkeys).toEqual([
      { id: victim.passkeyId, name: '<img src=x onerror=alert(1)>' },
    ]);
    // The name is text on the account page, never markup.
    const page = await request(env.app).get('/account').set('Cookie', victim.jar.header());
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x');
  });
});
