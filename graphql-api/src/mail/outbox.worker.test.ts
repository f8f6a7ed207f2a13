import { trusted } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { createLogger } from '../logger';
import { uniqueDbName } from '../testing';
import { startDevInbox } from './dev-inbox';
import type { DevInbox, ReceivedMail } from './dev-inbox';
import type { ComposedMail, MailComposer, Mailer, QueuedMessage } from './mail.types';
import { LEVEL, captureLogger, reserveClosedPort, uniqueAddress, waitUntil } from './mail.testing';
import { createSmtpMailer } from './mailer';
import { OutboxMessageModel } from './outbox.model';
import type { OutboxMessage } from './outbox.model';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox.worker';
import type { OutboxWorkerOptions } from './outbox.worker';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('mail') }));
afterAll(() => disconnectDatabase());

const FROM = 'Movie catalog <no-reply@movie-catalog.test>';

/** Renders `data.subject` (or a default) and puts a tokened link in both parts. */
const composer: MailComposer = {
  async compose(message: QueuedMessage): Promise<ComposedMail> {
    const link = `https://movies.example.test/verify?token=SECRET-${message.id}`;
    return {
      subject: message.data.subject ?? `Mail ${message.template}`,
      text: `Hello,\n\nOpen ${link} to continue.\n`,
      html: `<p>Hello,</p><p><a href="${link}">Continue</a></p>`,
    };
  },
};

/** Everything a test started, stopped after it whatever happened. */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function inbox(options: Parameters<typeof startDevInbox>[0] = {}): Promise<DevInbox> {
  const started = await startDevInbox({ port: 0, ...options });
  cleanups.push(() => started.stop());
  return started;
}

function smtpMailer(url: string): Mailer {
  const mailer = createSmtpMailer(url, { timeoutMs: 2000 });
  cleanups.push(() => mailer.close());
  return mailer;
}

function worker(
  outbox: OutboxService,
  mailer: Mailer,
  options: Partial<OutboxWorkerOptions> & { composer?: MailComposer } = {},
): OutboxWorker {
  const { composer: ownComposer, ...rest } = options;
  const started = new OutboxWorker(outbox, ownComposer ?? composer, mailer, {
    from: FROM,
    logger: createLogger('silent'),
    // Long: only kicks and drain() move these workers, unless a test says otherwise.
    pollIntervalMs: 60_000,
    ...rest,
  });
  cleanups.push(() => started.stop());
  return started;
}

function outboxOf(to: string): Promise<OutboxMessage | null> {
  return OutboxMessageModel.findOne({ to }).lean<OutboxMessage>();
}

const to = (address: string) => (mail: ReceivedMail) => mail.to.includes(address);
const mailsTo = (box: DevInbox, address: string) => box.messages().filter(to(address));

