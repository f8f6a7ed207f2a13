import { Types } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { uniqueDbName } from '../testing';
import { SessionModel } from './session.model';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('sessions') }));
afterAll(() => disconnectDatabase());

describe('Session model', () => {
  it('lets MongoDB delete a session when it expires (TTL index on expiresAt)', async () => {
    await SessionModel.createCollection();
    const indexes = await SessionModel.collection.indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }),
    );
  });

  it('stores a refresh counter and no token: a stray token field is not kept', async () => {
    const stored = await SessionModel.create({
      user: new Types.ObjectId(),
      rememberMe: false,
      expiresAt: new Date(Date.now() + 60_000),
      userAgent: 'jest',
      // What an old writer might still send: strict schemas drop it.
      ...({ refreshTokenHash: 'raw-refresh-token' } as object),
    });
    expect(stored).toMatchObject({ revokedAt: null, refreshCounter: 0, counterAdvancedAt: null });
    expect(stored.createdAt).toBeInstanceOf(Date);
    const raw = await SessionModel.collection.findOne({ _id: stored._id });
    expect(raw).not.toHaveProperty('refreshTokenHash');
    await expect(
      new SessionModel({ ...stored.toObject(), refreshCounter: -1 }).validate(),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
