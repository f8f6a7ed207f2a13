import { startDevInbox } from './dev-inbox';
import type { DevInbox } from './dev-inbox';
import { reserveClosedPort, uniqueAddress } from './mail.testing';
import { createSmtpMailer, isPermanentSmtpError } from './mailer';

const mail = (to: string) => ({
  from: 'Movie catalog <no-reply@movie-catalog.test>',
  to,
  subject: 'Subject',
  text: 'Plain https://movies.example.test/a',
  html: '<p>Rich</p>',
  messageId: '<0123456789abcdef01234567@movie-catalog>',
});

describe('createSmtpMailer against a real SMTP server', () => {
  let inbox: DevInbox;
  const refused = uniqueAddress('refused');
  beforeAll(async () => {
    inbox = await startDevInbox({ port: 0, rejectRecipient: (address) => address === refused });
  });
  afterAll(() => inbox.stop());

  it('sends both parts and keeps the Message-ID it was given', async () => {
    const mailer = createSmtpMailer(inbox.url);
    const to = uniqueAddress();
    await mailer.send(mail(to));
    mailer.close();
    const received = await inbox.waitFor((item) => item.to.includes(to));
    expect(received).toMatchObject({
      messageId: '<0123456789abcdef01234567@movie-catalog>',
      subject: 'Subject',
      text: 'Plain https://movies.example.test/a',
      html: '<p>Rich</p>',
    });
  });

  it('reports a refused recipient as a permanent error (550)', async () => {
    const mailer = createSmtpMailer(inbox.url);
    const error: unknown = await mailer.send(mail(refused)).then(
      () => null,
      (failure: unknown) => failure,
    );
    mailer.close();
    expect(error).toMatchObject({ responseCode: 550 });
    expect(isPermanentSmtpError(error)).toBe(true);
  });

  it('reports a server that is down as a temporary error', async () => {
    const port = await reserveClosedPort();
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`);
    const error: unknown = await mailer.send(mail(uniqueAddress())).then(
      () => null,
      (failure: unknown) => failure,
    );
    mailer.close();
    // Connection refused: nodemailer's socket error, with no SMTP reply code.
    expect(error).toMatchObject({
      code: 'ESOCKET',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(error).not.toHaveProperty('responseCode');
    expect(isPermanentSmtpError(error)).toBe(false);
  });
});

describe('isPermanentSmtpError', () => {
  it.each([
    [{ responseCode: 550 }, true],
    [{ responseCode: 552 }, true],
    [{ responseCode: 554 }, true],
    // Bad sequence of commands: the session's fault, not the mail's.
    [{ responseCode: 503 }, false],
    [{ responseCode: 421 }, false],
    [{ responseCode: 451 }, false],
    [{ code: 'ETIMEDOUT' }, false],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), false],
    [{ responseCode: '550' }, false],
    [null, false],
    ['550 no', false],
  ])('%p → %p', (error, permanent) => {
    expect(isPermanentSmtpError(error)).toBe(permanent);
  });
});