describe('OutboxWorker against a real SMTP inbox and the real database', () => {
  it('delivers an enqueued message at once, exactly once, with both parts, and marks it sent', async () => {
    const box = await inbox();
    const outbox = new OutboxService();
    const sender = worker(outbox, smtpMailer(box.url));
    sender.start();
    const address = uniqueAddress('delivered');

    await outbox.enqueue({ template: 'welcome', to: address, data: { subject: 'Welcome!' } });
    // The poll is a minute away: only the enqueue's kick can have sent it this soon.
    const mail = await box.waitFor(to(address), 5000);
    await sender.drain();

    const stored = await outboxOf(address);
    expect(stored).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null });
    expect(stored?.sentAt).toBeInstanceOf(Date);
    expect(stored?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect(mail).toMatchObject({
      to: [address],
      subject: 'Welcome!',
      messageId: `<${stored?._id.toHexString()}@movie-catalog>`,
    });
    expect(mail.from).toContain('no-reply@movie-catalog.test');
    expect(mail.from).toContain('Movie catalog');
    expect(mail.text).toContain('Open https://movies.example.test/verify?token=SECRET-');
    expect(mail.html).toContain('<a href="https://movies.example.test/verify?token=SECRET-');
    expect(mail.links).toEqual([`https://movies.example.test/verify?token=SECRET-${stored?._id}`]);
    expect(mailsTo(box, address)).toHaveLength(1);
  });

  it('keeps a message pending while SMTP is down and delivers it once the server is back', async () => {
    const port = await reserveClosedPort();
    const outbox = new OutboxService();
    const sender = worker(outbox, smtpMailer(`smtp://127.0.0.1:${port}`), {
      backoffMs: () => 20,
      pollIntervalMs: 10,
    });
    sender.start();
    const address = uniqueAddress('smtp-down');
    await outbox.enqueue({ template: 'welcome', to: address });

    const waiting = await waitUntil(
      () => outboxOf(address),
      (doc) => doc?.status === 'pending' && doc.attempts > 1,
    );
    expect(waiting).toMatchObject({ status: 'pending', sentAt: null });
    expect(waiting?.lastError).toMatch(/^ESOCKET: .*ECONNREFUSED/);

    // The server comes up on the very port the worker keeps trying.
    const box = await inbox({ port });
    await box.waitFor(to(address));
    const sent = await waitUntil(
      () => outboxOf(address),
      (doc) => doc?.status === 'sent',
    );
    expect(sent?.attempts).toBeGreaterThan(waiting?.attempts ?? 0);
    await sender.drain();
    expect(mailsTo(box, address)).toHaveLength(1);
  });

  it('sends what was enqueued while no worker ran (a crash between the write and the send)', async () => {
    const box = await inbox();
    const address = uniqueAddress('no-worker');
    // The request that wrote the message had no worker, or its process died right after.
    await new OutboxService().enqueue({ template: 'welcome', to: address });
    expect(await outboxOf(address)).toMatchObject({ status: 'pending', attempts: 0 });

    const later = worker(new OutboxService(), smtpMailer(box.url));
    later.start();
    await box.waitFor(to(address));
    await later.drain();
    expect(await outboxOf(address)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(mailsTo(box, address)).toHaveLength(1);
  });

  it('takes over a message whose sender died mid-send (expired lock), but not one still locked', async () => {
    const box = await inbox();
    const crashed = uniqueAddress('crashed');
    const busy = uniqueAddress('busy');
    const past = new Date(Date.now() - 1000);
    await OutboxMessageModel.create([
      { template: 'welcome', to: crashed, status: 'sending', attempts: 1, lockedUntil: past },
      {
        template: 'welcome',
        to: busy,
        status: 'sending',
        attempts: 1,
        lockedUntil: new Date(Date.now() + 3600_000),
      },
    ]);
    cleanups.push(async () => {
      await OutboxMessageModel.deleteMany({ to: busy });
    });

    const rescuer = worker(new OutboxService(), smtpMailer(box.url));
    await rescuer.drain();

    expect(await outboxOf(crashed)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(mailsTo(box, crashed)).toHaveLength(1);
    // A live worker's claim is respected: never sent twice in parallel.
    expect(await outboxOf(busy)).toMatchObject({ status: 'sending', attempts: 1 });
    expect(mailsTo(box, busy)).toHaveLength(0);
  });

  it('gives up a message whose senders kept dying mid-send, without sending it again', async () => {
    const box = await inbox();
    const poison = uniqueAddress('poison');
    const logs = captureLogger();
    await OutboxMessageModel.create({
      template: 'welcome',
      to: poison,
      status: 'sending',
      attempts: 3,
      lockedUntil: new Date(Date.now() - 1000),
    });
    const sender = worker(new OutboxService(), smtpMailer(box.url), {
      logger: logs.logger,
      maxAttempts: 3,
    });
    await sender.drain();

    expect(await outboxOf(poison)).toMatchObject({ status: 'failed', attempts: 4 });
    expect(mailsTo(box, poison)).toHaveLength(0);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: LEVEL.error, attempts: 4 }));
  });

  it('with two workers on one database, each of 20 messages arrives exactly once', async () => {
    const box = await inbox();
    const first = new OutboxService();
    const second = new OutboxService();
    const sentBy = { first: 0, second: 0 };
    const counting = (name: keyof typeof sentBy, mailer: Mailer): Mailer => ({
      async send(mail) {
        await mailer.send(mail);
        sentBy[name] += 1;
      },
      close: () => mailer.close(),
    });
    const workers = [
      worker(first, counting('first', smtpMailer(box.url)), { pollIntervalMs: 5 }),
      worker(second, counting('second', smtpMailer(box.url)), { pollIntervalMs: 5 }),
    ];
    for (const started of workers) started.start();

    const addresses = Array.from({ length: 20 }, (_, i) => uniqueAddress(`pair-${i}`));
    // Both services enqueue, so both workers get kicked and race for the same messages.
    await Promise.all(
      addresses.map((address, i) =>
        (i % 2 === 0 ? first : second).enqueue({ template: 'welcome', to: address }),
      ),
    );
    await waitUntil(
      async () =>
        OutboxMessageModel.countDocuments({ to: trusted({ $in: addresses }), status: 'sent' }),
      (count) => count === 20,
    );
    await Promise.all(workers.map((started) => started.drain()));

    for (const address of addresses) expect(mailsTo(box, address)).toHaveLength(1);
    const ids = box
      .messages()
      .filter((mail) => addresses.some((address) => mail.to.includes(address)))
      .map((mail) => mail.messageId);
    expect(new Set(ids).size).toBe(20);
    expect(sentBy.first + sentBy.second).toBe(20);
  });

  it('marks a permanently refused message failed after one attempt and logs it at error, without the mail', async () => {
    const refused = uniqueAddress('refused');
    const box = await inbox({ rejectRecipient: (address) => address === refused });
    const logs = captureLogger();
    const sender = worker(new OutboxService(), smtpMailer(box.url), {
      logger: logs.logger,
      backoffMs: () => 0,
    });
    await new OutboxService().enqueue({ template: 'welcome', to: refused });
    await sender.drain();

    const stored = await outboxOf(refused);
    expect(stored).toMatchObject({ status: 'failed', attempts: 1, sentAt: null });
    expect(stored?.lastError).toContain('550');
    expect(stored?.expiresAt).toBeInstanceOf(Date);
    expect(mailsTo(box, refused)).toHaveLength(0);
    const failure = logs.lines.find((line) => line.outboxId === stored?._id.toHexString());
    expect(failure).toMatchObject({ level: LEVEL.error, permanent: true, attempts: 1 });
    expect(logs.raw()).not.toContain('SECRET');
    expect(logs.raw()).not.toContain('Hello,');
  });

  it('marks a message skipped and sends nothing when the composer returns null', async () => {
    const box = await inbox();
    const address = uniqueAddress('skipped');
    const sender = worker(new OutboxService(), smtpMailer(box.url), {
      composer: { compose: async () => null },
    });
    await new OutboxService().enqueue({ template: 'obsolete', to: address });
    await sender.drain();

    const stored = await outboxOf(address);
    expect(stored).toMatchObject({ status: 'skipped', attempts: 1, sentAt: null });
    expect(stored?.expiresAt).toBeInstanceOf(Date);
    expect(mailsTo(box, address)).toHaveLength(0);
  });

  it('retries after a composer error (logged at warn) and sends on the next attempt', async () => {
    const box = await inbox();
    const address = uniqueAddress('compose-retry');
    const logs = captureLogger();
    let calls = 0;
    const flaky: MailComposer = {
      async compose(message) {
        calls += 1;
        if (calls === 1) throw new Error('user lookup timed out');
        return composer.compose(message);
      },
    };
    const sender = worker(new OutboxService(), smtpMailer(box.url), {
      composer: flaky,
      logger: logs.logger,
      backoffMs: () => 30,
      pollIntervalMs: 10,
    });
    await new OutboxService().enqueue({ template: 'welcome', to: address });
    sender.start();

    const after = await waitUntil(
      () => outboxOf(address),
      (doc) => doc?.status === 'sent',
    );
    expect(after).toMatchObject({ attempts: 2, lastError: 'user lookup timed out' });
    await sender.drain();
    expect(mailsTo(box, address)).toHaveLength(1);
    const retry = logs.lines.find((line) => line.level === LEVEL.warn);
    expect(retry).toMatchObject({ attempts: 1, error: 'user lookup timed out', retryInMs: 30 });
  });

  it('gives a message up (failed, logged at error) once it reaches maxAttempts', async () => {
    const box = await inbox();
    const address = uniqueAddress('max-attempts');
    const logs = captureLogger();
    const sender = worker(new OutboxService(), smtpMailer(box.url), {
      composer: {
        compose: async () => {
          throw new Error('template missing');
        },
      },
      logger: logs.logger,
      maxAttempts: 3,
      backoffMs: () => 0,
    });
    await new OutboxService().enqueue({ template: 'welcome', to: address });
    await sender.drain();

    expect(await outboxOf(address)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'template missing',
    });
    expect(logs.lines.filter((line) => line.level === LEVEL.warn)).toHaveLength(2);
    expect(logs.lines.filter((line) => line.level === LEVEL.error)).toEqual([
      expect.objectContaining({ attempts: 3, permanent: false }),
    ]);
  });

  it('keeps looping after a database error: logged, then the next poll sends', async () => {
    const box = await inbox();
    const address = uniqueAddress('db-error');
    const logs = captureLogger();
    // Fault injection: the first claim fails the way a lost connection would.
    class FlakyOutbox extends OutboxService {
      failures = 1;
      override async claimNext(lockMs: number): Promise<QueuedMessage | null> {
        if (this.failures > 0) {
          this.failures -= 1;
          throw new Error('connection 3 to 127.0.0.1:27017 closed');
        }
        return super.claimNext(lockMs);
      }
    }
    const outbox = new FlakyOutbox();
    const sender = worker(outbox, smtpMailer(box.url), { logger: logs.logger, pollIntervalMs: 20 });
    sender.start();
    await outbox.enqueue({ template: 'welcome', to: address });

    await box.waitFor(to(address));
    await waitUntil(
      () => outboxOf(address),
      (doc) => doc?.status === 'sent',
    );
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: LEVEL.error,
        error: 'connection 3 to 127.0.0.1:27017 closed',
      }),
    );
    await expect(sender.drain()).resolves.toBeUndefined();
  });

  it('stop() waits for the send in progress and claims nothing afterwards', async () => {
    const box = await inbox();
    const first = uniqueAddress('stop-first');
    const second = uniqueAddress('stop-second');
    const outbox = new OutboxService();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const smtp = smtpMailer(box.url);
    const slow: Mailer = {
      async send(mail) {
        await gate;
        await smtp.send(mail);
      },
      close: () => smtp.close(),
    };
    const sender = worker(outbox, slow);
    sender.start();
    await outbox.enqueue({ template: 'welcome', to: first });
    await waitUntil(
      () => outboxOf(first),
      (doc) => doc?.status === 'sending',
    );
    await outbox.enqueue({ template: 'welcome', to: second });

    const stopped = sender.stop();
    release();
    await stopped;
    expect(await outboxOf(first)).toMatchObject({ status: 'sent' });
    expect(await outboxOf(second)).toMatchObject({ status: 'pending', attempts: 0 });
    cleanups.push(async () => {
      await OutboxMessageModel.deleteMany({ to: second });
    });
  });
});
