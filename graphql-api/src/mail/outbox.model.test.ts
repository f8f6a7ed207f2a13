import { Types } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { uniqueDbName } from '../testing';
import { OUTBOX_LIMITS, OutboxMessageModel } from './outbox.model';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('mail') }));
afterAll(() => disconnectDatabase());

describe('OutboxMessage model', () => {
  it('has the claim indexes and lets MongoDB delete finished messages (TTL on expiresAt)', async () => {
    await OutboxMessageModel.createCollection();
    const indexes = await OutboxMessageModel.collection.indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { status: 1, nextAttemptAt: 1 } }),
    );
    expect(indexes).toContainEqual(expect.objectContaining({ key: { status: 1, lockedUntil: 1 } }));
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }),
    );
  });

  it('defaults a new message to pending, due now, with an empty data object', async () => {
    const before = Date.now();
    const stored = await OutboxMessageModel.create({ template: 'welcome', to: 'a@example.test' });
    const read = await OutboxMessageModel.findById(stored._id).lean();
    expect(read).toMatchObject({
      status: 'pending',
      attempts: 0,
      user: null,
      data: {},
      lockedUntil: null,
      lastError: null,
      sentAt: null,
      expiresAt: null,
    });
    expect(read?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(read?.createdAt).toBeInstanceOf(Date);
  });

  it.each([
    ['template', { template: undefined }],
    ['template', { template: 'x'.repeat(OUTBOX_LIMITS.templateMax + 1) }],
    ['to', { to: undefined }],
    ['to', { to: 'x'.repeat(OUTBOX_LIMITS.toMax + 1) }],
    ['data', { data: { count: 3 } }],
    ['data', { data: ['a'] }],
    ['status', { status: 'lost' }],
    ['attempts', { attempts: -1 }],
  ])('refuses an invalid %s', async (path, change) => {
    const message = new OutboxMessageModel({
      template: 'welcome',
      to: 'a@example.test',
      ...change,
    });
    await expect(message.validate()).rejects.toMatchObject({
      name: 'ValidationError',
      errors: { [path]: expect.anything() },
    });
  });

  it('keeps a user id and string data, and truncates lastError to 500 characters', async () => {
    const user = new Types.ObjectId();
    const stored = await OutboxMessageModel.create({
      template: 'welcome',
      to: 'b@example.test',
      user,
      data: { newEmail: 'c@example.test' },
      lastError: 'e'.repeat(2000),
    });
    const read = await OutboxMessageModel.findById(stored._id).lean();
    expect(read?.user?.equals(user)).toBe(true);
    expect(read?.data).toEqual({ newEmail: 'c@example.test' });
    expect(read?.lastError).toHaveLength(OUTBOX_LIMITS.lastErrorMax);
  });
});
