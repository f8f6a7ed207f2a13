import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import request from 'supertest';
import { SoftwareAuthenticator } from '../../../../graphql-api/test/software-authenticator';
import type { CookieJar } from '../../../test/helpers/cookie-jar';
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

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false, configureApi: manyAccountsFromOneIp });
});

afterAll(async () => {
  await env.stop();
});

interface Person {
  id: string;
  email: string;
  jar: CookieJar;
  authenticator: SoftwareAuthenticator;
}

async function person(): Promise<Person> {
  const { id, email } = await signUpViaApi(env.api, { name: 'Pass Key' });
  return {
    id,
    email,
    jar: await signedInJar(env.api, email),
    // The "browser" runs on the site's origin: the API expects exactly PUBLIC_ORIGIN.
    authenticator: new SoftwareAuthenticator({ origin: env.config.publicOrigin }),
  };
}

const post = (path: string, jar: CookieJar, fields: Record<string, string> = {}) =>
  formPost(env.app, env.config.publicOrigin, path, jar, fields);
const postJson = (path: string, jar: CookieJar, body: unknown = {}) =>
  jsonPost(env.app, env.config.publicOrigin, path, jar, body);

async function passkeysOf(jar: CookieJar) {
  const result = await callApi<{ passkeys: { id: string; name: string }[] }>(
    env.api,
    '{ passkeys { id name } }',
    {},
    jar.get('access_token'),
  );
  if (!result.data) throw new TypeError(JSON.stringify(result.errors));
  return result.data.passkeys;
}

/** Adds a passkey the way the page script does; the new passkey's id. */
async function addPasskey(
  who: Person,
  name?: string,
  authenticator = who.authenticator,
): Promise<string> {
  const options = await postJson('/account/passkeys/options', who.jar).expect(200);
  const optionsJSON = (options.body as { options: PublicKeyCredentialCreationOptionsJSON }).options;
  const response = authenticator.register(optionsJSON);
  const added = await postJson('/account/passkeys', who.jar, {
    response,
    ...(name ? { name } : {}),
  }).expect(201);
  const body = added.body as { passkey: { id: string }; redirect: string };
  expect(body.redirect).toBe('/account?notice=passkey-added#passkeys');
  return body.passkey.id;
}

async function accountPage(jar: CookieJar, path = '/account') {
  return request(env.app).get(path).set('Cookie', jar.header()).expect(200);
}

