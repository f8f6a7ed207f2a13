import { renderToString } from 'react-dom/server';
import request from 'supertest';
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
  signedInJar,
} from '../../../test/helpers/step-up';
import { TestAuthenticatorApp } from '../../../test/helpers/two-factor';
import { TwoFactorSetupPage } from './two-factor.page';
import { qrCodeDataUri } from './two-factor-render';

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
  const { id, email } = await signUpViaApi(env.api, { name: 'Two Factor' });
  return { id, email, jar: await signedInJar(env.api, email) };
}

interface Status {
  enabled: boolean;
  recoveryCodesLeft: number;
  requiredForProviders: boolean;
}

async function statusOf(jar: CookieJar): Promise<Status> {
  const result = await callApi<{ accountSecurity: { twoFactor: Status } }>(
    env.api,
    '{ accountSecurity { twoFactor { enabled recoveryCodesLeft requiredForProviders } } }',
    {},
    jar.get('access_token'),
  );
  if (!result.data) throw new TypeError(JSON.stringify(result.errors));
  return result.data.accountSecurity.twoFactor;
}

/** The key the set-up page shows, without the spaces that group it. */
function secretOn(html: string): string {
  const match = /data-testid="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(html);
  if (!match?.[1]) throw new TypeError('no secret on the page');
  return match[1].replace(/ /g, '');
}

function codesOn(html: string): string[] {
  const list = /data-testid="recovery-codes">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<code>([^<]+)<\/code>/g)].map((match) => match[1] ?? '');
}

/** Turns two-factor on through the site's forms; the app holding the secret and the codes. */
async function turnOn(jar: CookieJar): Promise<{ app: TestAuthenticatorApp; codes: string[] }> {
  const setup = await post('/account/two-factor/start', jar).expect(200);
  const app = new TestAuthenticatorApp(secretOn(setup.text));
  const confirmed = await post('/account/two-factor/confirm', jar, {
    ...hiddenFields(setup.text, '/account/two-factor/confirm'),
    code: await app.nextCode(),
  }).expect(200);
  return { app, codes: codesOn(confirmed.text) };
}

describe('turning two-factor on', () => {
  it('shows the QR code as an image of the API SVG, the key, and a code field; nothing is on yet', async () => {
    const { jar } = await person();
    const account = await request(env.app).get('/account').set('Cookie', jar.header()).expect(200);
    expect(account.text).toContain('id="two-factor"');
    expect(account.text).toContain('data-testid="two-factor-state">off</span>');
    expect(account.text).toContain('action="/account/two-factor/start"');

    const setup = await post('/account/two-factor/start', jar).expect(200);
    expect(setup.headers['cache-control']).toBe('no-store');
    const src = /<img class="qr-code" src="(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+)"/.exec(
      setup.text,
    )?.[1];
    expect(src).toBeDefined();
    const svg = Buffer.from(src?.split(',')[1] ?? '', 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg[\s>]/);
    // The SVG is only inside the image: none of its markup is part of the page.
    expect(setup.text).not.toContain(svg.slice(0, 80));
    expect(secretOn(setup.text)).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.text).toContain('name="code"');
    expect(setup.text).toContain('autoComplete="one-time-code"');
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ enabled: false }));
  });

  it('a wrong code shows the form again with the message and the key; two-factor stays off', async () => {
    const { jar } = await person();
    const setup = await post('/account/two-factor/start', jar).expect(200);
    const app = new TestAuthenticatorApp(secretOn(setup.text));
    const fields = hiddenFields(setup.text, '/account/two-factor/confirm');
    const wrong = await post('/account/two-factor/confirm', jar, {
      ...fields,
      code: app.wrongCode(),
    }).expect(400);
    expect(wrong.text).toContain('data-testid="code-error"');
    expect(wrong.text).toContain('aria-invalid="true"');
    expect(secretOn(wrong.text)).toBe(fields.secret);
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ enabled: false }));

    // The key shown again still works: the API kept the pending secret.
    const confirmed = await post('/account/two-factor/confirm', jar, {
      ...hiddenFields(wrong.text, '/account/two-factor/confirm'),
      code: await app.nextCode(),
    }).expect(200);
    expect(codesOn(confirmed.text)).toHaveLength(10);
  });

  it('the right code turns it on and shows the 10 recovery codes once, never again', async () => {
    const { jar } = await person();
    const { codes } = await turnOn(jar);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    const account = await request(env.app)
      .get('/account?notice=two-factor-on')
      .set('Cookie', jar.header())
      .expect(200);
    expect(account.text).toContain('data-testid="two-factor-state">on</span>');
    expect(account.text).toContain('data-testid="recovery-codes-left">10</dd>');
    expect(account.text).toContain('data-testid="totp-last-used"><time');
    expect(account.text).toContain('data-testid="recovery-code-last-used">never</dd>');
    expect(account.text).toContain('Two-factor authentication is on');
    for (const code of codes) expect(account.text).not.toContain(code);
    expect(await statusOf(jar)).toEqual(
      expect.objectContaining({ enabled: true, recoveryCodesLeft: 10 }),
    );
  });

  it('the recovery codes page warns, offers the codes as text and a download, and is never stored', async () => {
    const { jar } = await person();
    const setup = await post('/account/two-factor/start', jar).expect(200);
    const app = new TestAuthenticatorApp(secretOn(setup.text));
    const page = await post('/account/two-factor/confirm', jar, {
      ...hiddenFields(setup.text, '/account/two-factor/confirm'),
      code: await app.nextCode(),
    }).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('they are shown only this once');
    const codes = codesOn(page.text);
    const download =
      /href="data:text\/plain;charset=utf-8,([^"]+)" download="recovery-codes.txt"/.exec(
        page.text,
      )?.[1];
    expect(decodeURIComponent(download ?? '')).toBe(codes.join('\n') + '\n');
    expect(page.text).toContain('href="/account?notice=two-factor-on#two-factor"');
  });
});

