import { Types } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { hashToken } from '../shared/tokens';
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

  it('stores SHA-256 hashes only: a raw token is refused', async () => {
    const session = {
      user: new Types.ObjectId(),
      rememberMe: false,
      expiresAt: new Date(Date.now() + 60_000),
      userAgent: 'jest',
    };
    await expect(
      new SessionModel({ ...session, refreshTokenHash: 'raw-refresh-token' }).validate(),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    const stored = await SessionModel.create({ ...session, refreshTokenHash: hashToken('t') });
    expect(stored).toMatchObject({ revokedAt: null, previousTokenHashes: [] });
    expect(stored.createdAt).toBeInstanceOf(Date);
  });
});
