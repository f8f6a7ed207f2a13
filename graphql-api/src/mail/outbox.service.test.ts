import { Types } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { uniqueDbName } from '../testing';
import { uniqueAddress } from './mail.testing';
import { OutboxMessageModel } from './outbox.model';
import type { OutboxMessage } from './outbox.model';
import { OutboxService } from './outbox.service';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('mail') }));
afterAll(() => disconnectDatabase());
// Claims take any due message of the database: every test starts from an empty outbox.
beforeEach(() => OutboxMessageModel.deleteMany({}));

const read = (id: string) => OutboxMessageModel.findById(id).lean<OutboxMessage>();

describe('OutboxService', () => {
  it('enqueues with one insert, then tells the listeners (a throwing one does not fail it)', async () => {
    const outbox = new OutboxService();
    const heard: string[] = [];
    outbox.onEnqueued(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = outbox.onEnqueued(() => heard.push('kick'));
    const userId = new Types.ObjectId();
    const to = uniqueAddress();

    await outbox.enqueue({ template: 'verify-email', to, userId, data: { a: 'b' } });
    unsubscribe();
    await outbox.enqueue({ template: 'verify-email', to });

    expect(heard).toEqual(['kick']);
    const stored = await OutboxMessageModel.find({ to }).sort({ _id: 1 }).lean<OutboxMessage[]>();
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({
      template: 'verify-email',
      data: { a: 'b' },
      status: 'pending',
    });
    expect(stored[0]?.user?.equals(userId)).toBe(true);
    expect(stored[1]).toMatchObject({ user: null, data: {} });
  });

  it('claims due messages oldest first, counts the attempt, locks them, and skips future ones', async () => {
    const outbox = new OutboxService();
    const now = Date.now();
    const [older, newer] = await OutboxMessageModel.create([
      { template: 't', to: 'older@example.test', nextAttemptAt: new Date(now - 2000) },
      { template: 't', to: 'newer@example.test', nextAttemptAt: new Date(now - 1000) },
      { template: 't', to: 'later@example.test', nextAttemptAt: new Date(now + 60_000) },
    ]);

    const first = await outbox.claimNext(30_000);
    const second = await outbox.claimNext(30_000);
    expect(first).toMatchObject({
      id: older?._id.toHexString(),
      attempts: 1,
      userId: null,
      data: {},
    });
    expect(second?.id).toBe(newer?._id.toHexString());
    expect(await outbox.claimNext(30_000)).toBeNull();

    const locked = await read(first?.id ?? '');
    expect(locked?.status).toBe('sending');
    expect(locked?.lockedUntil?.getTime()).toBeGreaterThan(Date.now() + 25_000);
  });

  it('gives each due message to exactly one of many concurrent claimers', async () => {
    await OutboxMessageModel.create(
      Array.from({ length: 5 }, (_, i) => ({ template: 't', to: `c${i}@example.test` })),
    );
    const services = Array.from({ length: 4 }, () => new OutboxService());
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => services[i % 4]?.claimNext(30_000)),
    );
    const ids = claims.flatMap((claim) => (claim ? [claim.id] : []));
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('reclaims a sending message only once its lock has expired', async () => {
    const outbox = new OutboxService();
    const stuck = await OutboxMessageModel.create({
      template: 't',
      to: 'stuck@example.test',
      status: 'sending',
      attempts: 3,
      lockedUntil: new Date(Date.now() + 200),
    });
    expect(await outbox.claimNext(30_000)).toBeNull();
    await OutboxMessageModel.updateOne(
      { _id: stuck._id },
      { $set: { lockedUntil: new Date(Date.now() - 1) } },
    );
    expect(await outbox.claimNext(30_000)).toMatchObject({
      id: stuck._id.toHexString(),
      attempts: 4,
    });
  });

  it('applies each mark only to a message still sending, and only for the claim that holds it', async () => {
    const outbox = new OutboxService();
    await outbox.enqueue({ template: 't', to: 'marks@example.test' });
    // A pending message is nobody's: no mark applies.
    const pending = await OutboxMessageModel.findOne({ to: 'marks@example.test' }).lean();
    const id = pending?._id.toHexString() ?? '';
    expect(await outbox.markSent(id)).toBe(false);

    const claim = await outbox.claimNext(30_000);
    expect(claim?.id).toBe(id);
    const retryAt = new Date(Date.now() - 1);
    expect(await outbox.markRetry(id, 'x'.repeat(900), retryAt, 1)).toBe(true);
    expect(await read(id)).toMatchObject({ status: 'pending', lockedUntil: null, attempts: 1 });
    expect((await read(id))?.lastError).toHaveLength(500);

    // Claimed again (attempt 2): the stale claimer of attempt 1 can no longer settle it.
    expect((await outbox.claimNext(30_000))?.attempts).toBe(2);
    expect(await outbox.markFailed(id, 'stale verdict', 1)).toBe(false);
    expect(await outbox.markSent(id, 2)).toBe(true);
    const sent = await read(id);
    expect(sent).toMatchObject({ status: 'sent', lockedUntil: null });
    expect(sent?.sentAt).toBeInstanceOf(Date);
    expect(sent?.expiresAt).toBeInstanceOf(Date);
    // Finished is final.
    expect(await outbox.markRetry(id, 'late', new Date())).toBe(false);
    expect(await outbox.markSkipped(id)).toBe(false);
    expect((await read(id))?.status).toBe('sent');
  });

  it('counts messages by status, optionally for one recipient', async () => {
    const outbox = new OutboxService();
    const to = uniqueAddress();
    await outbox.enqueue({ template: 't', to });
    await outbox.enqueue({ template: 't', to });
    await outbox.enqueue({ template: 't', to: uniqueAddress() });
    const claim = await outbox.claimNext(30_000);
    await outbox.markSkipped(claim?.id ?? '');

    const all = await outbox.countByStatus();
    expect(all).toEqual({ pending: 2, sending: 0, sent: 0, skipped: 1, failed: 0 });
    const mine = await outbox.countByStatus(to);
    expect(mine.pending + mine.skipped).toBe(2);
  });
});