describe('passkeys on /account', () => {
  it('says adding one needs JavaScript, and offers no add form in the server markup', async () => {
    const who = await person();
    const page = await accountPage(who.jar);
    expect(page.text).toContain('id="passkeys"');
    expect(page.text).toContain('You have no passkeys yet.');
    expect(page.text).toContain('Adding a passkey needs a browser with JavaScript turned on.');
    expect(page.text).not.toContain('data-testid="add-passkey-form"');
  });

  it('adds one through the JSON routes, then lists it with its times and the sign-out offer', async () => {
    const who = await person();
    // Another device, so the offer to sign it out has something to offer.
    await signedInJar(env.api, who.email);
    const options = await postJson('/account/passkeys/options', who.jar).expect(200);
    expect(options.headers['cache-control']).toBe('no-store');
    const optionsJSON = (options.body as { options: PublicKeyCredentialCreationOptionsJSON })
      .options;
    expect(optionsJSON.rp.id).toBe(new URL(env.config.publicOrigin).hostname);
    expect(optionsJSON.challenge).toMatch(/^[\w-]{16,}$/);

    const added = await postJson('/account/passkeys', who.jar, {
      response: who.authenticator.register(optionsJSON),
      name: 'Work laptop',
    }).expect(201);
    const redirect = (added.body as { redirect: string }).redirect;
    expect(await passkeysOf(who.jar)).toEqual([expect.objectContaining({ name: 'Work laptop' })]);

    const page = await accountPage(who.jar, redirect.split('#')[0]);
    expect(page.text).toContain('Your passkey was added');
    const rows = page.text.match(/<li class="factor" data-testid="passkey"[\s\S]*?<\/li>/g) ?? [];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Work laptop');
    expect(rows[0]).toContain('synced');
    expect(rows[0]).toMatch(/Added<\/dt><dd><time dateTime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(rows[0]).toContain('data-testid="passkey-last-used">never</dd>');
    expect(page.text).toContain('data-testid="sign-out-elsewhere-offer"');
    // Without the notice, no offer: it belongs to the change just made.
    expect((await accountPage(who.jar)).text).not.toContain('sign-out-elsewhere-offer');
  });

  it('renames one with a form; a hostile name stays text', async () => {
    const who = await person();
    const id = await addPasskey(who);
    const hostile = '<img src=x onerror=alert(1)>';
    const res = await post(`/account/passkeys/${id}/rename`, who.jar, { name: hostile }).expect(
      303,
    );
    expect(res.headers.location).toBe('/account?notice=passkey-renamed#passkeys');
    expect(await passkeysOf(who.jar)).toEqual([expect.objectContaining({ id, name: hostile })]);
    const page = await accountPage(who.jar);
    expect(page.text).not.toContain(hostile);
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('refuses an empty or oversized name with the API message, keeping the old one', async () => {
    const who = await person();
    const id = await addPasskey(who, 'Phone');
    for (const name of ['   ', 'x'.repeat(500)]) {
      const res = await post(`/account/passkeys/${id}/rename`, who.jar, { name }).expect(400);
      expect(res.text).toContain('data-testid="form-error"');
      expect(res.text).toContain('id="passkeys"');
    }
    expect(await passkeysOf(who.jar)).toEqual([expect.objectContaining({ name: 'Phone' })]);
  });

  it('removes one with a form (the sign-in just now is the recent sign-in it needs)', async () => {
    const who = await person();
    const id = await addPasskey(who);
    const res = await post(`/account/passkeys/${id}/remove`, who.jar).expect(303);
    expect(res.headers.location).toBe('/account?notice=passkey-removed#passkeys');
    expect(await passkeysOf(who.jar)).toEqual([]);
    const page = await accountPage(who.jar, '/account?notice=passkey-removed');
    expect(page.text).toContain('That passkey was removed');
  });
});

describe("an attacker's tries", () => {
  it("cannot rename or remove another person's passkey by its id", async () => {
    const owner = await person();
    const attacker = await person();
    const id = await addPasskey(owner, 'Owner key');
    await post(`/account/passkeys/${id}/rename`, attacker.jar, { name: 'mine now' }).expect(404);
    await post(`/account/passkeys/${id}/remove`, attacker.jar).expect(404);
    expect(await passkeysOf(owner.jar)).toEqual([
      expect.objectContaining({ id, name: 'Owner key' }),
    ]);
  });

  it('answers 404 for ids that cannot be one, without calling anything', async () => {
    const who = await person();
    for (const id of ['..%2F..%2Fsessions', 'x'.repeat(65), '%3Cscript%3E']) {
      await post(`/account/passkeys/${id}/remove`, who.jar).expect(404);
      await post(`/account/passkeys/${id}/rename`, who.jar, { name: 'a' }).expect(404);
    }
  });

  it('refuses cross-site posts to every passkey route, and changes nothing', async () => {
    const who = await person();
    const id = await addPasskey(who, 'Kept');
    const evil = 'https://evil.example';
    const cross = (path: string) =>
      request(env.app).post(path).set('Cookie', who.jar.header()).set('Origin', evil);
    await cross('/account/passkeys/options').send({}).expect(403);
    await cross('/account/passkeys')
      .send({ response: { id: 'x' } })
      .expect(403);
    await cross(`/account/passkeys/${id}/rename`).type('form').send({ name: 'pwned' }).expect(403);
    await cross(`/account/passkeys/${id}/remove`).type('form').send({}).expect(403);
    // A form post from another site without Origin, as old browsers send it.
    await request(env.app)
      .post(`/account/passkeys/${id}/remove`)
      .set('Cookie', who.jar.header())
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({})
      .expect(403);
    expect(await passkeysOf(who.jar)).toEqual([expect.objectContaining({ id, name: 'Kept' })]);
  });

  it('refuses a forged or replayed registration response, and one sent as a form', async () => {
    const who = await person();
    const options = await postJson('/account/passkeys/options', who.jar).expect(200);
    const optionsJSON = (options.body as { options: PublicKeyCredentialCreationOptionsJSON })
      .options;
    // Another site's origin in clientDataJSON (a phishing page relaying the ceremony).
    const phished = who.authenticator.register(optionsJSON, { origin: 'https://evil.example' });
    const refused = await postJson('/account/passkeys', who.jar, { response: phished }).expect(400);
    expect((refused.body as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    // A challenge this server never handed out.
    const forged = who.authenticator.register(optionsJSON, {
      challenge: Buffer.from('not the challenge at all').toString('base64url'),
    });
    await postJson('/account/passkeys', who.jar, { response: forged }).expect(400);
    // Not JSON: no form can carry a ceremony.
    await post('/account/passkeys', who.jar, { response: '{}' }).expect(400);
    await postJson('/account/passkeys', who.jar, { response: 'a string' }).expect(400);
    expect(await passkeysOf(who.jar)).toEqual([]);

    // The real one with a fresh challenge works once; the same response again does not.
    const fresh = await postJson('/account/passkeys/options', who.jar).expect(200);
    const response = who.authenticator.register(
      (fresh.body as { options: PublicKeyCredentialCreationOptionsJSON }).options,
    );
    await postJson('/account/passkeys', who.jar, { response }).expect(201);
    await postJson('/account/passkeys', who.jar, { response }).expect(400);
    expect(await passkeysOf(who.jar)).toHaveLength(1);
  });

  it("cannot register a response made for another person's challenge", async () => {
    const victim = await person();
    const attacker = await person();
    const options = await postJson('/account/passkeys/options', victim.jar).expect(200);
    const response = attacker.authenticator.register(
      (options.body as { options: PublicKeyCredentialCreationOptionsJSON }).options,
    );
    // The challenge is bound to the victim's session: the attacker's session cannot spend it.
    await postJson('/account/passkeys', attacker.jar, { response }).expect(400);
    expect(await passkeysOf(attacker.jar)).toEqual([]);
  });

  it('sends anonymous scripts to sign in', async () => {
    const res = await request(env.app)
      .post('/account/passkeys/options')
      .set('Origin', env.config.publicOrigin)
      .set('Accept', 'application/json')
      .send({})
      .expect(401);
    expect((res.body as { error: { redirect: string } }).error.redirect).toMatch(/^\/sign-in/);
  });
});

describe('step-up', () => {
  it('a stale session gets REAUTHENTICATION_REQUIRED for the options, naming the page to confirm on', async () => {
    const who = await person();
    await closeStepUpWindow(who.id);
    const res = await postJson('/account/passkeys/options', who.jar).expect(403);
    const error = (res.body as { error: { code: string; methods: string[]; redirect: string } })
      .error;
    expect(error.code).toBe('REAUTHENTICATION_REQUIRED');
    expect(error.methods).toContain('PASSWORD');
    expect(error.redirect).toBe('/account/reauthenticate?action=add-passkey');

    const page = await request(env.app)
      .get(error.redirect)
      .set('Cookie', who.jar.header())
      .expect(200);
    expect(page.text).toContain('To add a passkey, please confirm it is you.');
    const confirmed = await post('/account/reauthenticate', who.jar, {
      ...hiddenFields(page.text, '/account/reauthenticate'),
      password: TEST_PASSWORD,
    }).expect(303);
    expect(confirmed.headers.location).toBe('/account?notice=reauthenticated#passkeys');
    // Back at the button: now it works.
    await addPasskey(who);
  });

  it('removing asks on the spot, keeps the intent in hidden fields (never the password), then removes', async () => {
    const who = await person();
    const id = await addPasskey(who);
    await closeStepUpWindow(who.id);
    const asked = await post(`/account/passkeys/${id}/remove`, who.jar).expect(403);
    expect(asked.text).toContain('To remove a passkey, please confirm it is you.');
    const fields = hiddenFields(asked.text, '/account/reauthenticate');
    expect(fields).toEqual(
      expect.objectContaining({ action: 'remove-passkey', passkeyId: id, returnTo: '/account' }),
    );
    expect(await passkeysOf(who.jar)).toHaveLength(1);

    const wrong = await post('/account/reauthenticate', who.jar, {
      ...fields,
      password: 'not the password',
    }).expect(400);
    expect(wrong.text).not.toContain('not the password');
    expect(wrong.text).toContain('data-testid="password-error"');
    expect(await passkeysOf(who.jar)).toHaveLength(1);

    const done = await post('/account/reauthenticate', who.jar, {
      ...fields,
      password: TEST_PASSWORD,
    }).expect(303);
    expect(done.headers.location).toBe('/account?notice=passkey-removed#passkeys');
    expect(await passkeysOf(who.jar)).toEqual([]);
  });

  it('a passkey confirms it is you too (the page script posts its assertion in the form)', async () => {
    const who = await person();
    const id = await addPasskey(who);
    // A security key of its own: one authenticator holds one passkey per account.
    await addPasskey(who, 'Second', new SoftwareAuthenticator({ origin: env.config.publicOrigin }));
    await closeStepUpWindow(who.id);
    const asked = await post(`/account/passkeys/${id}/remove`, who.jar).expect(403);
    expect(asked.text).toContain('data-testid="reauth-passkey-unavailable"');
    const options = await postJson('/account/reauthenticate/passkey-options', who.jar).expect(200);
    // Signed by the first passkey, the very one being removed: it is still the person's.
    const assertion = who.authenticator.authenticate(
      (options.body as { options: PublicKeyCredentialRequestOptionsJSON }).options,
    );
    await post('/account/reauthenticate', who.jar, {
      ...hiddenFields(asked.text, '/account/reauthenticate'),
      passkeyResponse: JSON.stringify(assertion),
    }).expect(303);
    expect(await passkeysOf(who.jar)).toEqual([expect.objectContaining({ name: 'Second' })]);
  });

  it("re-authenticating does not let the hidden passkeyId reach another person's passkey", async () => {
    const owner = await person();
    const attacker = await person();
    const id = await addPasskey(owner);
    await closeStepUpWindow(attacker.id);
    await post('/account/reauthenticate', attacker.jar, {
      action: 'remove-passkey',
      passkeyId: id,
      password: TEST_PASSWORD,
    }).expect(404);
    expect(await passkeysOf(owner.jar)).toHaveLength(1);
  });
});