describe('with two-factor on', () => {
  it('new recovery codes replace the old ones', async () => {
    const { jar } = await person();
    const { codes } = await turnOn(jar);
    const fresh = await post('/account/two-factor/recovery-codes', jar).expect(200);
    const next = codesOn(fresh.text);
    expect(next).toHaveLength(10);
    expect(next.some((code) => codes.includes(code))).toBe(false);
    expect(fresh.text).toContain('href="/account?notice=recovery-codes-new#two-factor"');
  });

  it('asks for a code after Google only when the box is ticked', async () => {
    const { jar } = await person();
    await turnOn(jar);
    const on = await post('/account/two-factor/providers', jar, { required: 'true' }).expect(303);
    expect(on.headers.location).toBe('/account?notice=two-factor-providers-on#two-factor');
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ requiredForProviders: true }));
    // The choice is offered where Google sign-in is set up (or already connected).
    const plain = await request(env.app).get('/account').set('Cookie', jar.header()).expect(200);
    expect(plain.text).not.toContain('name="required"');
    const withGoogle = env.appWith({
      GOOGLE_CLIENT_ID: 'client-id.apps.example',
      GOOGLE_CLIENT_SECRET: 'client-secret',
    }).app;
    const page = await request(withGoogle).get('/account').set('Cookie', jar.header()).expect(200);
    expect(page.text).toContain('Also ask for a code after signing in with Google');
    expect(page.text).toMatch(/data-testid="two-factor-providers" name="required" checked=""/);
    // An unticked box sends nothing.
    const off = await post('/account/two-factor/providers', jar).expect(303);
    expect(off.headers.location).toBe('/account?notice=two-factor-providers-off#two-factor');
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ requiredForProviders: false }));
  });

  it('turns off, then offers to sign out everywhere else', async () => {
    const { email, jar } = await person();
    // Another device, signed in before two-factor was on.
    await signedInJar(env.api, email);
    await turnOn(jar);
    const res = await post('/account/two-factor/disable', jar).expect(303);
    expect(res.headers.location).toBe('/account?notice=two-factor-off#two-factor');
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ enabled: false }));
    const page = await request(env.app)
      .get('/account?notice=two-factor-off')
      .set('Cookie', jar.header())
      .expect(200);
    expect(page.text).toContain('Two-factor authentication is off.');
    expect(page.text).toContain('data-testid="two-factor-state">off</span>');
    expect(page.text).toContain('data-testid="sign-out-elsewhere-offer"');
  });

  it('refuses starting again while on, on the account page', async () => {
    const { jar } = await person();
    await turnOn(jar);
    const again = await post('/account/two-factor/start', jar).expect(409);
    expect(again.text).toContain('turn it off first');
    expect(again.text).toContain('id="two-factor"');
  });
});

