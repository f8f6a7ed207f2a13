import request from 'supertest';
import { startApiProxy } from '../../test/helpers/api-proxy';
import type { ProxiedCall } from '../../test/helpers/api-proxy';
import { signUpViaApi, startRenderTestEnv } from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';

// The API limits sign-in failures per IP. Behind the render server every visitor would share
// the render server's address, so it forwards the browser's own in X-Client-IP. A
// recording pass-through in front of the real API shows what the API receives.

let env: RenderTestEnv;
let proxy: Awaited<ReturnType<typeof startApiProxy>>;
let proxyUrl: string;
let seen: ProxiedCall[];

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false });
  proxy = await startApiProxy(env.api.url);
  proxyUrl = proxy.url;
  seen = proxy.calls;
});

afterAll(async () => {
  await proxy.close();
  await env.stop();
});

beforeEach(() => {
  seen.length = 0;
});

const PASSWORD = 'correct horse battery';

describe('the browser address reaches the API', () => {
  it('is sent as X-Client-IP with sign-in, failed or not', async () => {
    const { email } = await signUpViaApi(env.api, { name: 'Ip Tester', password: PASSWORD });
    const { app } = env.appWith({ API_URL: proxyUrl });

    await request(app)
      .post('/auth/sign-in')
      .set('Accept', 'application/json')
      .auth(email, 'wrong password')
      .send({})
      .expect(401);
    await request(app)
      .post('/auth/sign-in')
      .set('Accept', 'application/json')
      .auth(email, PASSWORD)
      .send({})
      .expect(200);

    const signIns = seen.filter((call) => call.operation === 'SignIn');
    expect(signIns).toHaveLength(2);
    for (const call of signIns) {
      // supertest connects from the loopback address (IPv4, or IPv4-mapped IPv6).
      expect(call.headers['x-client-ip']).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(call.headers['x-api-key']).toBe(env.api.renderApiKey);
    }
  });

  it('is sent with the page queries too', async () => {
    const { app } = env.appWith({ API_URL: proxyUrl });
    await request(app).get('/').expect(200);
    expect(seen.length).toBeGreaterThan(0);
    for (const call of seen) {
      expect(call.headers['x-client-ip']).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
  });
});
