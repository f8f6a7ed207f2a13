import { createServer } from 'node:net';
import { createSmtpMailer } from './mailer';
import { startDevInbox } from './dev-inbox';
import type { DevInbox } from './dev-inbox';
import { extractLinks } from './dev-inbox';
import { LEVEL, captureLogger, uniqueAddress } from './mail.testing';

async function send(inbox: DevInbox, to: string, subject: string, text = 'Hello'): Promise<void> {
  const mailer = createSmtpMailer(inbox.url);
  try {
    await mailer.send({
      from: 'Movie catalog <no-reply@movie-catalog.test>',
      to,
      subject,
      text,
      html: `<p>${subject}</p>`,
      messageId: `<${subject.replace(/\W/g, '')}@movie-catalog>`,
    });
  } finally {
    mailer.close();
  }
}

describe('startDevInbox', () => {
  it('keeps parsed mails newest first, with their links, and logs each at info without them', async () => {
    const logs = captureLogger();
    const inbox = await startDevInbox({ port: 0, logger: logs.logger });
    try {
      expect(inbox.url).toBe(`smtp://127.0.0.1:${inbox.port}`);
      const to = uniqueAddress();
      await send(
        inbox,
        to,
        'First',
        'Go to https://a.example.test/x?token=1. Or (https://b.example.test/y)!',
      );
      await send(inbox, to, 'Second');
      const [newest, oldest] = inbox.messages();
      expect(newest?.subject).toBe('Second');
      expect(oldest).toMatchObject({
        subject: 'First',
        to: [to],
        html: '<p>First</p>',
        links: ['https://a.example.test/x?token=1', 'https://b.example.test/y'],
        messageId: '<First@movie-catalog>',
      });
      expect(oldest?.from).toContain('no-reply@movie-catalog.test');
      expect(oldest?.receivedAt).toBeInstanceOf(Date);
      expect(newest?.id).not.toBe(oldest?.id);
      expect(logs.lines.filter((line) => line.level === LEVEL.info)).toHaveLength(2);
      // The links carry single-use tokens: never in the log.
      expect(JSON.stringify(logs.lines)).not.toContain('token=1');

      inbox.clear();
      expect(inbox.messages()).toEqual([]);
    } finally {
      await inbox.stop();
    }
  });

  it('drops the oldest mails past maxMessages', async () => {
    const inbox = await startDevInbox({ port: 0, maxMessages: 2 });
    try {
      const to = uniqueAddress();
      for (const subject of ['One', 'Two', 'Three']) await send(inbox, to, subject);
      expect(inbox.messages().map((mail) => mail.subject)).toEqual(['Three', 'Two']);
    } finally {
      await inbox.stop();
    }
  });

  it('waitFor resolves with a past match at once and with a future one when it arrives', async () => {
    const inbox = await startDevInbox({ port: 0 });
    try {
      const past = uniqueAddress('past');
      await send(inbox, past, 'Past');
      await expect(inbox.waitFor((mail) => mail.to.includes(past), 1)).resolves.toMatchObject({
        subject: 'Past',
      });

      const future = uniqueAddress('future');
      const waiting = inbox.waitFor((mail) => mail.to.includes(future));
      await send(inbox, future, 'Future');
      await expect(waiting).resolves.toMatchObject({ subject: 'Future', to: [future] });
    } finally {
      await inbox.stop();
    }
  });

  it('waitFor rejects after its timeout, listing what was received', async () => {
    const inbox = await startDevInbox({ port: 0 });
    try {
      await send(inbox, uniqueAddress(), 'Something else');
      await expect(inbox.waitFor(() => false, 50)).rejects.toThrow(
        /no matching mail within 50 ms; received 1 \(newest first\):\n.*Something else/,
      );
    } finally {
      await inbox.stop();
    }
  });

  it('rejects pending waitFor calls when stopped', async () => {
    const inbox = await startDevInbox({ port: 0 });
    const waiting = inbox.waitFor(() => true);
    await inbox.stop();
    await expect(waiting).rejects.toThrow('Dev inbox: stopped');
  });

  it('refuses a recipient with 550 when asked to', async () => {
    const refused = uniqueAddress('refused');
    const inbox = await startDevInbox({
      port: 0,
      rejectRecipient: (address) => address === refused,
    });
    try {
      await expect(send(inbox, refused, 'Nope')).rejects.toMatchObject({ responseCode: 550 });
      expect(inbox.messages()).toEqual([]);
    } finally {
      await inbox.stop();
    }
  });

  it('refuses a mail over 1 MB', async () => {
    const inbox = await startDevInbox({ port: 0 });
    try {
      const big = 'x'.repeat(76).concat('\n').repeat(14_000);
      await expect(send(inbox, uniqueAddress(), 'Big', big)).rejects.toMatchObject({
        responseCode: 552,
      });
      expect(inbox.messages()).toEqual([]);
    } finally {
      await inbox.stop();
    }
  });

  it('rejects with a clear error when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const address = blocker.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    try {
      await expect(startDevInbox({ port })).rejects.toThrow(
        `Dev inbox: port ${port} on 127.0.0.1 is already in use`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('extractLinks', () => {
  it('finds http(s) URLs only, without trailing punctuation, each once', () => {
    expect(
      extractLinks(
        'See https://x.test/a?b=1&c=2, then http://y.test/. Not ftp://z.test or mailto:a@b.test. Again https://x.test/a?b=1&c=2',
      ),
    ).toEqual(['https://x.test/a?b=1&c=2', 'http://y.test/']);
  });
});