describe('step-up', () => {
  it('a stale session is asked on the spot; the right password goes straight to the set-up', async () => {
    const { id, jar } = await person();
    await closeStepUpWindow(id);
    const asked = await post('/account/two-factor/start', jar).expect(403);
    expect(asked.text).toContain('To turn on two-factor authentication, please confirm it is you.');
    const fields = hiddenFields(asked.text, '/account/reauthenticate');
    expect(fields.action).toBe('start-two-factor');
    const setup = await post('/account/reauthenticate', jar, {
      ...fields,
      password: TEST_PASSWORD,
    }).expect(200);
    expect(secretOn(setup.text)).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('turning off, new codes and the Google choice each need it; a code from the app confirms', async () => {
    const { id, jar } = await person();
    const { app } = await turnOn(jar);
    await closeStepUpWindow(id);
    for (const path of [
      '/account/two-factor/disable',
      '/account/two-factor/recovery-codes',
      '/account/two-factor/providers',
    ]) {
      const asked = await post(path, jar, { required: 'true' }).expect(403);
      expect(asked.text).toContain('data-testid="reauth-code"');
    }
    expect(await statusOf(jar)).toEqual(
      expect.objectContaining({ enabled: true, requiredForProviders: false }),
    );
    const asked = await post('/account/two-factor/disable', jar).expect(403);
    const done = await post('/account/reauthenticate', jar, {
      ...hiddenFields(asked.text, '/account/reauthenticate'),
      code: await app.nextCode(),
    }).expect(303);
    expect(done.headers.location).toBe('/account?notice=two-factor-off#two-factor');
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ enabled: false }));
  });
});

describe("an attacker's tries", () => {
  it('refuses cross-site posts to every two-factor route, and changes nothing', async () => {
    const { jar } = await person();
    await turnOn(jar);
    for (const path of [
      '/account/two-factor/start',
      '/account/two-factor/confirm',
      '/account/two-factor/disable',
      '/account/two-factor/recovery-codes',
      '/account/two-factor/providers',
    ]) {
      await request(env.app)
        .post(path)
        .set('Cookie', jar.header())
        .set('Origin', 'https://evil.example')
        .type('form')
        .send({ required: 'true', code: '123456' })
        .expect(403);
    }
    expect(await statusOf(jar)).toEqual(
      expect.objectContaining({
        enabled: true,
        recoveryCodesLeft: 10,
        requiredForProviders: false,
      }),
    );
  });

  it('never echoes a tampered secret or deadline from the confirm form', async () => {
    const { jar } = await person();
    await post('/account/two-factor/start', jar).expect(200);
    const hostile = '"><script>alert(1)</script>';
    const res = await post('/account/two-factor/confirm', jar, {
      secret: hostile,
      expiresAt: hostile,
      code: '000000',
    }).expect(400);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(await statusOf(jar)).toEqual(expect.objectContaining({ enabled: false }));
  });

  it('keeps QR markup out of the page: only an SVG becomes an image, and an image runs nothing', () => {
    expect(qrCodeDataUri('<script>alert(1)</script>')).toBeNull();
    expect(qrCodeDataUri('<img src=x onerror=alert(1)>')).toBeNull();
    expect(qrCodeDataUri('text<svg></svg>')).toBeNull();
    const hostileSvg =
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>';
    const uri = qrCodeDataUri(hostileSvg);
    expect(uri).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/);
    const html = renderToString(
      <TwoFactorSetupPage
        setup={{
          secret: 'JBSWY3DPEHPK3PXP',
          qrCode: uri,
          expiresAt: new Date().toISOString(),
          fields: {},
        }}
      />,
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('onload');
    expect(html).toContain(`<img class="qr-code" src="${uri ?? ''}"`);
  });
});
