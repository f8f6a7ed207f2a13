import { connect } from 'node:net';
import request from 'supertest';
import { signUpWithForm, waitForMail } from '../../../test/helpers/account-flows';
import { startRenderTestEnv, uniqueEmail } from '../../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../../test/helpers/render-test-env';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv({}, { seedMovies: false });
});

afterAll(async () => {
  await env.stop();
});

/**
 * Delivers a raw message to the API's test inbox over SMTP (one command per reply), as any
 * sender on the network could: the inbox shows whatever arrives.
 */
async function deliver(port: number, to: string, message: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      const onData = (chunk: string) => {
        buffer += chunk;
        // A complete reply ends with a line "NNN text" (not "NNN-text").
        const lines = buffer.split('\r\n');
        const last = lines.findIndex((line) => /^\d{3} /.test(line));
        if (last === -1) return;
        socket.off('data', onData);
        const text = lines.slice(0, last + 1).join('\n');
        buffer = lines.slice(last + 1).join('\r\n');
        if (/^[45]/.test(text.split('\n').at(-1) ?? '')) reject(new Error(text));
        else resolve(text);
      };
      socket.on('data', onData);
    });
  await reply();
  for (const command of [
    'EHLO test',
    'MAIL FROM:<attacker@evil.example>',
    `RCPT TO:<${to}>`,
    'DATA',
  ]) {
    socket.write(`${command}\r\n`);
    await reply();
  }
  socket.write(`${message.replace(/\n/g, '\r\n')}\r\n.\r\n`);
  await reply();
  socket.end('QUIT\r\n');
}

describe('/dev/mail', () => {
  it('lists the inbox newest first, with the plain text and its links clickable', async () => {
    const email = uniqueEmail('inbox');
    await signUpWithForm(env.app, { name: 'In Box', email });
    const mail = await waitForMail(env.api, email, /Confirm your e-mail address/);
    const link = mail.links.find((href) => href.includes('/verify-email?token='));
    expect(link).toMatch(/^http:\/\/render\.test\/verify-email\?token=/);

    const page = await request(env.app).get('/dev/mail').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Development inbox');
    expect(page.text).toContain(`<span data-testid="mail-to">${email}</span>`);
    expect(page.text).toContain(escape(mail.subject));
    expect(page.text).toContain(`<a href="${escape(link ?? '')}" rel="noreferrer">`);
    expect(page.text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    // The text part, not the HTML one (whose inline styles would be here otherwise).
    expect(page.text).not.toContain('border-radius:6px');

    // Newest first: a second mail comes before the first.
    const second = uniqueEmail('inbox2');
    await signUpWithForm(env.app, { name: 'Later', email: second });
    await waitForMail(env.api, second, /Confirm your e-mail address/);
    const later = await request(env.app).get('/dev/mail').expect(200);
    expect(later.text.indexOf(second)).toBeLessThan(later.text.indexOf(email));
  });

  it('never injects a hostile mail: its HTML is dropped, only http(s) text becomes a link', async () => {
    const to = uniqueEmail('hostile');
    const boundary = 'b0undary';
    await deliver(
      env.api.mailbox.port,
      to,
      [
        'From: Mallory <attacker@evil.example>',
        `To: ${to}`,
        'Subject: <img src=x onerror=alert(1)> urgent',
        'MIME-Version: 1.0',
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Click javascript:alert(1) or <script>alert(2)</script>',
        'or data:text/html,<b>x</b> or https://example.com/ok?a=1&b=2.',
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p onclick="alert(3)">html part</p><script>alert(4)</script>',
        `--${boundary}--`,
      ].join('\n'),
    );
    await env.api.mailbox.waitFor((mail) => mail.to.includes(to));

    const page = await request(env.app).get('/dev/mail').expect(200);
    const article = /<article[^>]*>(?:(?!<\/article>)[\s\S])*hostile[\s\S]*?<\/article>/.exec(
      page.text,
    )?.[0];
    expect(article).toBeDefined();
    expect(article).toContain('&lt;img src=x onerror=alert(1)&gt; urgent');
    expect(article).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(article).toContain('<a href="https://example.com/ok?a=1&amp;b=2" rel="noreferrer">');
    expect(article).not.toMatch(/href="(javascript|data):/);
    expect(article).not.toContain('html part');
    expect(page.text).not.toMatch(/<script>alert|<img src=x|onclick=/);
  });

  it('does not exist in production', async () => {
    const { app } = env.appWith({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://render.test' });
    const res = await request(app).get('/dev/mail').expect(404);
    expect(res.text).not.toContain('Development inbox');
  });

  it('answers 503 when the API cannot be reached', async () => {
    const { app } = env.appWith({ API_URL: 'http://127.0.0.1:9/graphql' });
    await request(app).get('/dev/mail').expect(503);
  });
});

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
